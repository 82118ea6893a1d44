import { openFreshPostgresTwice } from './fresh-database';
import { describeRateLimitSuite } from './rate-limit-suite';

describeRateLimitSuite('rate-limit store on PostgreSQL (two API processes, two pools)', openFreshPostgresTwice);
