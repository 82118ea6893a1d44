import { openFreshPostgres } from './fresh-database';
import { describeOperationsSuite } from './operations-suite';

describeOperationsSuite('operations ledgers on PostgreSQL', openFreshPostgres);
