/**
 * The audit chain's contract, written once and run on every driver (`audit-chain.*.test.ts`):
 * the database chains every append, refuses edits, leaves nothing behind a rollback, keeps the
 * chain whole under concurrent writers, and verification finds the first record that was
 * tampered with by someone who switched the guards off.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { appendAudit, executeRows, getAuditChainHead, listAudit, type Database, type WeftDb } from '../../../src/db';
import { AUDIT_GENESIS_HASH } from '../../../src/db/schema';
import { AuditService } from '../../../src/services/audit';
import type { OpenedTwiceForSuite } from './fresh-database';

/** Opens a fresh, migrated database with a second handle standing for another process. */
export type OpenForAuditSuite = () => Promise<OpenedTwiceForSuite>;

const ctx = { actor: 'alice', requestId: 'req-1', clientIp: '203.0.113.7', userAgent: 'suite/1.0' };

async function append(db: WeftDb, n = 1, actor = 'alice'): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = await appendAudit(db, { ...ctx, actor, action: 'thing.changed', resourceType: 'thing', resourceId: randomUUID(), before: { v: i }, after: { v: i + 1 } });
    seqs.push(row.seq);
  }
  return seqs;
}

/** Runs `statement` with every user trigger of audit_log off: what a table owner bent on editing could do. */
async function withoutGuards(db: WeftDb, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger user`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_log enable trigger user`);
  });
}

