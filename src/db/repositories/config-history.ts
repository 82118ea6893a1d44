/**
 * The history of configuration values, and changes waiting for an approval. Rows only.
 */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { configChanges, configHistory, type ConfigChangeRow, type ConfigChangeStatus, type ConfigHistoryRow, type ConfigScope } from '../schema';

export type NewHistoryRow = Omit<typeof configHistory.$inferInsert, 'id'>;

export async function insertHistory(db: WeftDb, row: NewHistoryRow): Promise<void> {
  await db.insert(configHistory).values(row);
}

/** Filters of {@link pageHistory}; omitted ones match everything. `from` inclusive, `to` exclusive. */
export interface HistoryFilter {
  scope?: ConfigScope;
  scopeId?: string;
  key?: string;
  from?: Date;
  to?: Date;
}

/** Changes newest first, before the entry `beforeId`, at most `limit`. */
export async function pageHistory(db: WeftDb, f: HistoryFilter, page: { beforeId?: number; limit: number }): Promise<ConfigHistoryRow[]> {
  const conditions: SQL[] = [];
  if (f.scope !== undefined) conditions.push(eq(configHistory.scope, f.scope));
  if (f.scopeId !== undefined) conditions.push(eq(configHistory.scopeId, f.scopeId));
  if (f.key !== undefined) conditions.push(eq(configHistory.key, f.key));
  if (f.from !== undefined) conditions.push(gte(configHistory.at, f.from));
  if (f.to !== undefined) conditions.push(lt(configHistory.at, f.to));
  if (page.beforeId !== undefined) conditions.push(lt(configHistory.id, page.beforeId));
  return db
    .select()
    .from(configHistory)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(configHistory.id))
    .limit(page.limit);
}

export type NewChangeRow = Omit<typeof configChanges.$inferInsert, 'requestedAt' | 'status' | 'settledAt' | 'outcome'>;

export async function insertChange(db: WeftDb, row: NewChangeRow): Promise<ConfigChangeRow> {
  const [created] = await db.insert(configChanges).values(row).returning();
  return created as ConfigChangeRow;
}

export async function getChange(db: WeftDb, id: string): Promise<ConfigChangeRow | undefined> {
  const [row] = await db.select().from(configChanges).where(eq(configChanges.id, id));
  return row;
}

export async function linkChangeToRequest(db: WeftDb, id: string, approvalRequestId: string): Promise<void> {
  await db.update(configChanges).set({ approvalRequestId }).where(eq(configChanges.id, id));
}

/**
 * Moves a pending change to its outcome. Only the first caller gets the row back: a retried
 * activity finds it settled and does nothing.
 */
export async function settleChange(
  db: WeftDb,
  id: string,
  status: Exclude<ConfigChangeStatus, 'pending'>,
  outcome: string | null,
): Promise<ConfigChangeRow | undefined> {
  const [row] = await db
    .update(configChanges)
    .set({ status, outcome, settledAt: sql`now()` })
    .where(and(eq(configChanges.id, id), eq(configChanges.status, 'pending')))
    .returning();
  return row;
}

/** The pending change, its row locked until the transaction ends. */
export async function pendingChangeForUpdate(db: WeftDb, id: string): Promise<ConfigChangeRow | undefined> {
  const [row] = await db
    .select()
    .from(configChanges)
    .where(and(eq(configChanges.id, id), eq(configChanges.status, 'pending')))
    .for('update');
  return row;
}
