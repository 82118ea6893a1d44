/**
 * Live execution events as Server-Sent Events carry them, derived from the records: one audit
 * entry of an execution or an approval request gives one event, with two exceptions for node
 * runs. A side-effecting node's activity records its run as it starts and as it succeeds,
 * together with the control-node runs traced since the previous activity (the interpreter runs
 * those at no cost in history, so they wait for the next activity): each such write is one
 * `execution.progress` entry, which gives the `node.*` events it lists and nothing else. An
 * execution's final entry, written in the same transaction as all its node runs, gives first
 * the `node.started` and `node.completed`/`node.failed` events no progress entry announced (runs
 * after the last activity, ends of failed activities, every run of an execution without
 * activities), each with the times the interpreter recorded.
 */
import type { ExecutionAuditRow } from '../db/repositories/execution-events';
import { PROGRESS_ACTION, type AnnouncedNodeEvent } from '../db/repositories/node-progress';
import type { NodeResult } from '../db/schema';

/** Where an event stands in the stream: the audit entry's `seq`, then its position among that entry's events. */
export interface EventPosition {
  seq: number;
  k: number;
}

/** One event of the stream. */
export interface LiveEvent extends EventPosition {
  /** `<seq>-<k>`: what `Last-Event-ID` gives back. */
  id: string;
  /** The SSE event name: `execution.started`, `node.completed`, `approval.approve`, … */
  event: string;
  data: Record<string, unknown>;
  /** The execution's last event: nothing follows it. */
  final: boolean;
}

const FINAL_ACTIONS = new Set(['execution.completed', 'execution.failed', 'execution.cancelled']);

/** True for the entry that closes an execution (its node runs come with it). */
export function isFinalEntry(row: Pick<ExecutionAuditRow, 'resourceType' | 'action'>): boolean {
  return row.resourceType === 'execution' && FINAL_ACTIONS.has(row.action);
}

/** `12-0`, or a bare `12` (all of entry 12 seen); undefined for anything else. */
export function parseEventId(raw: string): EventPosition | undefined {
  const m = /^(\d{1,15})(?:-(\d{1,6}))?$/.exec(raw.trim());
  if (!m) return undefined;
  return { seq: Number(m[1]), k: m[2] === undefined ? Number.MAX_SAFE_INTEGER : Number(m[2]) };
}

/** True when `a` comes after `b` in the stream. */
export function isAfter(a: EventPosition, b: EventPosition): boolean {
  return a.seq > b.seq || (a.seq === b.seq && a.k > b.k);
}

/** The events of one audit entry; `nodes` are the execution's node runs, for its final entry. */
export function eventsOfEntry(row: ExecutionAuditRow, nodes: readonly NodeResult[] = []): LiveEvent[] {
  const events: LiveEvent[] = [];
  const push = (event: string, data: Record<string, unknown>, final = false) => {
    const k = events.length;
    events.push({ seq: row.seq, k, id: `${row.seq}-${k}`, event, data: { executionId: row.executionId, workflowId: row.workflowId, ...data }, final });
  };
  const details = row.details ?? {};
  if (row.resourceType === 'approval_request') {
    push(row.action, { requestId: row.resourceId, nodeId: details.nodeId ?? null, actor: row.actor, at: row.at.toISOString(), details });
    return events;
  }
  if (row.resourceType === 'execution' && row.action === PROGRESS_ACTION) {
    const announced = Array.isArray(details.nodes) ? (details.nodes as AnnouncedNodeEvent[]) : [];
    for (const { event, ...data } of announced) push(event, data);
    return events;
  }
  const final = isFinalEntry(row);
  if (final) {
    for (const n of nodes) {
      const node = { nodeSeq: n.seq, nodeId: n.nodeId, nodeType: n.nodeType, nodeName: n.nodeName, iteration: n.iteration };
      // What a progress entry announced while the execution ran is not announced again.
      if (n.startedAt && (n.startedEventSeq ?? null) === null) push('node.started', { ...node, at: n.startedAt.toISOString() });
      if (n.status !== 'running' && (n.endedEventSeq ?? null) === null) {
        push(`node.${n.status}`, {
          ...node,
          at: (n.completedAt ?? n.startedAt)?.toISOString() ?? null,
          durationMs: n.startedAt && n.completedAt ? n.completedAt.getTime() - n.startedAt.getTime() : null,
          attempts: n.attempts,
          ...(n.error ? { error: n.error } : {}),
        });
      }
    }
  }
  const after = row.after ?? {};
  push(
    row.action,
    {
      status: typeof after.status === 'string' ? after.status : null,
      actor: row.actor,
      at: row.at.toISOString(),
      ...(after.error ? { error: after.error } : {}),
      details,
    },
    final,
  );
  return events;
}
