/**
 * Execution summaries and their per-node runs. Written by the API (a pending row when a start is
 * requested) and by the worker's persistence activities (running, then finished). Every write is
 * an upsert that tolerates retries and arrives-out-of-order: a finished execution never moves
 * back to a live status.
 */
import { and, asc, eq, getTableColumns, gte, inArray, lt, isNotNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import {
  executions,
  nodeResults,
  TERMINAL_EXECUTION_STATUSES,
  type ConfigSnapshot,
  type Execution,
  type ExecutionStatus,
  type LiveExecutionStatus,
  type NewExecution,
  type NodeResult,
  type TerminalExecutionStatus,
} from '../schema';
import { keysetAfter, keysetOrderBy, type KeysetOrder, type Page, type PageRequest } from './page';

/** Rows per INSERT for node results: keeps well under PostgreSQL's 65535 bind parameters. */
const NODE_RESULT_CHUNK = 500;

const notFinished = notInArray(executions.status, [...TERMINAL_EXECUTION_STATUSES]);

/**
 * Inserts an execution unless one with the same id (or the same definition + idempotency key)
 * exists, and returns the row that is stored either way. A caller learns that it lost a race
 * (or repeated itself) when the returned row's id or status differs from what it inserted.
 *
 * @throws Error when the insert conflicted but the conflicting row vanished before it was read
 */
export async function insertExecution(db: WeftDb, row: NewExecution): Promise<Execution> {
  return (await insertExecutionIfAbsent(db, row)).execution;
}

/** {@link insertExecution}, saying whether this call created the row. */
export async function insertExecutionIfAbsent(db: WeftDb, row: NewExecution): Promise<{ execution: Execution; created: boolean }> {
  const [inserted] = await db.insert(executions).values(row).onConflictDoNothing().returning();
  if (inserted) return { execution: inserted, created: true };
  // The worker recorded the start first: what only the API knows (the secret keys, the configuration revision) joins its row.
  if (row.configSnapshot) await db.update(executions).set({ siteId: row.siteId, configSnapshot: row.configSnapshot }).where(eq(executions.id, row.id));
  const existing =
    (await getExecution(db, row.id)) ??
    (row.idempotencyKey !== null && row.idempotencyKey !== undefined
      ? await findExecutionByIdempotencyKey(db, row.definitionId, row.idempotencyKey)
      : undefined);
  if (!existing) throw new Error(`insertExecution: ${row.id} conflicted but no existing row was found`);
  return { execution: existing, created: false };
}

/** What the worker knows when an execution starts running. */
export interface MarkExecutionRunningInput {
  id: string;
  definitionId: string;
  version: string;
  input: unknown;
  startedAt: Date;
  /** The current run id (changes with continue-as-new). */
  temporalRunId: string;
  startedBy?: string | null;
  siteId?: string | null;
  configSnapshot?: ConfigSnapshot | null;
}

/**
 * Records that an execution runs: inserts it as `running`, or moves an existing live row to
 * `running` with the new run id. A finished row is left untouched, so a late or retried call
 * cannot resurrect it. The original `started_at`, `input` and `started_by` are kept.
 *
 * @returns the row as stored afterwards
 */
export async function markExecutionRunning(db: WeftDb, input: MarkExecutionRunningInput): Promise<Execution & { inserted: boolean }> {
  const [row] = await db
    .insert(executions)
    .values({
      id: input.id,
      definitionId: input.definitionId,
      version: input.version,
      status: 'running',
      input: input.input,
      startedAt: input.startedAt,
      temporalRunId: input.temporalRunId,
      startedBy: input.startedBy ?? null,
      siteId: input.siteId ?? null,
      configSnapshot: input.configSnapshot ?? null,
    })
    .onConflictDoUpdate({
      target: executions.id,
      set: {
        status: 'running',
        temporalRunId: sql`excluded.temporal_run_id`,
        // A run continued by a migration runs another version of the definition.
        version: sql`excluded.version`,
        input: sql`coalesce(${executions.input}, excluded.input)`,
        startedBy: sql`coalesce(${executions.startedBy}, excluded.started_by)`,
        siteId: sql`coalesce(${executions.siteId}, excluded.site_id)`,
        configSnapshot: sql`coalesce(${executions.configSnapshot}, excluded.config_snapshot)`,
      },
      setWhere: notFinished,
    })
    // xmax is 0 on a row version this statement inserted (not one it updated).
    .returning({ ...getTableColumns(executions), inserted: sql<boolean>`(xmax = 0)` });
  if (row) return row;
  return { ...(await mustGet(db, input.id)), inserted: false };
}

/** One node run as reported by the interpreter. */
export interface NodeResultInput {
  /** Order of the run within the execution (a node inside a loop runs several times). */
  seq: number;
  nodeId: string;
  nodeType: string;
  nodeName?: string | null;
  /** Runs of this node before this one (0 for the first). */
  iteration?: number;
  status: string;
  output?: unknown;
  error?: unknown;
  attempts: number;
  startedAt?: Date | null;
  completedAt?: Date | null;
}

/** The final summary of an execution. */
export interface FinishExecutionInput {
  id: string;
  /** Needed to create the row when the start was never recorded. */
  definitionId: string;
  /** Needed to create the row when the start was never recorded. */
  version: string;
  status: TerminalExecutionStatus;
  output?: unknown;
  error?: unknown;
  completedAt: Date;
  durationMs: number;
  nodeResults: NodeResultInput[];
  /** Used only when the row is created here. */
  input?: unknown;
  /** Used only when the row is created here; defaults to `completedAt - durationMs`. */
  startedAt?: Date;
  startedBy?: string | null;
  temporalRunId?: string | null;
}

/**
 * Stores the outcome of an execution and its node runs in one transaction. Idempotent: the node
 * rows are replaced as a set, so running it twice (an activity retry) leaves one set. Creates
 * the execution row when it does not exist.
 *
 * @returns the execution row as stored
 */
export async function finishExecution(db: WeftDb, input: FinishExecutionInput): Promise<Execution> {
  const durationMs = Math.max(0, Math.round(input.durationMs));
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(executions)
      .values({
        id: input.id,
        definitionId: input.definitionId,
        version: input.version,
        status: input.status,
        input: input.input ?? null,
        output: input.output ?? null,
        error: input.error ?? null,
        startedAt: input.startedAt ?? new Date(input.completedAt.getTime() - durationMs),
        completedAt: input.completedAt,
        durationMs,
        startedBy: input.startedBy ?? null,
        temporalRunId: input.temporalRunId ?? null,
      })
      .onConflictDoUpdate({
        target: executions.id,
        set: {
          status: input.status,
          output: sql`excluded.output`,
          error: sql`excluded.error`,
          completedAt: input.completedAt,
          durationMs,
          temporalRunId: sql`coalesce(excluded.temporal_run_id, ${executions.temporalRunId})`,
        },
      })
      .returning();
    if (!row) throw new Error(`finishExecution: upsert of ${input.id} returned no row`);
    // Replace rather than merge: a retry may report the same runs, and stale extra seqs from an
    // earlier attempt must not survive. What live events already announced of a run (its node
    // activity recorded it) stays announced, so the final entry does not announce it twice.
    const announced = new Map(
      (
        await tx
          .select({
            seq: nodeResults.seq,
            nodeId: nodeResults.nodeId,
            iteration: nodeResults.iteration,
            startedEventSeq: nodeResults.startedEventSeq,
            endedEventSeq: nodeResults.endedEventSeq,
          })
          .from(nodeResults)
          .where(and(eq(nodeResults.executionId, input.id), or(isNotNull(nodeResults.startedEventSeq), isNotNull(nodeResults.endedEventSeq))))
      ).map((r) => [`${r.seq}:${r.nodeId}:${r.iteration}`, r]),
    );
    await tx.delete(nodeResults).where(eq(nodeResults.executionId, input.id));
    for (let i = 0; i < input.nodeResults.length; i += NODE_RESULT_CHUNK) {
      const chunk = input.nodeResults.slice(i, i + NODE_RESULT_CHUNK);
      await tx.insert(nodeResults).values(
        chunk.map((n) => ({
          executionId: input.id,
          seq: n.seq,
          nodeId: n.nodeId,
          nodeType: n.nodeType,
          nodeName: n.nodeName ?? null,
          iteration: n.iteration ?? 0,
          status: n.status,
          output: n.output ?? null,
          error: n.error ?? null,
          attempts: n.attempts,
          startedAt: n.startedAt ?? null,
          completedAt: n.completedAt ?? null,
          startedEventSeq: announced.get(`${n.seq}:${n.nodeId}:${n.iteration ?? 0}`)?.startedEventSeq ?? null,
          endedEventSeq: announced.get(`${n.seq}:${n.nodeId}:${n.iteration ?? 0}`)?.endedEventSeq ?? null,
        })),
      );
    }
    return row;
  });
}

