import { openDatabase } from '../../../src/db';
import { describeEventSuite } from './events-suite';

describeEventSuite('events on PGlite (in memory)', async () => {
  const database = await openDatabase({ inMemory: true });
  return { database, other: database, dispose: () => database.close() };
});
