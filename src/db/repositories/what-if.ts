/** What-if runs, their sampled executions and what became of each (schema/what-if.ts). */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { WhatIfSample, WhatIfSummary } from '../../shared/what-if';
import type { WeftDb } from '../client';
import {
  executions,
  nodeResults,
  whatIfResults,
  whatIfRuns,
  workflowVersions,
  type Execution,
  type NodeResult,
  type WhatIfResultRow,
  type WhatIfRunRow,
} from '../schema';

/** The recorded executions a sample names, newest first: finished ones only (a running one has no outcome yet). */
export async function sampleExecutionIds(db: WeftDb, definitionId: string, sample: WhatIfSample): Promise<string[]> {
  const rows = await db
    .select({ id: executions.id })
    .from(executions)
    .where(
      and(
        eq(executions.definitionId, definitionId),
        inArray(executions.status, sample.status ? [sample.status] : ['completed', 'failed']),
        sample.fromVersion ? eq(executions.version, sample.fromVersion) : undefined,
        sample.site ? eq(executions.siteId, sample.site) : undefined,
        sample.since ? gte(executions.startedAt, new Date(sample.since)) : undefined,
        sample.until ? lt(executions.startedAt, new Date(sample.until)) : undefined,
      ),
    )
    .orderBy(desc(executions.startedAt), desc(executions.id))
    .limit(sample.limit);
  return rows.map((r) => r.id);
}

/** Stores a new run with one pending result row per sampled execution. */
export async function insertWhatIf(tx: WeftDb, run: typeof whatIfRuns.$inferInsert, executionIds: string[]): Promise<WhatIfRunRow> {
  const [row] = await tx.insert(whatIfRuns).values(run).returning();
  for (let i = 0; i < executionIds.length; i += 1000) {
    const slice = executionIds.slice(i, i + 1000);
    await tx.insert(whatIfResults).values(slice.map((executionId, k) => ({ whatIfId: run.id, ordinal: i + k, executionId })));
  }
  return row as WhatIfRunRow;
}

export async function getWhatIf(db: WeftDb, id: string): Promise<WhatIfRunRow | undefined> {
  const [row] = await db.select().from(whatIfRuns).where(eq(whatIfRuns.id, id));
  return row;
}

/** Result rows from `offset` on, in sample order. */
export async function whatIfResultsFrom(db: WeftDb, id: string, offset: number, limit: number): Promise<WhatIfResultRow[]> {
  return db
    .select()
    .from(whatIfResults)
    .where(and(eq(whatIfResults.whatIfId, id), gte(whatIfResults.ordinal, offset)))
    .orderBy(asc(whatIfResults.ordinal))
    .limit(limit);
}

/** The results already run (category set): what the summary counts. */
export async function finishedWhatIfResults(db: WeftDb, id: string): Promise<Array<Pick<WhatIfResultRow, 'category' | 'culprits'>>> {
  return db
    .select({ category: whatIfResults.category, culprits: whatIfResults.culprits })
    .from(whatIfResults)
    .where(and(eq(whatIfResults.whatIfId, id), isNotNull(whatIfResults.category)));
}

export async function getWhatIfResult(db: WeftDb, id: string, executionId: string): Promise<WhatIfResultRow | undefined> {
  const [row] = await db
    .select()
    .from(whatIfResults)
    .where(and(eq(whatIfResults.whatIfId, id), eq(whatIfResults.executionId, executionId)));
  return row;
}

/** Records what became of one execution; writing it again (a retried activity) writes the same row. */
export async function setWhatIfResult(
  db: WeftDb,
  id: string,
  ordinal: number,
  value: Pick<WhatIfResultRow, 'category' | 'culprits' | 'detail'>,
): Promise<void> {
  await db
    .update(whatIfResults)
    .set({ ...value, updatedAt: new Date() })
    .where(and(eq(whatIfResults.whatIfId, id), eq(whatIfResults.ordinal, ordinal)));
}

