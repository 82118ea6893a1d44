import { openDatabase, type Database } from '../../../src/db';
import { createFreshDatabaseUrl } from './fresh-database';
import { describeEventSuite } from './events-suite';

describeEventSuite('events on PostgreSQL (two pools racing)', async () => {
  const fresh = await createFreshDatabaseUrl();
  const opened: Database[] = [];
  const closeAll = async () => {
    await Promise.all(opened.map((d) => d.close()));
    await fresh.drop();
  };
  try {
    opened.push(await openDatabase({ databaseUrl: fresh.url }));
    opened.push(await openDatabase({ databaseUrl: fresh.url }));
    const [database, other] = opened as [Database, Database];
    return { database, other, dispose: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
});
