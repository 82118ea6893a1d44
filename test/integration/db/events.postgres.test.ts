import { openFreshPostgresTwice } from './fresh-database';
import { describeEventSuite } from './events-suite';

describeEventSuite('events on PostgreSQL (two pools racing)', openFreshPostgresTwice);
