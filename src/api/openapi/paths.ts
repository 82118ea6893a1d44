// Each area's documentation registers its routes when loaded.
import './paths-workflows';
import './paths-people';
import './paths-sites';
import './paths-operations';
import './paths-integrations';