/** One execution, or undefined. */
export async function getExecution(db: WeftDb, id: string): Promise<Execution | undefined> {
  const [row] = await db.select().from(executions).where(eq(executions.id, id));
  return row;
}

/** Filter for {@link listExecutions}. */
export interface ListExecutionsQuery extends PageRequest {
  definitionId?: string;
  siteId?: string;
  /** One status or any of several. */
  status?: ExecutionStatus | ExecutionStatus[];
  /** Started at or after. */
  startedFrom?: Date;
  /** Started before. */
  startedBefore?: Date;
}

const EXECUTION_ORDER: KeysetOrder = { table: executions, at: executions.startedAt, id: executions.id, direction: 'desc' };

/** Executions matching the filter, most recently started first (keyset after `query.after`), with the total. */
export async function listExecutions(db: WeftDb, query: ListExecutionsQuery): Promise<Page<Execution>> {
  const conditions: SQL[] = [];
  if (query.definitionId !== undefined) conditions.push(eq(executions.definitionId, query.definitionId));
  if (query.siteId !== undefined) conditions.push(eq(executions.siteId, query.siteId));
  if (query.status !== undefined) {
    const statuses = Array.isArray(query.status) ? query.status : [query.status];
    conditions.push(inArray(executions.status, statuses));
  }
  if (query.startedFrom !== undefined) conditions.push(gte(executions.startedAt, query.startedFrom));
  if (query.startedBefore !== undefined) conditions.push(lt(executions.startedAt, query.startedBefore));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const [items, total] = await Promise.all([
    db
      .select()
      .from(executions)
      .where(and(where, keysetAfter(EXECUTION_ORDER, query.after)))
      .orderBy(...keysetOrderBy(EXECUTION_ORDER))
      .limit(query.limit)
      .offset(query.offset ?? 0),
    db.$count(executions, where),
  ]);
  return { items, total };
}

