import { openMemoryPglite } from './fresh-database';
import { describeRepositorySuite } from './repository-suite';

describeRepositorySuite('repositories on PGlite (in memory)', openMemoryPglite);
