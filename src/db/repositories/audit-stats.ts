/** Counts over the audit trail for the summaries (`/audit/workflows/{id}/summary`, `/audit/system/stats`, …). */
import { asc, desc, sql, type AnyColumn } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { auditLog } from '../schema';
import { auditWhere, type AuditFilter } from './audit';

/** The columns entries can be counted by. */
const GROUPABLE = {
  action: auditLog.action,
  actor: auditLog.actor,
  resourceType: auditLog.resourceType,
  workflowId: auditLog.workflowId,
} satisfies Record<string, AnyColumn>;

/** Entries matching `filter`, counted by one column: the `limit` largest groups, ties by key. */
export async function countAuditBy(
  db: WeftDb,
  filter: AuditFilter,
  by: keyof typeof GROUPABLE,
  limit = 100,
): Promise<Array<{ key: string | null; count: number }>> {
  const column = GROUPABLE[by];
  const count = sql<number>`count(*)::int`;
  return db.select({ key: column, count }).from(auditLog).where(auditWhere(filter)).groupBy(column).orderBy(desc(count), asc(column)).limit(limit);
}

/** Entries matching `filter` per UTC day (`YYYY-MM-DD`), oldest first; days without entries are absent. */
export async function countAuditPerDay(db: WeftDb, filter: AuditFilter): Promise<Array<{ day: string; count: number }>> {
  const day = sql<string>`to_char(${auditLog.at} at time zone 'UTC', 'YYYY-MM-DD')`;
  return db
    .select({ day, count: sql<number>`count(*)::int` })
    .from(auditLog)
    .where(auditWhere(filter))
    .groupBy(day)
    .orderBy(asc(day));
}

/** How many entries match `filter`, by how many actors, and when the first and last were written. */
export async function auditTotals(db: WeftDb, filter: AuditFilter): Promise<{ total: number; actors: number; firstAt: Date | null; lastAt: Date | null }> {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      actors: sql<number>`count(distinct ${auditLog.actor})::int`,
      firstAt: sql<Date | null>`min(${auditLog.at})`.mapWith(auditLog.at),
      lastAt: sql<Date | null>`max(${auditLog.at})`.mapWith(auditLog.at),
    })
    .from(auditLog)
    .where(auditWhere(filter));
  return { total: row?.total ?? 0, actors: row?.actors ?? 0, firstAt: row?.firstAt ?? null, lastAt: row?.lastAt ?? null };
}
