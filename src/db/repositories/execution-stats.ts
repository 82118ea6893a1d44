/**
 * Figures over the execution records (`executions`), computed by SQL each time they are asked
 * for: nothing here keeps a second copy. Durations are the recorded `duration_ms` of finished
 * executions; percentiles are PostgreSQL's `percentile_cont` (linear interpolation).
 */
import { sql, type SQL } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import { TERMINAL_EXECUTION_STATUSES, type ExecutionStatus } from '../schema';
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
const TERMINAL = sqlList(TERMINAL_EXECUTION_STATUSES);

/** The WHERE clause of `scope` over the `executions` table aliased `e`. */
export function scopeWhere(scope: ExecutionScope): SQL {
  const parts: SQL[] = [sql`e.started_at >= ${scope.from.toISOString()}::timestamptz`];
  if (scope.definitionId !== undefined) parts.push(sql`e.definition_id = ${scope.definitionId}`);
  if (scope.version !== undefined) parts.push(sql`e.version = ${scope.version}`);
  if (scope.siteId !== undefined) parts.push(sql`e.site_id = ${scope.siteId}`);
  return sql.join(parts, sql` and `);
}

/** The same scope without its window: for figures about now (active, escalated, pending approvals). */
function ownerWhere(scope: ExecutionScope): SQL {
  return scopeWhere({ ...scope, from: new Date(0) });
}

/** Executions in scope per status (statuses with none are absent). */
export async function countByStatus(db: WeftDb, scope: ExecutionScope): Promise<Partial<Record<ExecutionStatus, number>>> {
  const rows = await executeRows<{ status: ExecutionStatus; n: number }>(
    db,
    sql`select e.status, count(*)::int as n from executions e where ${scopeWhere(scope)} group by e.status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Duration percentiles of the finished executions in scope, and the mean of the completed ones. */
export async function durationFigures(db: WeftDb, scope: ExecutionScope): Promise<Percentiles & { averageCompletedMs: number | null }> {
  const [row] = await executeRows<{ p: number[] | null; avg_ms: number | null }>(
    db,
    sql`select percentile_cont(array[0.5, 0.95, 0.99]::float8[]) within group (order by e.duration_ms) as p,
          avg(e.duration_ms) filter (where e.status = 'completed')::float8 as avg_ms
        from executions e
        where ${scopeWhere(scope)} and e.status in (${TERMINAL}) and e.duration_ms is not null`,
  );
  const p = toNumbers(row?.p);
  return { p50: p[0] ?? null, p95: p[1] ?? null, p99: p[2] ?? null, averageCompletedMs: num(row?.avg_ms) };
}

/** Per UTC day of start, oldest first; days without executions are absent. */
export async function perDay(db: WeftDb, scope: ExecutionScope): Promise<DayFigures[]> {
  const rows = await executeRows<{ day: string; started: number; completed: number; failed: number; cancelled: number; p: number[] | null }>(
    db,
    sql`select to_char(e.started_at at time zone 'UTC', 'YYYY-MM-DD') as day,
          count(*)::int as started,
          count(*) filter (where e.status = 'completed')::int as completed,
          count(*) filter (where e.status = 'failed')::int as failed,
          count(*) filter (where e.status = 'cancelled')::int as cancelled,
          percentile_cont(array[0.5, 0.95]::float8[]) within group (order by e.duration_ms) as p
        from executions e
        where ${scopeWhere(scope)}
        group by 1 order by 1`,
  );
  return rows.map((r) => {
    const p = toNumbers(r.p);
    return {
      day: r.day,
      started: Number(r.started),
      completed: Number(r.completed),
      failed: Number(r.failed),
      cancelled: Number(r.cancelled),
      p50Ms: p[0] ?? null,
      p95Ms: p[1] ?? null,
    };
  });
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
