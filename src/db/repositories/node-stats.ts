/**
 * Figures over the node-run records (`node_results`) of the executions in a scope, by SQL each
 * time: per-node durations and failures, errors by node and code, recent errors of one node.
 * A node run's duration is `completed_at - started_at` as the interpreter recorded them.
 */
import { sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import { scopeWhere, toNumbers, type ExecutionScope } from './execution-stats';

const DURATION_MS = sql`extract(epoch from (n.completed_at - n.started_at)) * 1000`;

/**
 * The node runs of the executions in scope: their ids first, as an array the primary key
 * `(execution_id, seq)` is probed with. (Written as a join, the planner may prefer scanning
 * every node run and hashing — ten million rows for a few thousand executions.) Finished
 * executions only: a running one's node runs are recorded as its activities run (live events)
 * and complete only when it ends.
 */
function inScope(scope: ExecutionScope) {
  return sql`n.execution_id = any(array(select e.id from executions e where ${scopeWhere(scope)} and e.completed_at is not null))`;
}

/** One node's runs in scope. */
export interface NodeFigures {
  nodeId: string;
  nodeType: string;
  nodeName: string | null;
  runs: number;
  completed: number;
  failed: number;
  /** Attempts beyond the first, summed over its runs (activity retries). */
  retries: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Per node of the executions in scope: runs, failures, retries and duration percentiles; most runs first. */
export async function nodeFigures(db: WeftDb, scope: ExecutionScope): Promise<NodeFigures[]> {
  const rows = await executeRows<{
    node_id: string;
    node_type: string;
    node_name: string | null;
    runs: number;
    completed: number;
    failed: number;
    retries: number;
    p: number[] | null;
  }>(
    db,
    sql`select n.node_id, n.node_type, max(n.node_name) as node_name,
          count(*)::int as runs,
          count(*) filter (where n.status = 'completed')::int as completed,
          count(*) filter (where n.status = 'failed')::int as failed,
          coalesce(sum(greatest(n.attempts - 1, 0)), 0)::int as retries,
          percentile_cont(array[0.5, 0.95, 0.99]::float8[]) within group (order by ${DURATION_MS}) as p
        from node_results n
        where ${inScope(scope)}
        group by n.node_id, n.node_type
        order by runs desc, n.node_id`,
  );
  return rows.map((r) => {
    const p = toNumbers(r.p);
    return {
      nodeId: r.node_id,
      nodeType: r.node_type,
      nodeName: r.node_name,
      runs: Number(r.runs),
      completed: Number(r.completed),
      failed: Number(r.failed),
      retries: Number(r.retries),
      p50Ms: p[0] ?? null,
      p95Ms: p[1] ?? null,
      p99Ms: p[2] ?? null,
    };
  });
}

/** Failed node runs of one node and error code. */
export interface ErrorGroup {
  nodeId: string;
  nodeType: string;
  code: string;
  count: number;
  /** Attempts beyond the first spent on these failures. */
  retries: number;
  /** Of these failures, how many belong to executions that still completed (a handler, fallback or continueOnError took over). */
  recovered: number;
  lastAt: Date | null;
}

/**
 * Failed node runs in scope grouped by node and error code (`error.code`, `UNKNOWN` when the
 * record has none), most frequent first.
 */
export async function errorGroups(db: WeftDb, scope: ExecutionScope): Promise<ErrorGroup[]> {
  const rows = await executeRows<{
    node_id: string;
    node_type: string;
    code: string;
    count: number;
    retries: number;
    recovered: number;
    last_at: string | Date | null;
  }>(
    db,
    sql`select n.node_id, n.node_type, coalesce(n.error->>'code', 'UNKNOWN') as code,
          count(*)::int as count,
          coalesce(sum(greatest(n.attempts - 1, 0)), 0)::int as retries,
          count(*) filter (where e.status = 'completed')::int as recovered,
          max(coalesce(n.completed_at, n.started_at)) as last_at
        from node_results n join executions e on e.id = n.execution_id
        where ${inScope(scope)} and n.status = 'failed'
        group by 1, 2, 3
        order by count desc, 1, 3`,
  );
  return rows.map((r) => ({
    nodeId: r.node_id,
    nodeType: r.node_type,
    code: r.code,
    count: Number(r.count),
    retries: Number(r.retries),
    recovered: Number(r.recovered),
    lastAt: r.last_at === null ? null : new Date(r.last_at),
  }));
}

/** Node runs in scope and the retries they spent, failed or not (the denominator of the error rate per run). */
export async function runTotals(db: WeftDb, scope: ExecutionScope): Promise<{ runs: number; retries: number; retriedRuns: number }> {
  const [row] = await executeRows<{ runs: number; retries: number; retried_runs: number }>(
    db,
    sql`select count(*)::int as runs, coalesce(sum(greatest(n.attempts - 1, 0)), 0)::int as retries,
          count(*) filter (where n.attempts > 1)::int as retried_runs
        from node_results n
        where ${inScope(scope)}`,
  );
  return { runs: Number(row?.runs ?? 0), retries: Number(row?.retries ?? 0), retriedRuns: Number(row?.retried_runs ?? 0) };
}

/** One failed run of a node, with the execution it belongs to. */
export interface NodeErrorRow {
  executionId: string;
  executionStatus: string;
  version: string;
  siteId: string | null;
  seq: number;
  iteration: number;
  attempts: number;
  error: unknown;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** The newest `limit` failed runs of `nodeId` in scope. */
export async function recentNodeErrors(db: WeftDb, scope: ExecutionScope, nodeId: string, limit: number): Promise<NodeErrorRow[]> {
  const rows = await executeRows<{
    execution_id: string;
    execution_status: string;
    version: string;
    site_id: string | null;
    seq: number;
    iteration: number;
    attempts: number;
    error: unknown;
    started_at: string | Date | null;
    completed_at: string | Date | null;
  }>(
    db,
    sql`select n.execution_id, e.status as execution_status, e.version, e.site_id, n.seq, n.iteration, n.attempts, n.error, n.started_at, n.completed_at
        from node_results n join executions e on e.id = n.execution_id
        where ${inScope(scope)} and n.node_id = ${nodeId} and n.status = 'failed'
        order by coalesce(n.completed_at, n.started_at) desc nulls last, n.execution_id, n.seq
        limit ${limit}`,
  );
  return rows.map((r) => ({
    executionId: r.execution_id,
    executionStatus: r.execution_status,
    version: r.version,
    siteId: r.site_id,
    seq: Number(r.seq),
    iteration: Number(r.iteration),
    attempts: Number(r.attempts),
    error: typeof r.error === 'string' ? (JSON.parse(r.error) as unknown) : r.error,
    startedAt: r.started_at === null ? null : new Date(r.started_at),
    completedAt: r.completed_at === null ? null : new Date(r.completed_at),
  }));
}
