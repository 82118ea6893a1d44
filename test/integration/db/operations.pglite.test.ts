import { openDatabase } from '../../../src/db';
import { describeOperationsSuite } from './operations-suite';

describeOperationsSuite('operations ledgers on PGlite (in memory)', async () => {
  const database = await openDatabase({ inMemory: true });
  return { database, dispose: () => database.close() };
});
