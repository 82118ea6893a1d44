import { Context } from '@temporalio/activity';
import type { CircuitBreakerService } from '../services/circuit-breakers';
import { outcomeOfFailureCode, type CallOutcome, type CircuitPermit } from '../services/circuit-breaker-rules';
import type { AddressGuard } from './http/address-guard';
import { HttpCallError, performHttpRequest } from './http/request';
import { serviceKeyOf } from './http/service-key';
import { nodeFailure, nodeFailureOf } from './node-failure';
import type { HttpRequestSpec, HttpResponseOutput, NodeActivityResult } from './types';

/** How long a trial permit outlives the call's own timeout before it is presumed lost. */
const TRIAL_LEASE_MARGIN_MS = 5_000;

/**
 * The API_CALL node: one HTTP exchange, templates already rendered by the workflow, guarded by
 * the circuit breaker of the URL's `host:port`.
 *
 * An open breaker fails the node with CIRCUIT_OPEN before anything is sent. CIRCUIT_OPEN is
 * retryable, with the next retry delayed until the breaker's trial is due: the node's own retry
 * policy decides whether to wait out the open period, and a node with attempts left does.
 */
export function createApiCallActivity(guard: AddressGuard, breakers: CircuitBreakerService) {
  return async function apiCall(spec: HttpRequestSpec): Promise<NodeActivityResult<HttpResponseOutput>> {
    const serviceId = serviceKeyOf(spec.url);
    let permit: CircuitPermit | undefined;
    if (serviceId) {
      const decision = await breakers.acquire(serviceId, spec.timeoutMs + TRIAL_LEASE_MARGIN_MS);
      if (!decision.allowed) {
        throw nodeFailure('CIRCUIT_OPEN', `the circuit breaker of ${serviceId} is open; next trial in ${decision.retryAfterMs} ms`, {
          retryable: true,
          retryAfterMs: decision.retryAfterMs,
        });
      }
      permit = decision.permit;
    }
    try {
      const output = await performHttpRequest(spec, guard);
      await recordOutcome(breakers, permit, 'success');
      return { output, attempt: Context.current().info.attempt };
    } catch (err) {
      if (err instanceof HttpCallError) {
        await recordOutcome(breakers, permit, outcomeOfFailureCode(err.code), err.code);
        throw nodeFailureOf(err);
      }
      throw err;
    }
  };
}

/**
 * Records the call's outcome. A database error here is logged, not thrown: failing the activity
 * would make Temporal send the request again although it was answered. A lost trial outcome
 * costs only its lease; a lost failure, one count.
 */
async function recordOutcome(breakers: CircuitBreakerService, permit: CircuitPermit | undefined, outcome: CallOutcome, code?: string): Promise<void> {
  if (!permit) return;
  try {
    await breakers.record(permit, outcome, code);
  } catch (err) {
    Context.current().log.warn('circuit breaker outcome not recorded', { serviceId: permit.serviceId, outcome, error: String(err) });
  }
}
