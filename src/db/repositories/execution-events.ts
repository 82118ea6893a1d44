/**
 * The records live execution events are read from: the audit entries of executions and of
 * approval requests, in `seq` order. `seq` is gapless and follows commit order (the chain head's
 * row lock serialises appends until commit), so "the entries after seq n" never skips one that
 * commits later.
 */
import { sql, type SQL } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';

/** The channel the audit trigger NOTIFYs (drizzle/0016_execution_events.sql). */
export const EXECUTION_EVENTS_CHANNEL = 'weft_execution_events';

/** An audit entry of an execution or an approval request. */
export interface ExecutionAuditRow {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string;
  workflowId: string | null;
  /** The execution it concerns: the resource itself, or the execution of an approval request. */
  executionId: string | null;
  details: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Whose entries to read: one execution's, one workflow's, or all. */
export type EventScope = { executionId: string } | { workflowId: string } | Record<string, never>;

function scopeSql(scope: EventScope): SQL {
  if ('executionId' in scope) {
    return sql`((a.resource_type = 'execution' and a.resource_id = ${scope.executionId})
      or (a.resource_type = 'approval_request' and a.resource_id in (select r.id from approval_requests r where r.execution_id = ${scope.executionId})))`;
  }
  if ('workflowId' in scope) return sql`a.workflow_id = ${scope.workflowId} and a.resource_type in ('execution', 'approval_request')`;
  return sql`a.resource_type in ('execution', 'approval_request')`;
}

/** Up to `limit` entries of `scope` with `seq > afterSeq`, oldest first. */
export async function executionAuditAfter(db: WeftDb, scope: EventScope, afterSeq: number, limit: number): Promise<ExecutionAuditRow[]> {
  const rows = await executeRows<{
    seq: number | string;
    at: Date | string;
    actor: string;
    action: string;
    resource_type: string;
    resource_id: string;
    workflow_id: string | null;
    execution_id: string | null;
    details: unknown;
    after: unknown;
  }>(
    db,
    sql`select a.seq, a.at, a.actor, a.action, a.resource_type, a.resource_id, a.workflow_id,
          case when a.resource_type = 'execution' then a.resource_id
            else coalesce(a.details->>'executionId', (select r.execution_id from approval_requests r where r.id = a.resource_id)) end as execution_id,
          a.details, a.after
        from audit_log a
        where a.seq > ${afterSeq} and ${scopeSql(scope)}
        order by a.seq
        limit ${limit}`,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at),
    actor: r.actor,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    workflowId: r.workflow_id,
    executionId: r.execution_id,
    details: jsonOf(r.details),
    after: jsonOf(r.after),
  }));
}

/** The last `seq` of the audit chain (0 when empty): where a listener that wants only new entries starts. */
export async function lastAuditSeq(db: WeftDb): Promise<number> {
  const [row] = await executeRows<{ last_seq: number | string }>(db, sql`select last_seq from audit_chain_head where id = 1`);
  return Number(row?.last_seq ?? 0);
}

function jsonOf(v: unknown): Record<string, unknown> | null {
  const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
}
