/**
 * The execution's row in Weft's own records (src/activities/executions.ts): written when it
 * starts, when its status escalates, and when it ends.
 */
import { patched, proxyActivities, proxyLocalActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import type { ExecutionInput, NodeErrorInfo, TraceEntry } from './types';

/**
 * patched() id: executions recorded before it wrote their row with (remote) activities. A local
 * activity runs in the worker inside the workflow task that asked for it: one marker event in
 * place of an activity's three events plus the workflow task that took its result (bench/
 * interpreter-overhead.ts: 13 extra events per execution became 4), and its input — the whole
 * trace at the end — never enters the history.
 */
export const LOCAL_BOOKKEEPING_PATCH = 'weft-local-bookkeeping';

// Writing the summary must outlive a database outage: unlimited attempts, capped backoff. Past
// the local retry threshold (a minute) the SDK waits on a durable timer between attempts.
const retry: RetryPolicy = { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 };
const remoteBookkeeping = proxyActivities<WeftActivities>({ startToCloseTimeout: '30s', retry });
const localBookkeeping = proxyLocalActivities<WeftActivities>({ startToCloseTimeout: '30s', retry });

function bookkeeping() {
  return patched(LOCAL_BOOKKEEPING_PATCH) ? localBookkeeping : remoteBookkeeping;
}

/** Now, ISO: inside the workflow sandbox Date is the workflow clock, replayed identically. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Records that the execution (its first run, or a continued one) started. */
export function recordStarted(args: ExecutionInput, startedAt: string): Promise<void> {
  const info = workflowInfo();
  return bookkeeping().recordExecutionStarted({
    executionId: info.workflowId,
    runId: info.runId,
    definitionId: args.definitionId,
    version: args.version,
    input: args.input ?? null,
    startedAt,
    startedBy: args.startedBy,
  });
}

/** Records an escalation (or its end) with its details. */
export function recordStatus(status: 'escalated' | 'running', details: Record<string, unknown>): Promise<void> {
  return bookkeeping().recordExecutionStatus({ executionId: workflowInfo().workflowId, status, details });
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
  return bookkeeping().recordExecutionFinished({
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
