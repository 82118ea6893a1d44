import type { WeftDb } from '../db/client';
import { auditBatchAfter, chainLinksAfter, getAuditChainHead, pageAudit, type AuditFilter } from '../db/repositories/audit';
import { auditTotals, countAuditBy, countAuditPerDay } from '../db/repositories/audit-stats';
import { AUDIT_GENESIS_HASH, type AuditEntry } from '../db/schema';
import { WeftError } from '../graph/errors';

/** Records read per query while verifying or exporting: memory stays bounded whatever the trail's size. */
const BATCH = 2_000;

/** Why a record breaks the chain. */
export type ChainBreak =
  /** Its stored content no longer gives its stored hash: the record was edited. */
  | 'hash_mismatch'
  /** Its `prev_hash` is not the hash of the record before it. */
  | 'broken_link'
  /** `seq` skips: records were removed here. */
  | 'missing_record'
  /** The chain's head does not name the last record: records were removed from the end (or the head was moved). */
  | 'head_mismatch';

/** What `GET /audit/verify` answers. */
export type ChainVerification =
  | { intact: true; records: number; head: { seq: number; hash: string } }
  | {
      intact: false;
      /** Records checked before the first that does not match. */
      records: number;
      firstMismatch: { seq: number; id: number | null; reason: ChainBreak; expected: string; found: string };
    };

/** A day's count. */
export interface DayCount {
  day: string;
  count: number;
}

/** The window of a summary: the last `days` days up to now (entries are counted from `from` on). */
export interface Window {
  days: number;
  from: Date;
  to: Date;
}

