/**
 * What a schedule trigger's Temporal Schedule starts on each run. The interpreter needs the
 * version snapshot and the site's configuration as of the start (DESIGN.md: resolved once, in
 * the start path), so the schedule cannot start `interpretGraph` itself with arguments fixed at
 * its creation: they would go stale as versions are activated and configuration changes. This
 * small workflow asks an activity to start the execution through the API's own start path
 * (services/trigger-starts.ts), keyed by this run's id so a retried activity starts it once,
 * then waits for that execution to end: the schedule's overlap policy (skip, buffer, cancel)
 * then applies to the executions themselves, not just to this starter.
 */
import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import type { ScheduledFiringResult } from '../../shared/triggers';

// A refusal (no active version, an inactive site) fails at once; a database outage is retried.
const starts = proxyActivities<WeftActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
});

// Waiting is a long poll with heartbeats: a worker that dies mid-wait is noticed within a minute
// and the wait resumes elsewhere. Waiting for the cancellation lets `cancel_other` cancel the execution.
const waits = proxyActivities<WeftActivities>({
  startToCloseTimeout: '3650d',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** One run of a schedule trigger: start the execution, then wait until it ends. */
export async function scheduledTriggerStart(req: { triggerId: string }): Promise<ScheduledFiringResult> {
  const result = await starts.fireScheduledTrigger({ triggerId: req.triggerId, firingId: workflowInfo().workflowId, scheduledAt: new Date().toISOString() });
  if (result.executionId) await waits.awaitExecutionEnd(result.executionId);
  return result;
}
