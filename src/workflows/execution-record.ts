/**
 * The execution's row in Weft's own records (src/activities/executions.ts): written when it
 * starts, when its status escalates, and when it ends.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import type { ExecutionInput, NodeErrorInfo, TraceEntry } from './types';

// Writing the summary must outlive a database outage: unlimited attempts, capped backoff.
const bookkeeping = proxyActivities<WeftActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
});

/** Now, ISO: inside the workflow sandbox Date is the workflow clock, replayed identically. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Records that the execution (its first run, or a continued one) started. */
export function recordStarted(args: ExecutionInput, startedAt: string): Promise<void> {
  const info = workflowInfo();
  return bookkeeping.recordExecutionStarted({
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
  return bookkeeping.recordExecutionStatus({ executionId: workflowInfo().workflowId, status, details });
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
  return bookkeeping.recordExecutionFinished({
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
