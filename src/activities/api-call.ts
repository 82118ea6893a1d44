import { Context } from '@temporalio/activity';
import type { AddressGuard } from './http/address-guard';
import { HttpCallError, performHttpRequest } from './http/request';
import { nodeFailure } from './node-failure';
import type { HttpRequestSpec, HttpResponseOutput, NodeActivityResult } from './types';

/** The API_CALL node: one HTTP exchange, templates already rendered by the workflow. */
export function createApiCallActivity(guard: AddressGuard) {
  return async function apiCall(spec: HttpRequestSpec): Promise<NodeActivityResult<HttpResponseOutput>> {
    try {
      const output = await performHttpRequest(spec, guard);
      return { output, attempt: Context.current().info.attempt };
    } catch (err) {
      if (err instanceof HttpCallError) {
        throw nodeFailure(err.code, err.message, { retryable: err.retryable, status: err.status, retryAfterMs: err.retryAfterMs });
      }
      throw err;
    }
  };
}
