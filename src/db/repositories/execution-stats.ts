/**
 * Figures over the execution records (`executions`), computed by SQL each time they are asked
 * for: nothing here keeps a second copy. Durations are the recorded `duration_ms` of finished
 * executions; percentiles are PostgreSQL's `percentile_cont` (linear interpolation).
 */
import { sql, type SQL } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../schema';
import { sqlList } from '../schema/columns';

/** Which executions a figure counts: those started from `from` on, of one workflow, version or site when given. */
export interface ExecutionScope {
  from: Date;
  definitionId?: string;
  version?: string;
  siteId?: string;
}

/** p50/p95/p99 in milliseconds; null when nothing finished. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Executions of one UTC day (by start), with its duration percentiles. */
export interface DayFigures {
  day: string;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Live statuses: an execution in one of them is an active instance. */
const ACTIVE = sqlList(['pending', 'running', 'waiting', 'suspended', 'escalated']);

/** The WHERE clause of `scope` over the `executions` table aliased `e`. */
export function scopeWhere(scope: ExecutionScope): SQL {
  return sql.join([sql`e.started_at >= ${scope.from.toISOString()}::timestamptz`, ...ownerParts(scope)], sql` and `);
}

/** What `scope` asks of an execution besides its window. */
function ownerParts(scope: ExecutionScope): SQL[] {
  const parts: SQL[] = [];
  if (scope.definitionId !== undefined) parts.push(sql`e.definition_id = ${scope.definitionId}`);
  if (scope.version !== undefined) parts.push(sql`e.version = ${scope.version}`);
  if (scope.siteId !== undefined) parts.push(sql`e.site_id = ${scope.siteId}`);
  return parts;
}

/**
 * The same scope without its window: for figures about now (active, escalated, pending
 * approvals). No `started_at` test at all (not even "since 1970"): with none, the overview's
 * active count is an index-only scan of `executions_status_idx`, where a test on `started_at`
 * made PostgreSQL visit the heap row of every active execution (EXPLAIN ANALYZE at 1,000,000
 * executions: 630 ms, 12,000 heap pages, for 20,000 active ones).
 */
function ownerWhere(scope: ExecutionScope): SQL {
  const parts = ownerParts(scope);
  return parts.length > 0 ? sql.join(parts, sql` and `) : sql`true`;
}

/** Executions in scope per status (statuses with none are absent). */
export async function countByStatus(db: WeftDb, scope: ExecutionScope): Promise<Partial<Record<ExecutionStatus, number>>> {
  const rows = await executeRows<{ status: ExecutionStatus; n: number }>(
    db,
    sql`select e.status, count(*)::int as n from executions e where ${scopeWhere(scope)} group by e.status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The window's figures from one scan: counts per status, duration percentiles and mean, and the same per day. */
export interface WindowFigures {
  byStatus: Record<ExecutionStatus, number>;
  durations: Percentiles & { averageCompletedMs: number | null };
  perDay: DayFigures[];
}

type StatusCounts = Record<ExecutionStatus, number | string>;

/**
 * Counts per status, percentiles of the recorded durations (set only once an execution
 * finished) and the mean of the completed ones, for the whole scope and per UTC day of start
 * (oldest first; days without executions are absent) — one scan, grouped by `grouping sets`.
 */
export async function windowFigures(db: WeftDb, scope: ExecutionScope): Promise<WindowFigures> {
  const counts = sql.join(
    EXECUTION_STATUSES.map((s) => sql`count(*) filter (where w.status = ${s})::int as ${sql.identifier(s)}`),
    sql`, `,
  );
  const rows = await executeRows<StatusCounts & { day: string | null; whole: number; p: unknown; avg_ms: number | null }>(
    db,
    // Grouped by the day as a timestamp (a cheap sort key), formatted once per group.
    sql`select to_char(w.day, 'YYYY-MM-DD') as day, grouping(w.day)::int as whole, ${counts},
          percentile_cont(array[0.5, 0.95, 0.99]::float8[]) within group (order by w.duration_ms) as p,
          avg(w.duration_ms) filter (where w.status = 'completed')::float8 as avg_ms
        from (select date_trunc('day', e.started_at at time zone 'UTC') as day, e.status, e.duration_ms
              from executions e where ${scopeWhere(scope)}) w
        group by grouping sets ((w.day), ())
        order by 2 desc, w.day`,
  );
  const statusesOf = (r: StatusCounts | undefined) =>
    Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, Number(r?.[s] ?? 0)])) as Record<ExecutionStatus, number>;
  const [whole, ...days] = rows;
  const p = toNumbers(whole?.p);
  return {
    byStatus: statusesOf(whole),
    durations: { p50: p[0] ?? null, p95: p[1] ?? null, p99: p[2] ?? null, averageCompletedMs: num(whole?.avg_ms) },
    perDay: days.map((r) => {
      const d = toNumbers(r.p);
      const n = statusesOf(r);
      return {
        day: r.day as string,
        started: EXECUTION_STATUSES.reduce((sum, s) => sum + n[s], 0),
        completed: n.completed,
        failed: n.failed,
        cancelled: n.cancelled,
        p50Ms: d[0] ?? null,
        p95Ms: d[1] ?? null,
      };
    }),
  };
}

/** The `limit` workflows with most executions in scope, with their outcomes. */
export async function busiestWorkflows(
  db: WeftDb,
  scope: ExecutionScope,
  limit: number,
): Promise<Array<{ workflowId: string; name: string | null; executions: number; completed: number; failed: number }>> {
  const rows = await executeRows<{ workflow_id: string; name: string | null; executions: number; completed: number; failed: number }>(
    db,
    sql`select b.workflow_id, d.name, b.executions, b.completed, b.failed
        from (select e.definition_id as workflow_id, count(*)::int as executions,
                count(*) filter (where e.status = 'completed')::int as completed,
                count(*) filter (where e.status = 'failed')::int as failed
              from executions e where ${scopeWhere(scope)}
              group by e.definition_id order by 2 desc, 1 limit ${limit}) b
        left join workflow_definitions d on d.id = b.workflow_id
        order by b.executions desc, b.workflow_id`,
  );
  return rows.map((r) => ({
    workflowId: r.workflow_id,
    name: r.name,
    executions: Number(r.executions),
    completed: Number(r.completed),
    failed: Number(r.failed),
  }));
}

/** The dashboard's figures about now, for the workflow/version/site of `scope` (its window counts only for SLA breaches). */
export interface NowFigures {
  activeInstances: number;
  escalatedInstances: number;
  completedToday: number;
  pendingApprovals: number;
  slaBreaches: number;
}

/**
 * Active and escalated instances, executions completed since `today` (UTC midnight), approval
 * requests pending, and approval requests of the window that were escalated or expired (the
 * SLA breaches the records keep: an SLA level's own breach timer is kept by the approval
 * workflow, not in a row). Approvals are scoped through their execution when a workflow is given.
 */
export async function nowFigures(db: WeftDb, scope: ExecutionScope, today: Date): Promise<NowFigures> {
  const owned = ownerWhere(scope);
  const scoped = scope.definitionId !== undefined || scope.siteId !== undefined || scope.version !== undefined;
  const approvalOwner = scoped ? sql`and a.execution_id in (select e.id from executions e where ${owned})` : sql``;
  const [row] = await executeRows<Record<keyof NowFigures, number>>(
    db,
    sql`select
          (select count(*) from executions e where ${owned} and e.status in (${ACTIVE}))::int as "activeInstances",
          (select count(*) from executions e where ${owned} and e.status = 'escalated')::int as "escalatedInstances",
          (select count(*) from executions e where ${owned} and e.status = 'completed' and e.completed_at >= ${today.toISOString()}::timestamptz)::int as "completedToday",
          (select count(*) from approval_requests a where a.status = 'pending' ${approvalOwner})::int as "pendingApprovals",
          (select count(*) from approval_requests a
            where a.requested_at >= ${scope.from.toISOString()}::timestamptz and (a.escalated_at is not null or a.status = 'expired') ${approvalOwner})::int as "slaBreaches"`,
  );
  return {
    activeInstances: Number(row?.activeInstances ?? 0),
    escalatedInstances: Number(row?.escalatedInstances ?? 0),
    completedToday: Number(row?.completedToday ?? 0),
    pendingApprovals: Number(row?.pendingApprovals ?? 0),
    slaBreaches: Number(row?.slaBreaches ?? 0),
  };
}

/** A float8[] as the driver gives it: an array (postgres.js, PGlite) or, defensively, its text form. */
export function toNumbers(v: unknown): Array<number | null> {
  if (Array.isArray(v)) return v.map(num);
  if (typeof v === 'string' && v.startsWith('{'))
    return v
      .slice(1, -1)
      .split(',')
      .map((s) => (s === 'NULL' ? null : Number(s)));
  return [];
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
