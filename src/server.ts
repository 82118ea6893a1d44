// Standalone API process (docker-compose `api` service): external Temporal and PostgreSQL.
import './telemetry/register';
import { runStandaloneMain } from './standalone';

runStandaloneMain('api');
