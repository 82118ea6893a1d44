import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { appendAudit, executeRows, listAudit, openDatabase } from '../../../src/db';
import { appliedMigrationCount, checkedInMigrationCount, WEFT_TABLES } from './migrations';

describe('openDatabase with PGlite', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'weft-pglite-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies every migration to an in-memory database', async () => {
    const database = await openDatabase({ inMemory: true });
    try {
      expect(database.kind).toBe('pglite');
      await database.ping();
      expect(await appliedMigrationCount(database.db)).toBe(checkedInMigrationCount());
      const tables = await executeRows<{ table_name: string }>(
        database.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      expect(tables.map((r) => r.table_name)).toEqual(WEFT_TABLES);
    } finally {
      await database.close();
    }
  });

  it('persists under <dataDir>/pglite across close and reopen, and reopening migrates nothing', async () => {
    const logs: string[] = [];
    const first = await openDatabase({ dataDir, log: (m) => logs.push(m) });
    await appendAudit(first.db, { actor: 'alice', action: 'test.persisted', resourceType: 'test', resourceId: 'r1' });
    await first.close();
    expect(logs.some((l) => l.includes(join(dataDir, 'pglite')))).toBe(true);

    const second = await openDatabase({ dataDir });
    try {
      expect(await appliedMigrationCount(second.db)).toBe(checkedInMigrationCount());
      const entries = await listAudit(second.db, { resourceType: 'test', limit: 10 });
      expect(entries.map((e) => [e.actor, e.action, e.resourceId])).toEqual([['alice', 'test.persisted', 'r1']]);
    } finally {
      await second.close();
    }
  });

  it('close() twice is harmless and a closed handle rejects', async () => {
    const database = await openDatabase({ inMemory: true });
    await database.close();
    await database.close();
    await expect(database.ping()).rejects.toThrow();
  });

  it('refuses to guess where the data goes', async () => {
    await expect(openDatabase({})).rejects.toThrow(/databaseUrl|dataDir|inMemory/);
  });
});
