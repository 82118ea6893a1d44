/**
 * The promotion history: every status change of every version, append-only. Rows are written in
 * the transaction that changes the status (domain/version-lifecycle.ts).
 */
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { approvalRequests, executions, versionTransitions, type VersionStatus, type VersionTransition } from '../schema';
import { keysetAfter, keysetOrderBy, type KeysetOrder, type Page, type PageRequest } from './page';

/** One status change to record. */
export interface NewTransition {
  definitionId: string;
  version: string;
  fromStatus: VersionStatus | null;
  toStatus: VersionStatus;
  actor: string;
  reason: string | null;
  approvalRequestId?: string | null;
  at: Date;
}

export async function insertTransitions(db: WeftDb, rows: NewTransition[]): Promise<VersionTransition[]> {
  if (rows.length === 0) return [];
  return db.insert(versionTransitions).values(rows).returning();
}

const TRANSITION_ORDER: KeysetOrder = { table: versionTransitions, id: versionTransitions.id, direction: 'asc' };

/** A definition's transitions in the order they happened (keyset after `q.after`), optionally of one version. */
export async function listTransitions(db: WeftDb, definitionId: string, q: PageRequest & { version?: string }): Promise<Page<VersionTransition>> {
  const where = and(eq(versionTransitions.definitionId, definitionId), q.version ? eq(versionTransitions.version, q.version) : undefined);
  const items = await db
    .select()
    .from(versionTransitions)
    .where(and(where, keysetAfter(TRANSITION_ORDER, q.after)))
    .orderBy(...keysetOrderBy(TRANSITION_ORDER))
    .limit(q.limit)
    .offset(q.offset ?? 0);
  const [total] = await db.select({ n: count() }).from(versionTransitions).where(where);
  return { items, total: Number(total?.n ?? 0) };
}

/** The transition an approval request made, if it made one. */
export async function transitionByApproval(db: WeftDb, approvalRequestId: string): Promise<VersionTransition | undefined> {
  const [row] = await db.select().from(versionTransitions).where(eq(versionTransitions.approvalRequestId, approvalRequestId));
  return row;
}

/** What a version's executions say about it, computed from `executions` on every read. */
export interface VersionRunStats {
  version: string;
  executions: number;
  completed: number;
  failed: number;
  averageDurationMs: number | null;
}

/** Execution counts per version of a definition (versions without executions are absent). */
export async function versionRunStats(db: WeftDb, definitionId: string, version?: string): Promise<VersionRunStats[]> {
  const rows = await db
    .select({
      version: executions.version,
      executions: count(),
      completed: sql<number>`count(*) filter (where ${executions.status} = 'completed')`,
      failed: sql<number>`count(*) filter (where ${executions.status} = 'failed')`,
      averageDurationMs: sql<number | null>`avg(${executions.durationMs}) filter (where ${executions.status} in ('completed', 'failed'))`,
    })
    .from(executions)
    .where(and(eq(executions.definitionId, definitionId), version ? eq(executions.version, version) : undefined))
    .groupBy(executions.version);
  // Aggregates come back as strings from the postgres driver, numbers from PGlite.
  return rows.map((r) => ({
    version: r.version,
    executions: Number(r.executions),
    completed: Number(r.completed),
    failed: Number(r.failed),
    averageDurationMs: r.averageDurationMs === null ? null : Math.round(Number(r.averageDurationMs)),
  }));
}

/** The request type whose approval activates a version (its data: `{ definitionId, version, reason }`). */
export const VERSION_ACTIVATION = 'version_activation';

/** The id of an undecided activation request for this version, if one is open. */
export async function openActivationRequest(db: WeftDb, definitionId: string, version: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: approvalRequests.id })
    .from(approvalRequests)
    .where(
      and(
        eq(approvalRequests.type, VERSION_ACTIVATION),
        inArray(approvalRequests.status, ['pending', 'changes_requested']),
        sql`${approvalRequests.data}->>'definitionId' = ${definitionId}`,
        sql`${approvalRequests.data}->>'version' = ${version}`,
      ),
    )
    .limit(1);
  return row?.id;
}
