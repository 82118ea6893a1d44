/**
 * How an execution reads: from its database row once recorded, and from Temporal (the `status`
 * query, or the search attributes when no worker answers) while it runs.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { Execution as ExecutionRow, NodeResult } from '../db/schema';
import { statusQuery } from '../workflows/messages';
import { definitionIdKey, statusKey, versionKey } from '../workflows/search-attributes';
import type { ExecutionStatus, NodeErrorInfo } from '../workflows/types';

/** An execution as the API shows it. */
export interface InstanceView {
  id: string;
  workflowId: string;
  version: string;
  /** The site it runs at, when started at one. */
  site: string | null;
  status: ExecutionStatus;
  input: unknown;
  output: unknown;
  error: NodeErrorInfo | null;
  currentNodeId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

const TEMPORAL_TO_WEFT: Partial<Record<WorkflowExecutionStatusName, ExecutionStatus>> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'cancelled',
  TIMED_OUT: 'failed',
  CONTINUED_AS_NEW: 'running',
};

/** What Temporal says of a running (or just finished) execution. */
export interface LiveStatus {
  status: ExecutionStatus;
  currentNodeId: string | null;
  error: NodeErrorInfo | null;
  definitionId?: string;
  version?: string;
}

export function instanceFromRow(row: ExecutionRow, currentNodeId: string | null): InstanceView {
  return {
    id: row.id,
    workflowId: row.definitionId,
    version: row.version,
    site: row.siteId ?? null,
    status: row.status as ExecutionStatus,
    input: row.input ?? null,
    output: row.output ?? null,
    error: (row.error as NodeErrorInfo | null) ?? null,
    currentNodeId,
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    durationMs: row.durationMs ?? null,
  };
}

/** An execution started outside the API (another service, the temporal CLI): Temporal is all we know. */
export function unrecordedInstance(id: string, live: LiveStatus | undefined): InstanceView {
  return {
    id,
    workflowId: live?.definitionId ?? '',
    version: live?.version ?? '',
    site: null,
    status: live?.status ?? 'running',
    input: null,
    output: null,
    error: live?.error ?? null,
    currentNodeId: live?.currentNodeId ?? null,
    startedAt: null,
    completedAt: null,
    durationMs: null,
  };
}

/** A stored node result as the history shows it. */
export function traceEntryFromRow(r: NodeResult): Record<string, unknown> {
  return {
    seq: r.seq,
    nodeId: r.nodeId,
    nodeType: r.nodeType,
    nodeName: r.nodeName ?? undefined,
    iteration: r.iteration,
    status: r.status,
    output: r.output,
    error: r.error ?? undefined,
    attempts: r.attempts,
    startedAt: r.startedAt?.toISOString(),
    endedAt: r.completedAt?.toISOString(),
  };
}

/** Status from the running workflow (query), or from Temporal's record when no worker answers. */
export async function liveStatus(temporal: Client, id: string, queryDeadlineMs: number): Promise<LiveStatus | undefined> {
  const handle = temporal.workflow.getHandle(id);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const definitionId = description.typedSearchAttributes.get(definitionIdKey);
  const version = description.typedSearchAttributes.get(versionKey);
  const temporalStatus = TEMPORAL_TO_WEFT[description.status.name] ?? 'running';
  if (description.status.name !== 'RUNNING') return { status: temporalStatus, currentNodeId: null, error: null, definitionId, version };
  try {
    // A query waits for a worker; a bounded wait keeps GET fast while no worker runs.
    const s = await temporal.withDeadline(Date.now() + queryDeadlineMs, () => handle.query(statusQuery));
    return { status: s.status, currentNodeId: s.currentNodeId, error: s.error, definitionId, version };
  } catch {
    // No worker to answer (yet): Temporal knows it runs; the search attribute knows more.
    const status = (description.typedSearchAttributes.get(statusKey) as ExecutionStatus | undefined) ?? 'pending';
    return { status, currentNodeId: null, error: null, definitionId, version };
  }
}
