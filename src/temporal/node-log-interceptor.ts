import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * The node an activity runs for, from its activity id: the interpreter schedules a node's
 * activity as `<nodeId>:<iteration>` (workflows/retry.ts), with `:<attempt>` or `~<refusals>`
 * after it on some paths. Node ids cannot contain `:` (graph/schema.ts); the bookkeeping
 * activities keep the SDK's numeric ids, which have none.
 */
export function nodeIdOfActivityId(activityId: string): string | undefined {
  const colon = activityId.indexOf(':');
  return colon > 0 ? activityId.slice(0, colon) : undefined;
}

/**
 * Adds `nodeId` to every log line of a node's activity: the SDK's own ("Activity started",
 * "Activity completed") and the activity's `Context.current().log`, which already carry
 * workflowId, workflowRunId and activityType.
 */
export const nodeLogInterceptor: ActivityInterceptorsFactory = (ctx) => {
  const nodeId = nodeIdOfActivityId(ctx.info.activityId);
  if (nodeId === undefined) return {};
  return { outbound: { getLogAttributes: (input, next) => next({ ...input, nodeId }) } };
};
