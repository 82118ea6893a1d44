// Standalone worker process (docker-compose `worker` service): external Temporal and PostgreSQL;
// scale by running more of them. The worker itself is built in temporal/worker.ts.
import './telemetry/register';
import { runStandaloneMain } from './standalone';

runStandaloneMain('worker');
