/**
 * The audit trail: append-only and hash-chained by the database (see schema/audit.ts). This
 * module only inserts and reads; the chain trigger sets `seq`, `prev_hash` and `hash`, and other
 * triggers refuse edits.
 *
 * Append inside the transaction that makes the change, as its last statement: the append takes
 * the chain's lock until that transaction ends, so a rolled-back change leaves no record, and a
 * short hold keeps concurrent writers moving.
 */
import { and, asc, desc, eq, gt, gte, inArray, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { auditChainHead, auditLog, type AuditEntry } from '../schema';
import { redactSecrets } from './audit-redaction';

/**
 * Who made a change and through which request: built by the API handler from the request and
 * passed down explicitly (the worker passes `{ actor: 'system' }`).
 */
export interface AuditContext {
  /** User id (the token's subject), or `system` for the worker. */
  actor: string;
  /** The request's X-Request-Id. */
  requestId?: string | null;
  /** The client's address as the API saw it. */
  clientIp?: string | null;
  userAgent?: string | null;
}

/** One change: who (the context), what, to which resource. */
export interface AppendAuditInput extends AuditContext {
  /** Dotted verb, e.g. `workflow.created`, `version.published`, `execution.failed`. */
  action: string;
  /** e.g. `workflow`, `version`, `execution`. */
  resourceType: string;
  resourceId?: string | null;
  /** The workflow (definition) the change concerns, for the per-workflow filters and summary. */
  workflowId?: string | null;
  /** Machine-readable context. Secrets are redacted before storing. */
  details?: Record<string, unknown> | null;
  /** The resource before and after the change. Secrets are redacted before storing. */
  before?: object | null;
  after?: object | null;
  /** Defaults to the database's now(). */
  at?: Date;
}

/** Appends one entry (chained by the database) and returns it as stored. */
export async function appendAudit(db: WeftDb, input: AppendAuditInput): Promise<AuditEntry> {
  const [row] = await db
    .insert(auditLog)
    .values({
      actor: input.actor,
      action: input.action,
      resourceType: input.resourceType,
      resourceId: input.resourceId ?? null,
      workflowId: input.workflowId ?? null,
      details: redactSecrets(input.details),
      before: redactSecrets(input.before),
      after: redactSecrets(input.after),
      requestId: input.requestId ?? null,
      clientIp: input.clientIp ?? null,
      userAgent: input.userAgent ?? null,
      ...(input.at ? { at: input.at } : {}),
    })
    .returning();
  if (!row) throw new Error('appendAudit: insert returned no row');
  return row;
}

/** Filter for {@link listAudit}; omitted fields match everything. */
export interface ListAuditQuery {
  resourceType?: string;
  resourceId?: string;
  actor?: string;
  action?: string;
  limit: number;
  offset?: number;
}

/** Entries matching the filter, newest first (chain order). */
export async function listAudit(db: WeftDb, query: ListAuditQuery): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      auditWhere({
        resourceType: query.resourceType,
        resourceId: query.resourceId,
        actor: query.actor,
        actions: query.action === undefined ? undefined : [query.action],
      }),
    )
    .orderBy(desc(auditLog.seq))
    .limit(query.limit)
    .offset(query.offset ?? 0);
}

/** The audit trail's filters (`GET /audit`, the export, the summaries); omitted fields match everything. */
export interface AuditFilter {
  workflowId?: string;
  actor?: string;
  /** Event types; `execution.*` matches every type starting with `execution.`. */
  actions?: string[];
  resourceType?: string;
  resourceId?: string;
  /** The API request that made the change. */
  requestId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** The SQL condition of a filter (undefined when it matches everything). */
export function auditWhere(f: AuditFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (f.workflowId !== undefined) conditions.push(eq(auditLog.workflowId, f.workflowId));
  if (f.actor !== undefined) conditions.push(eq(auditLog.actor, f.actor));
  if (f.resourceType !== undefined) conditions.push(eq(auditLog.resourceType, f.resourceType));
  if (f.resourceId !== undefined) conditions.push(eq(auditLog.resourceId, f.resourceId));
  if (f.requestId !== undefined) conditions.push(eq(auditLog.requestId, f.requestId));
  if (f.from !== undefined) conditions.push(gte(auditLog.at, f.from));
  if (f.to !== undefined) conditions.push(lt(auditLog.at, f.to));
  if (f.actions !== undefined && f.actions.length > 0) {
    const exact = f.actions.filter((a) => !a.endsWith('.*'));
    const prefixes = f.actions.filter((a) => a.endsWith('.*')).map((a) => `${escapeLike(a.slice(0, -1))}%`);
    const any: SQL[] = [...(exact.length > 0 ? [inArray(auditLog.action, exact)] : []), ...prefixes.map((p) => like(auditLog.action, p))];
    conditions.push(or(...any) as SQL);
  }
  return conditions.length > 0 ? and(...conditions) : undefined;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A page of entries matching `filter`, newest first, older than `beforeSeq` when given. */
export async function pageAudit(db: WeftDb, filter: AuditFilter, page: { beforeSeq?: number; limit: number }): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(and(auditWhere(filter), page.beforeSeq === undefined ? undefined : lt(auditLog.seq, page.beforeSeq)))
    .orderBy(desc(auditLog.seq))
    .limit(page.limit);
}

/** The next `limit` entries matching `filter` in chain order, after `afterSeq` and up to `uptoSeq` (for exports). */
export async function auditBatchAfter(db: WeftDb, filter: AuditFilter, range: { afterSeq: number; uptoSeq: number; limit: number }): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(and(auditWhere(filter), gt(auditLog.seq, range.afterSeq), lte(auditLog.seq, range.uptoSeq)))
    .orderBy(asc(auditLog.seq))
    .limit(range.limit);
}

/** The end of the chain as the head row records it. */
export async function getAuditChainHead(db: WeftDb): Promise<{ lastSeq: number; lastHash: string } | undefined> {
  const [row] = await db.select({ lastSeq: auditChainHead.lastSeq, lastHash: auditChainHead.lastHash }).from(auditChainHead).where(eq(auditChainHead.id, 1));
  return row;
}

/** One stored record with the hash its content should have, for verification. */
export interface ChainLink {
  id: number;
  seq: number;
  prevHash: string;
  hash: string;
  /** The hash recomputed from the stored content and the stored `prev_hash`. */
  expectedHash: string;
}

/** The next `limit` records after `afterSeq` in chain order, each with its recomputed hash. */
export async function chainLinksAfter(db: WeftDb, afterSeq: number, limit: number): Promise<ChainLink[]> {
  return db
    .select({
      id: auditLog.id,
      seq: auditLog.seq,
      prevHash: auditLog.prevHash,
      hash: auditLog.hash,
      expectedHash: sql<string>`weft_audit_hash(${auditLog.prevHash}, ${auditLog.seq}, ${auditLog.at}, ${auditLog.actor}, ${auditLog.action},
        ${auditLog.resourceType}, ${auditLog.resourceId}, ${auditLog.workflowId}, ${auditLog.details}, ${auditLog.before}, ${auditLog.after},
        ${auditLog.requestId}, ${auditLog.clientIp}, ${auditLog.userAgent})`,
    })
    .from(auditLog)
    .where(gt(auditLog.seq, afterSeq))
    .orderBy(asc(auditLog.seq))
    .limit(limit);
}
