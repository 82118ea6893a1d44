/** Recovery points, site versions, rollback plans and their executions. */
import { and, avg, count, desc, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { WeftDb } from '../client';
import {
  recoveryPoints,
  rollbackExecutions,
  rollbackPlans,
  siteVersions,
  type RecoveryPointRow,
  type RollbackExecutionRow,
  type RollbackPlanRow,
  type RollbackStep,
} from '../schema';

export async function insertRecoveryPoint(db: WeftDb, row: typeof recoveryPoints.$inferInsert): Promise<RecoveryPointRow> {
  const [inserted] = await db.insert(recoveryPoints).values(row).returning();
  if (!inserted) throw new Error('insertRecoveryPoint: insert returned no row');
  return inserted;
}

export async function getRecoveryPoint(db: WeftDb, id: string): Promise<RecoveryPointRow | undefined> {
  const [row] = await db.select().from(recoveryPoints).where(eq(recoveryPoints.id, id));
  return row;
}

export async function listRecoveryPoints(db: WeftDb, rolloutId: string, limit: number): Promise<RecoveryPointRow[]> {
  return db.select().from(recoveryPoints).where(eq(recoveryPoints.rolloutId, rolloutId)).orderBy(desc(recoveryPoints.createdAt)).limit(limit);
}

/** The version each of `siteIds` runs of the definition (sites without a row are absent). */
export async function siteVersionsOf(db: WeftDb, definitionId: string, siteIds: string[]): Promise<Record<string, string>> {
  if (siteIds.length === 0) return {};
  const rows = await db
    .select({ siteId: siteVersions.siteId, version: siteVersions.version })
    .from(siteVersions)
    .where(and(eq(siteVersions.definitionId, definitionId), inArray(siteVersions.siteId, siteIds)));
  return Object.fromEntries(rows.map((r) => [r.siteId, r.version]));
}

/** Points the site at `version`; answers the version it ran before (null when it had no row). Locks the row until the transaction ends. */
export async function setSiteVersion(tx: WeftDb, definitionId: string, siteId: string, version: string): Promise<string | null> {
  const [before] = await tx
    .select({ version: siteVersions.version })
    .from(siteVersions)
    .where(and(eq(siteVersions.definitionId, definitionId), eq(siteVersions.siteId, siteId)))
    .for('update');
  await tx
    .insert(siteVersions)
    .values({ definitionId, siteId, version })
    .onConflictDoUpdate({ target: [siteVersions.definitionId, siteVersions.siteId], set: { version, updatedAt: new Date() } });
  return before?.version ?? null;
}

export async function insertPlan(db: WeftDb, row: typeof rollbackPlans.$inferInsert): Promise<RollbackPlanRow> {
  const [inserted] = await db.insert(rollbackPlans).values(row).returning();
  if (!inserted) throw new Error('insertPlan: insert returned no row');
  return inserted;
}

export async function getPlan(db: WeftDb, id: string, opts: { forUpdate?: boolean } = {}): Promise<RollbackPlanRow | undefined> {
  const query = db.select().from(rollbackPlans).where(eq(rollbackPlans.id, id));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function unfinishedExecutionOf(db: WeftDb, planId: string): Promise<RollbackExecutionRow | undefined> {
  const [row] = await db
    .select()
    .from(rollbackExecutions)
    .where(and(eq(rollbackExecutions.planId, planId), inArray(rollbackExecutions.status, ['pending', 'in_progress'])))
    .limit(1);
  return row;
}

export async function insertRollbackExecution(db: WeftDb, row: typeof rollbackExecutions.$inferInsert): Promise<RollbackExecutionRow> {
  const [inserted] = await db.insert(rollbackExecutions).values(row).returning();
  if (!inserted) throw new Error('insertRollbackExecution: insert returned no row');
  return inserted;
}

export async function getRollbackExecution(db: WeftDb, id: string): Promise<RollbackExecutionRow | undefined> {
  const [row] = await db.select().from(rollbackExecutions).where(eq(rollbackExecutions.id, id));
  return row;
}

/** Writes the progress unless a newer revision is stored; the row as written, or undefined when it was older (or the row is absent). */
export async function saveRollbackProgress(
  db: WeftDb,
  id: string,
  progress: Pick<RollbackExecutionRow, 'status' | 'steps' | 'sites' | 'revision'> & { completedAt: Date | null },
): Promise<RollbackExecutionRow | undefined> {
  const [row] = await db
    .update(rollbackExecutions)
    .set({
      status: progress.status,
      steps: progress.steps,
      sites: progress.sites,
      revision: progress.revision,
      completedAt: progress.completedAt,
      durationMs: progress.completedAt
        ? sql`(extract(epoch from (${progress.completedAt.toISOString()}::timestamptz - ${rollbackExecutions.startedAt})) * 1000)::bigint`
        : null,
    })
    .where(and(eq(rollbackExecutions.id, id), lt(rollbackExecutions.revision, progress.revision)))
    .returning();
  return row;
}

/** The latest finished rollback executions with their plans' steps, newest first: what estimates are measured on. */
export async function recentFinishedRollbacks(
  db: WeftDb,
  limit: number,
): Promise<Array<{ planSteps: RollbackStep[]; steps: RollbackExecutionRow['steps']; sites: RollbackExecutionRow['sites'] }>> {
  return db
    .select({ planSteps: rollbackPlans.steps, steps: rollbackExecutions.steps, sites: rollbackExecutions.sites })
    .from(rollbackExecutions)
    .innerJoin(rollbackPlans, eq(rollbackPlans.id, rollbackExecutions.planId))
    .where(isNotNull(rollbackExecutions.completedAt))
    .orderBy(desc(rollbackExecutions.completedAt))
    .limit(limit);
}

/** Recovery points and rollback executions by outcome, and the mean duration of finished ones. */
export async function recoveryTotals(db: WeftDb) {
  const [points] = await db.select({ n: count() }).from(recoveryPoints);
  const byStatus = await db.select({ status: rollbackExecutions.status, n: count() }).from(rollbackExecutions).groupBy(rollbackExecutions.status);
  const [finished] = await db
    .select({ avgMs: avg(rollbackExecutions.durationMs) })
    .from(rollbackExecutions)
    .where(sql`${rollbackExecutions.durationMs} is not null`);
  return {
    recoveryPoints: Number(points?.n ?? 0),
    byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
    averageDurationMs: finished?.avgMs === null || finished?.avgMs === undefined ? null : Number(finished.avgMs),
  };
}
