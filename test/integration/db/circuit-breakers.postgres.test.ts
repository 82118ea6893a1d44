import { openFreshPostgresTwice } from './fresh-database';
import { describeCircuitBreakerSuite } from './circuit-breaker-suite';

describeCircuitBreakerSuite('circuit breakers on PostgreSQL (two workers, two pools)', openFreshPostgresTwice);
