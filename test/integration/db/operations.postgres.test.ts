import { openDatabase } from '../../../src/db';
import { createFreshDatabaseUrl } from './fresh-database';
import { describeOperationsSuite } from './operations-suite';

describeOperationsSuite('operations ledgers on PostgreSQL', async () => {
  const fresh = await createFreshDatabaseUrl();
  try {
    const database = await openDatabase({ databaseUrl: fresh.url });
    return {
      database,
      dispose: async () => {
        await database.close();
        await fresh.drop();
      },
    };
  } catch (err) {
    await fresh.drop();
    throw err;
  }
});
