/**
 * ERROR_HANDLER, RETRY_LOGIC and FALLBACK_PATH (schemas: src/graph/nodes/error-handling.ts). The
 * first two are policies, never walked to (error-policies.ts applies them); a FALLBACK_PATH is
 * entered instead of an edge when a node it guards failed for good.
 */
import { WeftError } from '../../graph/errors';
import type { SupportedNodeType } from '../../graph/node-types';
import type { Step } from './step';

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
