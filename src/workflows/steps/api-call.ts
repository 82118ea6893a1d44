/** API_CALL (schema: src/graph/nodes/api-call.ts; activity: src/activities/api-call.ts): one HTTP request. */
import { workflowInfo } from '@temporalio/workflow';
import type { HttpRequestSpec } from '../../activities/types';
import type { GraphNode } from '../../graph/schema';
import { renderHttp, type HttpProps } from '../../graph/rendered-request';
import type { Frame } from '../walker';
import { callNodeActivity, DEFAULT_NODE_TIMEOUT_MS, nodeActivities, type SideEffectProps } from './side-effect';
import type { NodeOutcome, Step, StepHost } from './step';

const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

interface ApiCallProps extends SideEffectProps, HttpProps {
  maxResponseBytes?: number;
  connectorId?: string;
}

/** Renders the request's templates, then calls the apiCall activity. */
export const apiCall: Step<'API_CALL'> = async ({ host, node, iteration, props, frame }) =>
  callApi(host, node, iteration, props as unknown as ApiCallProps, frame);

async function callApi(host: StepHost, node: GraphNode, iteration: number, props: ApiCallProps, frame: Frame): Promise<NodeOutcome> {
  const spec: HttpRequestSpec = {
    ...renderHttp(props, host.context(frame)),
    timeoutMs: props.timeoutMs ?? DEFAULT_NODE_TIMEOUT_MS,
    maxResponseBytes: props.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    idempotencyKey: `${workflowInfo().workflowId}:${node.id}:${iteration}`,
    // Only the id crosses into history; the activity adds the credentials.
    ...(props.connectorId ? { connectorId: props.connectorId } : {}),
    ...(props.connectorId && host.args.site ? { siteId: host.args.site.id } : {}),
  };
  return callNodeActivity(host, node, iteration, props, (opts, progress) => nodeActivities.apiCall.executeWithOptions(opts, [{ ...spec, ...progress }]));
}
