/**
 * The execution's row in Weft's own records (src/activities/executions.ts): written when it
 * starts, when its status escalates, and when it ends.
 */
import { patched, proxyActivities, proxyLocalActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import { isWrongInstallation } from './installation-interceptors';
import type { ExecutionOperationRecord } from '../shared/execution-operations';
import type { ExecutionInput, NodeErrorInfo, TraceEntry } from './types';

/**
 * patched() id: executions recorded before it wrote their row with (remote) activities. A local
 * activity runs in the worker inside the workflow task that asked for it: one marker event in
 * place of an activity's three events plus the workflow task that took its result (bench/
 * interpreter-overhead.ts: 13 extra events per execution became 5, 2 of them the patch's own
 * marker and search attribute), and its input — the whole trace at the end — never enters the
 * history.
 */
export const LOCAL_BOOKKEEPING_PATCH = 'weft-local-bookkeeping';

// Writing the summary must outlive a database outage: unlimited attempts, capped backoff. Past
// the local retry threshold (a minute) the SDK waits on a durable timer between attempts.
const retry: RetryPolicy = { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 };
const remoteBookkeeping = proxyActivities<WeftActivities>({ startToCloseTimeout: '30s', retry });
const localBookkeeping = proxyLocalActivities<WeftActivities>({ startToCloseTimeout: '30s', retry });

type Bookkeeping = typeof remoteBookkeeping;
type BookkeepingWrite = 'recordExecutionStarted' | 'recordExecutionStatus' | 'recordExecutionFinished' | 'recordExecutionOperation';

/**
 * Writes through a local activity, or through an ordinary one when the history predates the patch
 * or when the worker running this workflow task belongs to another installation sharing the task
 * queue (it refuses the local activity at once: its database is not this execution's).
 */
async function write<K extends BookkeepingWrite>(name: K, record: Parameters<Bookkeeping[K]>[0]): Promise<void> {
  const send = (proxy: Bookkeeping) => (proxy[name] as (r: typeof record) => Promise<void>)(record);
  if (!patched(LOCAL_BOOKKEEPING_PATCH)) return send(remoteBookkeeping);
  try {
    return await send(localBookkeeping);
  } catch (err) {
    if (!isWrongInstallation(err)) throw err;
    return send(remoteBookkeeping);
  }
}

/** Now, ISO: inside the workflow sandbox Date is the workflow clock, replayed identically. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Records that the execution (its first run, or a continued one) started. */
export function recordStarted(args: ExecutionInput, startedAt: string): Promise<void> {
  const info = workflowInfo();
  return write('recordExecutionStarted', {
    executionId: info.workflowId,
    runId: info.runId,
    definitionId: args.definitionId,
    version: args.version,
    input: args.input ?? null,
    startedAt,
    startedBy: args.startedBy,
    ...(args.site ? { site: args.site, config: args.config ?? {} } : {}),
  });
}

/** Records an escalation (or its end) with its details. */
export function recordStatus(status: 'escalated' | 'running', details: Record<string, unknown>): Promise<void> {
  return write('recordExecutionStatus', { executionId: workflowInfo().workflowId, status, details });
}

/** Writes the audit record of an accepted operator action (controls.ts). */
export function recordOperation(rec: Omit<ExecutionOperationRecord, 'executionId'>): Promise<void> {
  return write('recordExecutionOperation', { executionId: workflowInfo().workflowId, ...rec });
}

/** Writes the execution's summary and per-node results when it ends. */
export function recordFinished(
  args: ExecutionInput,
  startedAt: string,
  trace: readonly TraceEntry[],
  status: 'completed' | 'failed' | 'cancelled',
  output: unknown,
  error: NodeErrorInfo | null,
): Promise<void> {
  return write('recordExecutionFinished', {
    executionId: workflowInfo().workflowId,
    definitionId: args.definitionId,
    version: args.version,
    status,
    output,
    error,
    startedAt,
    completedAt: nowIso(),
    nodeResults: trace.map((t) => ({
      seq: t.seq,
      nodeId: t.nodeId,
      nodeType: t.nodeType,
      nodeName: t.nodeName,
      iteration: t.iteration,
      status: t.status,
      output: t.output,
      error: t.error,
      attempts: t.attempts,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
    })),
  });
}