/** Reading the audit trail: pages, the chain check, batches for exports, and summaries. */
export class AuditService {
  constructor(
    private readonly db: WeftDb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Entries matching `filter`, newest first, `limit` at a time; `nextCursor` continues after the
   * last one and is null on the last page.
   * @throws WeftError INVALID_REQUEST for a cursor this API did not give
   */
  async list(filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const beforeSeq = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = await pageAudit(this.db, filter, { beforeSeq, limit: page.limit + 1 });
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last.seq) : null };
  }

  /**
   * Walks the whole chain in order, recomputing each record's hash, and compares the end with the
   * head. Reports the first record that does not match.
   */
  async verify(): Promise<ChainVerification> {
    let prevSeq = 0;
    let prevHash = AUDIT_GENESIS_HASH;
    for (;;) {
      const links = await chainLinksAfter(this.db, prevSeq, BATCH);
      for (const link of links) {
        const broken = (reason: ChainBreak, expected: string, found: string): ChainVerification => ({
          intact: false,
          records: prevSeq,
          firstMismatch: { seq: link.seq, id: link.id, reason, expected, found },
        });
        if (link.seq !== prevSeq + 1) return broken('missing_record', `seq ${prevSeq + 1}`, `seq ${link.seq}`);
        if (link.prevHash !== prevHash) return broken('broken_link', prevHash, link.prevHash);
        if (link.hash !== link.expectedHash) return broken('hash_mismatch', link.expectedHash, link.hash);
        prevSeq = link.seq;
        prevHash = link.hash;
      }
      if (links.length < BATCH) break;
    }
    const head = (await getAuditChainHead(this.db)) ?? { lastSeq: 0, lastHash: AUDIT_GENESIS_HASH };
    if (head.lastSeq !== prevSeq || head.lastHash !== prevHash) {
      return {
        intact: false,
        records: prevSeq,
        firstMismatch: {
          seq: head.lastSeq,
          id: null,
          reason: 'head_mismatch',
          expected: `seq ${prevSeq} ${prevHash}`,
          found: `seq ${head.lastSeq} ${head.lastHash}`,
        },
      };
    }
    return { intact: true, records: prevSeq, head: { seq: prevSeq, hash: prevHash } };
  }

  /**
   * The entries matching `filter` in chain order, a batch at a time, up to the end of the chain
   * as it was when the export began (entries appended meanwhile belong to the next export).
   * The caller pulls the next batch only when it has written the last one.
   */
  async *exportBatches(filter: AuditFilter): AsyncGenerator<AuditEntry[]> {
    const uptoSeq = (await getAuditChainHead(this.db))?.lastSeq ?? 0;
    let afterSeq = 0;
    for (;;) {
      const batch = await auditBatchAfter(this.db, filter, { afterSeq, uptoSeq, limit: BATCH });
      if (batch.length > 0) yield batch;
      const last = batch[batch.length - 1];
      if (batch.length < BATCH || !last) return;
      afterSeq = last.seq;
    }
  }

  /** What happened to one workflow (its definition, versions and executions) in the last `days` days. */
  async workflowSummary(workflowId: string, days: number) {
    const window = this.window(days);
    const filter: AuditFilter = { workflowId, from: window.from };
    const [totals, byEventType, byUser, perDay] = await Promise.all([
      auditTotals(this.db, filter),
      countAuditBy(this.db, filter, 'action'),
      countAuditBy(this.db, filter, 'actor', 20),
      countAuditPerDay(this.db, filter),
    ]);
    const events = counts(byEventType);
    return {
      workflowId,
      ...window,
      total: totals.total,
      firstAt: totals.firstAt,
      lastAt: totals.lastAt,
      byEventType: events,
      byUser: byUser.map((r) => ({ userId: r.key, count: r.count })),
      executions: {
        started: events['execution.started'] ?? 0,
        completed: events['execution.completed'] ?? 0,
        failed: events['execution.failed'] ?? 0,
        cancelled: events['execution.cancelled'] ?? 0,
      },
      perDay,
    };
  }

  /** What one user did in the last `days` days, with their latest entries. */
  async userActivity(userId: string, days: number) {
    const window = this.window(days);
    const filter: AuditFilter = { actor: userId, from: window.from };
    const [totals, byEventType, byResourceType, perDay, recent] = await Promise.all([
      auditTotals(this.db, filter),
      countAuditBy(this.db, filter, 'action'),
      countAuditBy(this.db, filter, 'resourceType'),
      countAuditPerDay(this.db, filter),
      pageAudit(this.db, filter, { limit: 50 }),
    ]);
    return {
      userId,
      ...window,
      total: totals.total,
      firstAt: totals.firstAt,
      lastAt: totals.lastAt,
      byEventType: counts(byEventType),
      byResourceType: counts(byResourceType),
      perDay,
      recent,
    };
  }

  /** The whole trail over the last `days` days, and the chain's length. */
  async systemStats(days: number) {
    const window = this.window(days);
    const filter: AuditFilter = { from: window.from };
    const [totals, byEventType, byResourceType, topUsers, topWorkflows, perDay, head] = await Promise.all([
      auditTotals(this.db, filter),
      countAuditBy(this.db, filter, 'action'),
      countAuditBy(this.db, filter, 'resourceType'),
      countAuditBy(this.db, filter, 'actor', 10),
      countAuditBy(this.db, filter, 'workflowId', 11),
      countAuditPerDay(this.db, filter),
      getAuditChainHead(this.db),
    ]);
    return {
      ...window,
      total: totals.total,
      activeUsers: totals.actors,
      byEventType: counts(byEventType),
      byResourceType: counts(byResourceType),
      topUsers: topUsers.map((r) => ({ userId: r.key, count: r.count })),
      topWorkflows: topWorkflows
        .filter((r) => r.key !== null)
        .slice(0, 10)
        .map((r) => ({ workflowId: r.key, count: r.count })),
      perDay,
      chainLength: head?.lastSeq ?? 0,
    };
  }

  private window(days: number): Window {
    const to = this.clock();
    return { days, from: new Date(to.getTime() - days * 86_400_000), to };
  }
}

function counts(rows: Array<{ key: string | null; count: number }>): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.key ?? '', r.count]));
}

/** A cursor names the `seq` the next page starts below; opaque to clients. */
function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw new WeftError('INVALID_REQUEST', 'the cursor is not one this API gave', {
      issues: [{ path: '/cursor', code: 'invalid_cursor', message: 'pass nextCursor from a previous page unchanged' }],
    });
  }
  return Number(match[1]);
}
