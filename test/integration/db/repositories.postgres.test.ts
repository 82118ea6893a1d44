import { openFreshPostgres } from './fresh-database';
import { describeRepositorySuite } from './repository-suite';

describeRepositorySuite('repositories on PostgreSQL', openFreshPostgres);
