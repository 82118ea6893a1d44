import { openMemoryPglite } from './fresh-database';
import { describeDirectorySuite } from './directory-suite';

describeDirectorySuite('directory on PGlite (in memory)', openMemoryPglite);
