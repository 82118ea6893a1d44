/** Analysis runs of rollouts and the execution samples they judge. */
import { and, eq, gte, inArray, lt, ne } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { executions, rolloutAnalyses, type RolloutAnalysisRow } from '../schema';

/** Finished executions one analysis side reads at most (the earliest in the window): a bounded query on any traffic. */
export const MAX_SAMPLE = 20_000;

/** Which executions one side of an analysis measures. */
export interface SampleQuery {
  definitionId: string;
  siteIds: string[];
  /** The version; with `otherThan` every version but this one. */
  version: string;
  otherThan?: boolean;
  from: Date;
  to: Date;
}

/** Status and duration of the finished (completed or failed) executions started in [from, to) at the sites. */
export async function finishedExecutions(db: WeftDb, q: SampleQuery): Promise<Array<{ status: string; durationMs: number | null }>> {
  if (q.siteIds.length === 0) return [];
  return db
    .select({ status: executions.status, durationMs: executions.durationMs })
    .from(executions)
    .where(
      and(
        eq(executions.definitionId, q.definitionId),
        inArray(executions.siteId, q.siteIds),
        q.otherThan ? ne(executions.version, q.version) : eq(executions.version, q.version),
        gte(executions.startedAt, q.from),
        lt(executions.startedAt, q.to),
        inArray(executions.status, ['completed', 'failed']),
      ),
    )
    .orderBy(executions.startedAt)
    .limit(MAX_SAMPLE);
}

/** Stores an analysis unless one with its id exists; answers the stored row and whether this call wrote it. */
export async function insertAnalysisIfAbsent(db: WeftDb, row: typeof rolloutAnalyses.$inferInsert): Promise<{ row: RolloutAnalysisRow; created: boolean }> {
  const [inserted] = await db.insert(rolloutAnalyses).values(row).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, created: true };
  const existing = await getAnalysis(db, row.id);
  if (!existing) throw new Error(`insertAnalysisIfAbsent: ${row.id} conflicted but no row was found`);
  return { row: existing, created: false };
}

export async function getAnalysis(db: WeftDb, id: string): Promise<RolloutAnalysisRow | undefined> {
  const [row] = await db.select().from(rolloutAnalyses).where(eq(rolloutAnalyses.id, id));
  return row;
}
