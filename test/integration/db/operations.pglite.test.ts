import { openMemoryPglite } from './fresh-database';
import { describeOperationsSuite } from './operations-suite';

describeOperationsSuite('operations ledgers on PGlite (in memory)', openMemoryPglite);
