/**
 * The audit trail: append-only, newest first on read. Entries are never updated or deleted here.
 */
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { auditLog, type AuditEntry } from '../schema';

/** Who did what to which resource. */
export interface AppendAuditInput {
  /** User id, or `system` for the worker. */
  actor: string;
  /** Dotted verb, e.g. `workflow.created`, `version.published`, `execution.failed`. */
  action: string;
  /** e.g. `workflow`, `version`, `execution`. */
  resourceType: string;
  resourceId?: string | null;
  /** Machine-readable context; never secrets. */
  details?: Record<string, unknown> | null;
  /** Defaults to the database's now(). */
  at?: Date;
}

/** Appends one entry and returns it with its id and timestamp. */
export async function appendAudit(db: WeftDb, input: AppendAuditInput): Promise<AuditEntry> {
  const [row] = await db
    .insert(auditLog)
    .values({
      actor: input.actor,
      action: input.action,
      resourceType: input.resourceType,
      resourceId: input.resourceId ?? null,
      details: input.details ?? null,
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

/** Entries matching the filter, newest first (by insertion order). */
export async function listAudit(db: WeftDb, query: ListAuditQuery): Promise<AuditEntry[]> {
  const conditions: SQL[] = [];
  if (query.resourceType !== undefined) conditions.push(eq(auditLog.resourceType, query.resourceType));
  if (query.resourceId !== undefined) conditions.push(eq(auditLog.resourceId, query.resourceId));
  if (query.actor !== undefined) conditions.push(eq(auditLog.actor, query.actor));
  if (query.action !== undefined) conditions.push(eq(auditLog.action, query.action));
  return db
    .select()
    .from(auditLog)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(query.limit)
    .offset(query.offset ?? 0);
}
