import { openMemoryPgliteTwice } from './fresh-database';
import { describeEventSuite } from './events-suite';

describeEventSuite('events on PGlite (in memory)', openMemoryPgliteTwice);
