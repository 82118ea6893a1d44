import { openMemoryPgliteTwice } from './fresh-database';
import { describeRateLimitSuite } from './rate-limit-suite';

describeRateLimitSuite('rate-limit store on PGlite (in memory)', openMemoryPgliteTwice);
