import { openDatabase } from '../../../src/db';
import { describeDirectorySuite } from './directory-suite';

describeDirectorySuite('directory on PGlite (in memory)', async () => {
  const database = await openDatabase({ inMemory: true });
  return { database, dispose: () => database.close() };
});
