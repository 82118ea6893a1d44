import { openMemoryPgliteTwice } from './fresh-database';
import { describeCircuitBreakerSuite } from './circuit-breaker-suite';

describeCircuitBreakerSuite('circuit breakers on PGlite (in memory)', openMemoryPgliteTwice);
