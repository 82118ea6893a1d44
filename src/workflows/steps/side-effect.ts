/**
 * What every side-effecting node does (common properties: src/graph/nodes/side-effect.ts):
 * exactly one activity, with the node's retry policy and timeout.
 */
import { isCancellation, proxyActivities, sleep, workflowInfo, type ActivityFunctionWithOptions } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import type { NodeActivityResult } from '../../activities/types';
import { WeftError } from '../../graph/errors';
import { nodeSpec, type NodeActivityRequest, type RetrySpec, type SupportedNodeType } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import type { WithNodeProgress } from '../../shared/node-progress';
import { renderTemplatesDeep } from '../../graph/templates';
import { interpreterFree } from '../../graph/rendered-request';
import { describeNodeError, isNonRetryable, NodeFailed } from '../node-errors';
import { interpreterRetryDelayMs, nodeActivityOptions, resolveRetry, temporalCanRetry } from '../retry';
import type { Frame } from '../walker';
import type { NodeOutcome, Step, StepHost } from './step';

/** The timeout of a node that names none. */
export const DEFAULT_NODE_TIMEOUT_MS = 30_000;

// Per-node options (timeout, retry, summary) are given at each call with executeWithOptions.
export const nodeActivities = proxyActivities<WeftActivities>({ startToCloseTimeout: '35s' });

/** The shape every registry-named node activity has (see NodeSpec.activity). */
type NodeActivityFunction = ActivityFunctionWithOptions<(request: NodeActivityRequest) => Promise<NodeActivityResult<unknown>>>;

/** The common properties the interpreter applies itself. */
export interface SideEffectProps {
  retry?: Partial<RetrySpec>;
  timeoutMs?: number;
  continueOnError?: boolean;
}

/**
 * The step of every type whose spec names its activity (QUALITY_CHECK, the connectors,
 * NOTIFICATION, EVENT_PUBLISHER…): properties rendered, then that one activity.
 */
export function activityStep<T extends SupportedNodeType>(): Step<T> {
  return async ({ host, node, iteration, props, frame }) => {
    const activity = nodeSpec(node.type)?.activity;
    if (activity) return activityNode(host, node, iteration, props, activity, frame);
    // Unreachable after validation; a clear node error rather than a stuck workflow task.
    throw new WeftError('INVALID_NODE_TYPE', `node type ${node.type} is not executable by this Weft version`);
  };
}

/** A side-effecting node whose type names its activity: properties rendered, then one activity. */
function activityNode(
  host: StepHost,
  node: GraphNode,
  iteration: number,
  props: Record<string, unknown>,
  activity: string,
  frame: Frame,
): Promise<NodeOutcome> {
  const timeoutMs = props.timeoutMs;
  const request: NodeActivityRequest = {
    executionId: workflowInfo().workflowId,
    definitionId: host.args.definitionId,
    nodeId: node.id,
    nodeType: node.type,
    iteration,
    idempotencyKey: `${workflowInfo().workflowId}:${node.id}:${iteration}`,
    properties: renderTemplatesDeep(interpreterFree(props), host.context(frame)) as Record<string, unknown>,
    timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : DEFAULT_NODE_TIMEOUT_MS,
    ...(host.args.site ? { siteId: host.args.site.id } : {}),
  };
  // The name comes from the node-type registry, never from the user's graph.
  const fn = (nodeActivities as unknown as Record<string, NodeActivityFunction>)[activity] as NodeActivityFunction;
  return callNodeActivity(host, node, iteration, props as SideEffectProps, (opts, progress) => fn.executeWithOptions(opts, [{ ...request, ...progress }]));
}

/**
 * Runs a node's one activity. Temporal retries it where its policy can express the node's
 * strategy; otherwise (LINEAR, jitter) each attempt is one activity and the wait between
 * attempts is a durable timer.
 */
export async function callNodeActivity<T>(
  host: StepHost,
  node: GraphNode,
  iteration: number,
  props: SideEffectProps,
  call: (opts: ReturnType<typeof nodeActivityOptions>, progress: WithNodeProgress) => Promise<NodeActivityResult<T>>,
): Promise<NodeOutcome> {
  const retry = resolveRetry(host.retryFor(node.id) ?? props.retry);
  const options = nodeActivityOptions({ nodeId: node.id, nodeName: node.name, nodeType: node.type, iteration, timeoutMs: props.timeoutMs, retry });
  // An input addition only (replay-safe): the activity records the node's start and, when it succeeds, its end.
  const nodeProgress = host.nodeProgress(node, iteration);
  const progress: WithNodeProgress = nodeProgress ? { nodeProgress } : {};
  const succeeded = () => {
    if (nodeProgress) host.nodeEndRecorded(nodeProgress.own);
  };
  if (temporalCanRetry(retry)) {
    const result = await call(options, progress);
    succeeded();
    return { output: result.output, attempts: result.attempt };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await call({ ...options, activityId: `${options.activityId}:${attempt}` }, progress);
      succeeded();
      return { output: result.output, attempts: attempt };
    } catch (err) {
      if (isCancellation(err)) throw err;
      const described = describeNodeError(err, node.id);
      if (!described || attempt >= retry.maxAttempts || isNonRetryable(err, retry.nonRetryableErrorCodes, retry.retryableErrorCodes)) {
        if (described) throw new NodeFailed(described.info, attempt);
        throw err;
      }
      await sleep(interpreterRetryDelayMs(retry, attempt, Math.random));
    }
  }
}
