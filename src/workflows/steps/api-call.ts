/** API_CALL (schema: src/graph/nodes/api-call.ts; activity: src/activities/api-call.ts): one HTTP request. */
import { workflowInfo } from '@temporalio/workflow';
import type { HttpRequestSpec } from '../../activities/types';
import type { GraphNode } from '../../graph/schema';
import { renderTemplate, renderTemplatesDeep } from '../../graph/templates';
import type { Frame } from '../walker';
import { callNodeActivity, DEFAULT_NODE_TIMEOUT_MS, nodeActivities, type SideEffectProps } from './side-effect';
import type { NodeOutcome, Step, StepHost } from './step';

const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

interface ApiCallProps extends SideEffectProps {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  maxResponseBytes?: number;
  connectorId?: string;
}

/** Renders the request's templates, then calls the apiCall activity. */
export const apiCall: Step<'API_CALL'> = async ({ host, node, iteration, props, frame }) =>
  callApi(host, node, iteration, props as unknown as ApiCallProps, frame);

async function callApi(host: StepHost, node: GraphNode, iteration: number, props: ApiCallProps, frame: Frame): Promise<NodeOutcome> {
  const ctx = host.context(frame);
  const renderAll = (obj: Record<string, string> | undefined) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj ?? {})) out[k] = stringify(renderTemplate(v, ctx));
    return out;
  };
  const spec: HttpRequestSpec = {
    method: props.method ?? 'GET',
    url: stringify(renderTemplate(props.url, ctx)),
    headers: renderAll(props.headers),
    query: renderAll(props.query),
    body: props.body === undefined ? undefined : renderTemplatesDeep(props.body, ctx),
    timeoutMs: props.timeoutMs ?? DEFAULT_NODE_TIMEOUT_MS,
    maxResponseBytes: props.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    idempotencyKey: `${workflowInfo().workflowId}:${node.id}:${iteration}`,
    // Only the id crosses into history; the activity adds the credentials.
    ...(props.connectorId ? { connectorId: props.connectorId } : {}),
    ...(props.connectorId && host.args.site ? { siteId: host.args.site.id } : {}),
  };
  return callNodeActivity(host, node, iteration, props, (opts) => nodeActivities.apiCall.executeWithOptions(opts, [spec]));
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
