/**
 * The request a side-effecting node would send, rendered from its properties and an expression
 * context: what a what-if compares to find a recorded answer (the same node with the same
 * request had this output). API_CALL renders with the same functions its step uses, so the
 * request compared is the request sent.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import type { ExpressionContext } from './expressions';
import type { GraphNode } from './schema';
import { renderTemplate, renderTemplatesDeep } from './templates';

/** An API_CALL's rendered properties that decide what is asked of the peer. */
export interface RenderedHttp {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

/**
 * What a node asks of the world: for API_CALL its method, URL, query and body (headers are left
 * out: they carry idempotency keys and credentials that differ between runs of the same
 * request); for every other side-effecting type (connectors, notifications, operations,
 * SUBPROCESS) its type and all its rendered properties (the connector operation and its
 * arguments), without the interpreter's own (retry, timeout, continueOnError, compensation).
 *
 * @throws WeftError `EXPRESSION_ERROR` when a template does not evaluate, as the node itself would.
 */
export function renderNodeRequest(node: GraphNode, ctx: ExpressionContext): unknown {
  const props = (node.properties ?? {}) as Record<string, unknown>;
  if (node.type === 'API_CALL') {
    const { method, url, query, body } = renderHttp(props as unknown as HttpProps, ctx);
    return { method, url, query, body: body === undefined ? null : body };
  }
  return { type: node.type, properties: renderTemplatesDeep(interpreterFree(props), ctx) };
}

/** API_CALL properties that are rendered into its request. */
export interface HttpProps {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/** Renders an API_CALL's method, URL, headers, query and body (its step sends exactly these). */
export function renderHttp(props: HttpProps, ctx: ExpressionContext): RenderedHttp {
  const renderAll = (obj: Record<string, string> | undefined) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj ?? {})) out[k] = stringify(renderTemplate(v, ctx));
    return out;
  };
  return {
    method: props.method ?? 'GET',
    url: stringify(renderTemplate(props.url, ctx)),
    headers: renderAll(props.headers),
    query: renderAll(props.query),
    body: props.body === undefined ? undefined : renderTemplatesDeep(props.body, ctx),
  };
}

/** A node's properties without those the interpreter applies itself (they are not part of any request). */
export function interpreterFree(props: Record<string, unknown>): Record<string, unknown> {
  const { retry: _retry, timeoutMs: _timeout, continueOnError: _continue, compensation: _compensation, ...rest } = props;
  return rest;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
