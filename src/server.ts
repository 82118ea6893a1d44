// Standalone API process (docker-compose `api` service): external Temporal and PostgreSQL.
import { runStandaloneMain } from './standalone';

runStandaloneMain('api');