/** The node runs of an execution in the order they happened. */
export async function getNodeResults(db: WeftDb, executionId: string): Promise<NodeResult[]> {
  return db.select().from(nodeResults).where(eq(nodeResults.executionId, executionId)).orderBy(asc(nodeResults.seq));
}

/** The execution started for this definition with this `Idempotency-Key`, or undefined. */
export async function findExecutionByIdempotencyKey(db: WeftDb, definitionId: string, key: string): Promise<Execution | undefined> {
  const [row] = await db
    .select()
    .from(executions)
    .where(and(eq(executions.definitionId, definitionId), eq(executions.idempotencyKey, key)));
  return row;
}

/**
 * Moves a live execution to another live status (e.g. `running` → `waiting`). A finished
 * execution is not changed; finishing goes through {@link finishExecution}.
 *
 * @returns the row afterwards (unchanged when it was already finished), or undefined when missing
 */
export async function updateExecutionStatus(db: WeftDb, id: string, status: LiveExecutionStatus): Promise<Execution | undefined> {
  const [row] = await db
    .update(executions)
    .set({ status })
    .where(and(eq(executions.id, id), notFinished))
    .returning();
  return row ?? getExecution(db, id);
}

async function mustGet(db: WeftDb, id: string): Promise<Execution> {
  const row = await getExecution(db, id);
  if (!row) throw new Error(`execution ${id} vanished during an upsert`);
  return row;
}

/** Records that a running execution moved to another version of its definition (a migration). */
export async function setExecutionVersion(db: WeftDb, id: string, version: string): Promise<void> {
  await db.update(executions).set({ version }).where(eq(executions.id, id));
}
