import { openDatabase } from '../../../src/db';
import { describeCircuitBreakerSuite } from './circuit-breaker-suite';

describeCircuitBreakerSuite('circuit breakers on PGlite (in memory)', async () => {
  const database = await openDatabase({ inMemory: true });
  return { database, other: database, dispose: () => database.close() };
});
