/**
 * Records written before the audit chain existed join it when migration 0007 runs: in the order
 * they were written, hashed from the genesis hash, with the workflow they concern filled in, and
 * the chain goes on from them.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { appendAudit, listAudit, openDatabase } from '../../../src/db';
import { AuditService } from '../../../src/services/audit';
import { createFreshDatabaseUrl, type FreshDatabase } from './fresh-database';

const DRIZZLE = join(__dirname, '../../../drizzle');
const CHAIN_MIGRATION = '0007_audit_chain';

/** A copy of the checked-in migrations that stops before the audit chain. */
function migrationsBeforeChain(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-migrations-'));
  cpSync(DRIZZLE, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string; idx: number }> };
  const chainIdx = journal.entries.find((e) => e.tag === CHAIN_MIGRATION)?.idx;
  if (chainIdx === undefined) throw new Error(`no ${CHAIN_MIGRATION} in the journal`);
  journal.entries = journal.entries.filter((e) => e.idx < chainIdx);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

let fresh: FreshDatabase;
let oldMigrations: string;

beforeAll(async () => {
  fresh = await createFreshDatabaseUrl();
  oldMigrations = migrationsBeforeChain();
});

afterAll(async () => {
  await fresh?.drop();
  rmSync(oldMigrations, { recursive: true, force: true });
});

test('legacy audit rows are chained by the migration, in the order they were written, and appends continue the chain', async () => {
  const old = await openDatabase({ databaseUrl: fresh.url, migrationsFolder: oldMigrations });
  try {
    await old.db.execute(sql`insert into executions (id, definition_id, version, status) values ('exec-legacy', 'wf-legacy', '1.0.0', 'completed')`);
    await old.db.execute(sql`insert into audit_log (actor, action, resource_type, resource_id, details, at) values
      ('alice', 'workflow.created', 'workflow', 'wf-legacy', '{"version": "1.0.0"}', '2024-01-01T10:00:00.123456Z'),
      ('bob', 'execution.started', 'execution', 'exec-legacy', null, '2024-01-01T10:05:00Z'),
      ('system', 'execution.completed', 'execution', 'exec-legacy', '{"definitionId": "wf-legacy"}', '2024-01-01T10:06:00Z'),
      ('carol', 'user.created', 'user', 'dave', '{"roles": ["viewer"]}', '2024-01-02T09:00:00Z')`);
  } finally {
    await old.close();
  }

  const migrated = await openDatabase({ databaseUrl: fresh.url });
  try {
    const rows = (await listAudit(migrated.db, { limit: 10 })).reverse();
    expect(rows.map((r) => [r.seq, r.actor, r.workflowId])).toEqual([
      [1, 'alice', 'wf-legacy'],
      [2, 'bob', 'wf-legacy'],
      [3, 'system', 'wf-legacy'],
      [4, 'carol', null],
    ]);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => a - b));
    expect(rows[0]?.at.toISOString()).toBe('2024-01-01T10:00:00.123Z');
    expect(await new AuditService(migrated.db).verify()).toEqual({ intact: true, records: 4, head: { seq: 4, hash: rows[3]?.hash } });

    const next = await appendAudit(migrated.db, { actor: 'erin', action: 'workflow.published', resourceType: 'workflow', resourceId: 'wf-legacy', workflowId: 'wf-legacy' });
    expect(next).toMatchObject({ seq: 5, prevHash: rows[3]?.hash });
    expect(await new AuditService(migrated.db).verify()).toMatchObject({ intact: true, records: 5 });
  } finally {
    await migrated.close();
  }
});