async function refusal(db: WeftDb, statement: ReturnType<typeof sql>): Promise<string> {
  try {
    await db.execute(statement);
  } catch (err) {
    return String((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
  }
  throw new Error('the statement was not refused');
}

/** Registers the suite under `describe(label)`. */
export function describeAuditChainSuite(label: string, open: OpenForAuditSuite): void {
  describe(label, () => {
    let opened: OpenedTwiceForSuite;
    let db: WeftDb;
    let other: Database;

    beforeAll(async () => {
      opened = await open();
      db = opened.database.db;
      other = opened.other;
    });

    afterAll(async () => {
      await opened?.dispose();
    });

    it('chains every append: seq without gaps, each prev_hash the hash before it; verify is intact and names the head', async () => {
      const seqs = await append(db, 3);
      expect(seqs).toEqual([1, 2, 3]);
      const rows = (await listAudit(db, { resourceType: 'thing', limit: 10 })).reverse();
      expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(rows[0]?.prevHash).toBe(AUDIT_GENESIS_HASH);
      expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
      expect(rows[2]?.prevHash).toBe(rows[1]?.hash);
      for (const r of rows) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(new Set(rows.map((r) => r.hash)).size).toBe(3);
      expect(rows[0]).toMatchObject({ actor: 'alice', requestId: 'req-1', clientIp: '203.0.113.7', userAgent: 'suite/1.0', before: { v: 0 }, after: { v: 1 } });

      expect(await new AuditService(db).verify()).toEqual({ intact: true, records: 3, head: { seq: 3, hash: rows[2]?.hash } });
      expect(await getAuditChainHead(db)).toEqual({ lastSeq: 3, lastHash: rows[2]?.hash });
    });

    it('a transaction that rolls back leaves neither a record nor a gap in seq', async () => {
      const head = await getAuditChainHead(db);
      await expect(
        db.transaction(async (tx) => {
          await append(tx, 2);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await getAuditChainHead(db)).toEqual(head);
      const [next] = await append(db);
      expect(next).toBe((head?.lastSeq ?? 0) + 1);
      expect(await new AuditService(db).verify()).toMatchObject({ intact: true });
    });

    it('refuses UPDATE, DELETE and TRUNCATE of the trail, and moving the head by hand', async () => {
      await append(db);
      expect(await refusal(db, sql`update audit_log set actor = 'mallory'`)).toMatch(/append-only: UPDATE refused/);
      expect(await refusal(db, sql`delete from audit_log`)).toMatch(/append-only: DELETE refused/);
      expect(await refusal(db, sql`truncate audit_log`)).toMatch(/append-only: TRUNCATE refused/);
      expect(await refusal(db, sql`update audit_chain_head set last_seq = 0`)).toMatch(/moved only by appending/);
      expect(await new AuditService(db).verify()).toMatchObject({ intact: true });
    });

    it('keeps no secret: fields named like credentials are redacted in details, before and after', async () => {
      const row = await appendAudit(db, {
        actor: 'lead',
        action: 'connector.updated',
        resourceType: 'connector',
        resourceId: randomUUID(),
        details: { password: 'hunter2', nested: { apiKey: 'k-123', name: 'kept' } },
        before: { config: { baseUrl: 'https://x.test' }, secrets: { clientSecret: 'set' } },
        after: { secrets: { clientSecret: 's3cr3t', username: 'u' }, token: null },
      });
      expect(row.details).toEqual({ password: '[redacted]', nested: { apiKey: '[redacted]', name: 'kept' } });
      expect(row.before).toEqual({ config: { baseUrl: 'https://x.test' }, secrets: { clientSecret: 'set' } });
      expect(row.after).toEqual({ secrets: { clientSecret: '[redacted]', username: '[redacted]' }, token: null });
      expect(JSON.stringify(row)).not.toMatch(/hunter2|k-123|s3cr3t/);
    });

    it('stays one unbroken chain under concurrent writers on two handles, some of them rolling back', async () => {
      const before = (await getAuditChainHead(db))?.lastSeq ?? 0;
      const writers = Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? other.db : db)
          .transaction(async (tx) => {
            await append(tx, 2, `writer-${i}`);
            if (i % 5 === 0) throw new Error('rolled back');
          })
          .catch((err: Error) => (err.message === 'rolled back' ? undefined : Promise.reject(err))),
      );
      await Promise.all(writers);
      const committed = 60 - 12; // every fifth writer rolled back
      expect((await getAuditChainHead(db))?.lastSeq).toBe(before + committed * 2);
      const result = await new AuditService(other.db).verify();
      expect(result).toMatchObject({ intact: true, records: before + committed * 2 });
      const seqs = await executeRows<{ seq: string }>(db, sql`select a.seq::text as seq from audit_log a where a.actor like 'writer-%' order by a.seq`);
      expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: committed * 2 }, (_, i) => before + 1 + i));
    });

    describe('tampering (each on a database of its own)', () => {
      let tampered: OpenedTwiceForSuite;
      let tdb: WeftDb;
      beforeEach(async () => {
        tampered = await open();
        tdb = tampered.database.db;
        await append(tdb, 5);
      });
      afterEach(async () => {
        await tampered.dispose();
      });

      it('an edited record is named by verify (hash_mismatch at its seq)', async () => {
        await withoutGuards(tdb, sql`update audit_log set after = '{"v": 99}'::jsonb where seq = 3`);
        expect(await new AuditService(tdb).verify()).toMatchObject({
          intact: false,
          records: 2,
          firstMismatch: { seq: 3, reason: 'hash_mismatch' },
        });
      });

      it('an edit whose hash was recomputed to match still breaks the link of the next record', async () => {
        await withoutGuards(
          tdb,
          sql`update audit_log set actor = 'mallory', hash = weft_audit_hash(prev_hash, seq, at, 'mallory', action, resource_type, resource_id,
            workflow_id, details, before, after, request_id, client_ip, user_agent) where seq = 2`,
        );
        expect(await new AuditService(tdb).verify()).toMatchObject({ intact: false, records: 2, firstMismatch: { seq: 3, reason: 'broken_link' } });
      });

      it('a removed record shows as a gap, and records removed from the end as a head mismatch', async () => {
        await withoutGuards(tdb, sql`delete from audit_log where seq = 4`);
        expect(await new AuditService(tdb).verify()).toMatchObject({ intact: false, records: 3, firstMismatch: { seq: 5, reason: 'missing_record' } });
        await withoutGuards(tdb, sql`delete from audit_log where seq >= 4`);
        expect(await new AuditService(tdb).verify()).toMatchObject({ intact: false, records: 3, firstMismatch: { seq: 5, id: null, reason: 'head_mismatch' } });
      });
    });
  });
}
