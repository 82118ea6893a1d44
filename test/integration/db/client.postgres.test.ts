import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { executeRows, openDatabase } from '../../../src/db';
import { createFreshDatabaseUrl, type FreshDatabase } from './fresh-database';
import { appliedMigrationCount, checkedInMigrationCount, WEFT_TABLES } from './migrations';

describe('openDatabase with PostgreSQL', () => {
  const fresh: FreshDatabase[] = [];

  async function freshDatabase(): Promise<FreshDatabase> {
    const db = await createFreshDatabaseUrl();
    fresh.push(db);
    return db;
  }

  afterAll(async () => {
    await Promise.all(fresh.map((f) => f.drop()));
  });

  it('migrates a fresh database, and opening it again is a no-op', async () => {
    const { url } = await freshDatabase();
    const logs: string[] = [];
    const first = await openDatabase({ databaseUrl: url, log: (m) => logs.push(m) });
    try {
      expect(first.kind).toBe('postgres');
      await first.ping();
      expect(await appliedMigrationCount(first.db)).toBe(checkedInMigrationCount());
      const tables = await executeRows<{ table_name: string }>(
        first.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      expect(tables.map((r) => r.table_name)).toEqual(WEFT_TABLES);
    } finally {
      await first.close();
    }
    expect(logs.some((l) => l.includes('migrations applied'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/password/);

    const second = await openDatabase({ databaseUrl: url });
    try {
      expect(await appliedMigrationCount(second.db)).toBe(checkedInMigrationCount());
    } finally {
      await second.close();
    }
  });

  it('lets concurrent processes open the same fresh database (advisory lock around migration)', async () => {
    const { url } = await freshDatabase();
    const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: url, maxConnections: 2 })));
    try {
      for (const database of opened) await database.ping();
      expect(await appliedMigrationCount(opened[0]!.db)).toBe(checkedInMigrationCount());
    } finally {
      await Promise.all(opened.map((d) => d.close()));
    }
    // The lock is session-level: it must be gone once the migrating connections ended.
    const probe = postgres(url, { max: 1 });
    try {
      const held =
        await probe`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`;
      expect(held[0]?.n).toBe(0);
    } finally {
      await probe.end();
    }
  });

  it('rejects with the driver error when the database does not exist, leaving no pool open', async () => {
    const { url, drop } = await freshDatabase();
    await drop();
    await expect(openDatabase({ databaseUrl: url })).rejects.toThrow(/migrating PostgreSQL .* failed: .*does not exist/);
  });

  it('close() ends the pool so ping rejects afterwards', async () => {
    const { url } = await freshDatabase();
    const database = await openDatabase({ databaseUrl: url });
    await database.close();
    await expect(database.ping()).rejects.toThrow();
  });
});
