/**
 * An execution of a workflow with limits (settings.maxConcurrentExecutions, maxStartsPerMinute)
 * waits, `queued`, for a slot before its first node and frees it when it ends (the queue and the
 * grants: domain/admission.ts, in PostgreSQL).
 */
import { ActivityCancellationType, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import type { ExecutionInput, ExecutionStatus } from './types';

/** patched() id: executions started before per-workflow limits existed never wait for a slot. */
export const ADMISSION_PATCH = 'weft-admission';

// Waiting is one long activity that heartbeats, not a loop of timers: the history stays small however long the queue.
const slots = proxyActivities<WeftActivities>({
  startToCloseTimeout: '3650d',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

// Freeing a slot must outlive a database outage: unlimited attempts, capped backoff.
const release = proxyActivities<WeftActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s' } });

/**
 * Whether this run takes part in admission: the execution carries limits, is not a LOOP batch
 * child, and its history is not older than the feature. Call once, at the start of the run.
 */
export function holdsAdmission(args: ExecutionInput): boolean {
  return args.admission !== undefined && !args.loopBatch && patched(ADMISSION_PATCH);
}

/** Waits, `queued`, for the execution's slot; a continued run holds its first run's slot already. */
export async function waitForSlot(args: ExecutionInput, setStatus: (status: ExecutionStatus) => void): Promise<void> {
  if (args.continued || !args.admission) return;
  setStatus('queued');
  await slots.acquireExecutionSlot({ definitionId: args.definitionId, executionId: workflowInfo().workflowId, limits: args.admission });
  setStatus('running');
}

/** Frees the slot (or the place in the queue) when the execution ends. */
export function releaseSlot(): Promise<void> {
  return release.releaseExecutionSlot({ executionId: workflowInfo().workflowId });
}
