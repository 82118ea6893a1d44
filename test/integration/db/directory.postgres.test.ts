import { openFreshPostgres } from './fresh-database';
import { describeDirectorySuite } from './directory-suite';

describeDirectorySuite('directory on PostgreSQL', openFreshPostgres);