/** Ends a run (once: a retried activity finds it ended and changes nothing). */
export async function finishWhatIf(
  db: WeftDb,
  id: string,
  end: { status: 'completed' | 'failed'; summary: WhatIfSummary | null; error?: unknown },
): Promise<void> {
  await db
    .update(whatIfRuns)
    .set({ status: end.status, summary: end.summary, error: end.error ?? null, completedAt: new Date() })
    .where(and(eq(whatIfRuns.id, id), eq(whatIfRuns.status, 'running')));
}

/** The execution rows and their node runs, keyed by execution id. */
export async function recordedExecutions(db: WeftDb, ids: string[]): Promise<Map<string, { execution: Execution; nodes: NodeResult[] }>> {
  const out = new Map<string, { execution: Execution; nodes: NodeResult[] }>();
  if (ids.length === 0) return out;
  const rows = await db.select().from(executions).where(inArray(executions.id, ids));
  for (const execution of rows) out.set(execution.id, { execution, nodes: [] });
  const nodes = await db.select().from(nodeResults).where(inArray(nodeResults.executionId, ids)).orderBy(asc(nodeResults.executionId), asc(nodeResults.seq));
  for (const n of nodes) out.get(n.executionId)?.nodes.push(n);
  return out;
}

/** The graphs of the named versions of a definition. */
export async function versionGraphs(db: WeftDb, definitionId: string, versions: string[]): Promise<Record<string, unknown>> {
  if (versions.length === 0) return {};
  const rows = await db
    .select({ version: workflowVersions.version, graph: workflowVersions.graph })
    .from(workflowVersions)
    .where(and(eq(workflowVersions.definitionId, definitionId), inArray(workflowVersions.version, versions)));
  return Object.fromEntries(rows.map((r) => [r.version, r.graph]));
}

/** How many of a run's executions have been run. */
export async function whatIfProcessed(db: WeftDb, id: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(whatIfResults)
    .where(and(eq(whatIfResults.whatIfId, id), isNotNull(whatIfResults.category)));
  return row?.n ?? 0;
}

/** The latest what-if a rollout's gate created. */
export async function whatIfOfRollout(db: WeftDb, rolloutId: string): Promise<WhatIfRunRow | undefined> {
  const [row] = await db.select().from(whatIfRuns).where(eq(whatIfRuns.rolloutId, rolloutId)).orderBy(desc(whatIfRuns.createdAt)).limit(1);
  return row;
}

/** One line of a what-if's report: an execution's category and the parts of its detail a list shows. */
export interface WhatIfReportLine {
  executionId: string;
  category: WhatIfResultRow['category'];
  culprits: string[] | null;
  divergence: unknown;
  nowError: unknown;
  thenError: unknown;
  unanswered: string[] | null;
}

/** A page of a what-if's executions in sample order (optionally of one category), with how many there are. */
export async function whatIfReportPage(
  db: WeftDb,
  id: string,
  page: { category?: NonNullable<WhatIfResultRow['category']>; limit: number; offset: number },
): Promise<{ total: number; lines: WhatIfReportLine[] }> {
  const where = and(eq(whatIfResults.whatIfId, id), page.category ? eq(whatIfResults.category, page.category) : undefined);
  const detail = whatIfResults.detail;
  const lines = await db
    .select({
      executionId: whatIfResults.executionId,
      category: whatIfResults.category,
      culprits: whatIfResults.culprits,
      divergence: sql<unknown>`${detail}->'divergence'`,
      nowError: sql<unknown>`${detail}->'now'->'error'`,
      thenError: sql<unknown>`${detail}->'then'->'error'`,
      unanswered: sql<string[] | null>`${detail}->'now'->'unanswered'`,
    })
    .from(whatIfResults)
    .where(where)
    .orderBy(asc(whatIfResults.ordinal))
    .limit(page.limit)
    .offset(page.offset);
  const [count] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(whatIfResults)
    .where(where);
  return { total: count?.n ?? 0, lines };
}
