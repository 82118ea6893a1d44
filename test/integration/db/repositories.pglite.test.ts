import { openDatabase } from '../../../src/db';
import { describeRepositorySuite } from './repository-suite';

describeRepositorySuite('repositories on PGlite (in memory)', async () => {
  const database = await openDatabase({ inMemory: true });
  return { database, dispose: () => database.close() };
});
