// Imported first by each entry point: the HTTP and Express instrumentations patch those modules
// as they load, so tracing must start before anything imports them (tracing.ts).
import { startTracing } from './tracing';

startTracing();
