/**
 * ERROR_HANDLER, RETRY_LOGIC and FALLBACK_PATH (schemas: src/graph/nodes/error-handling.ts). The
 * first two are policies, never walked to (error-policies.ts applies them); a FALLBACK_PATH is
 * entered instead of an edge when a node it guards failed for good.
 */
import { isCancellation, sleep } from '@temporalio/workflow';
import { WeftError } from '../../graph/errors';
import type { SupportedNodeType } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import type { ErrorPolicies } from './error-policies';
import type { NodeScope } from '../node-scopes';
import { NodeFailed } from '../node-errors';
import type { NodeErrorInfo } from '../types';
import type { Frame } from '../walker';
import { toPlain, type NodeOutcome, type Step } from './step';

function policyOnly<T extends SupportedNodeType>(): Step<T> {
  return async ({ node }) => {
    // Unreachable after validation; a clear node error rather than a stuck workflow task.
    throw new WeftError('INVALID_NODE_TYPE', `node type ${node.type} is not executable by this Weft version`);
  };
}

export const errorHandler = policyOnly<'ERROR_HANDLER'>();
export const retryLogic = policyOnly<'RETRY_LOGIC'>();

/** Its output is the failure it was entered for. */
export const fallbackPath: Step<'FALLBACK_PATH'> = async ({ host }) => ({ output: host.lastFailure, attempts: 1 });

/** What to do after a node failed for good (see recover). */
export type Recovery = { kind: 'retry' } | { kind: 'jump'; to: GraphNode } | { kind: 'skip'; outcome: NodeOutcome };

/** What recovering from a failure needs of the interpreter's run. */
export interface RecoveryHost {
  readonly policies: ErrorPolicies;
  /** ERROR_HANDLER retries spent per node, reset when the node succeeds. */
  readonly handlerRetries: Record<string, number>;
  lastFailure: (NodeErrorInfo & { failedNodeId: string }) | null;
  node(id: string): GraphNode | undefined;
  scopeOf(frame: Frame): NodeScope;
  /** Runs one node (traced), as the walk does. */
  runNode(node: GraphNode, frame: Frame): Promise<NodeOutcome>;
}

/**
 * What the error-handling nodes say about a node that failed for good: run it again (an
 * ERROR_HANDLER retry, after a durable timer), skip it, continue at a fallback node, or fail.
 */
export async function recover(host: RecoveryHost, node: GraphNode, failure: NodeFailed, frame: Frame): Promise<Recovery> {
  const { code } = failure.info;
  const handler = host.policies.handlerFor(node.id, code);
  const failed = (to: GraphNode): Recovery => {
    host.lastFailure = { ...failure.info, failedNodeId: node.id };
    host.scopeOf(frame).set(node.id, { error: failure.info });
    return { kind: 'jump', to };
  };
  switch (handler?.action) {
    case 'retry': {
      const retries = (host.handlerRetries[node.id] ?? 0) + 1;
      if (retries <= handler.maxRetries) {
        host.handlerRetries[node.id] = retries;
        const delay = handler.jitter ? handler.backoffMs * (0.5 + Math.random()) : handler.backoffMs;
        await sleep(Math.round(delay * 2 ** (retries - 1)));
        return { kind: 'retry' };
      }
      delete host.handlerRetries[node.id];
      break; // retries spent: a fallback path may still take it
    }
    case 'skip': {
      const output = toPlain(handler.output ?? { skipped: true, error: failure.info });
      host.scopeOf(frame).set(node.id, output);
      return { kind: 'skip', outcome: { output, attempts: failure.attempts } };
    }
    case 'fallback':
      return failed(host.node(handler.fallbackNodeId as string) as GraphNode);
    case 'notify': {
      // Tell someone, then fail as if unhandled; a failing notification must not hide the cause.
      const notify = host.node(handler.notifyNodeId as string) as GraphNode;
      host.lastFailure = { ...failure.info, failedNodeId: node.id };
      await host.runNode(notify, frame).catch((err: unknown) => {
        if (isCancellation(err) || !(err instanceof NodeFailed)) throw err;
      });
      throw failure;
    }
    case 'abort':
      throw failure;
  }
  const fallback = host.policies.fallbackFor(node.id, code);
  if (fallback) return failed(host.node(fallback) as GraphNode);
  throw failure;
}
