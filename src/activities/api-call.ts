import { Context } from '@temporalio/activity';
import type { CircuitBreakerService } from '../domain/circuit-breakers';
import { outcomeOfFailureCode, type CallOutcome, type CircuitPermit } from '../domain/circuit-breaker-rules';
import type { AddressGuard } from '../domain/http/address-guard';
import { HttpCallError, performHttpRequest } from '../domain/http/request';
import { serviceKeyOf } from '../domain/http/service-key';
import { nodeFailure, nodeFailureOf } from './node-failure';
import { NodeCallError } from '../domain/node-call-error';
import type { HttpRequestSpec, HttpResponseOutput, NodeActivityResult } from './types';
import type { ConnectorService } from '../domain/connectors/service';
import { authHeaders, type CustomApiConfig } from '../domain/connectors/custom-api';
import type { ConnectorRuntime } from '../domain/connectors/runtime';
import { joinUrl } from '../domain/connectors/vendor-errors';
import { isWeftError } from '../graph/errors';

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
export function createApiCallActivity(
  guard: AddressGuard,
  breakers: CircuitBreakerService,
  connectors?: { service: ConnectorService; runtime: ConnectorRuntime },
) {
  return async function apiCall(rendered: HttpRequestSpec): Promise<NodeActivityResult<HttpResponseOutput>> {
    let spec = rendered;
    if (rendered.connectorId) {
      if (!connectors) throw nodeFailure('CONNECTOR_NOT_FOUND', 'connectors are not available in this worker', { retryable: false });
      spec = await borrowConnector(rendered, rendered.connectorId, connectors);
    }
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
 * The request with a custom_api connector's base URL, default headers and credentials: `url`
 * may be a path below the base URL, and an absolute URL must stay below it, so the credentials
 * are never sent to another host.
 */
async function borrowConnector(
  spec: HttpRequestSpec,
  connectorId: string,
  connectors: { service: ConnectorService; runtime: ConnectorRuntime },
): Promise<HttpRequestSpec> {
  const refuse = (code: string, message: string) => nodeFailure(code, message, { retryable: false });
  let resolved: Awaited<ReturnType<ConnectorService['resolve']>>;
  try {
    resolved = await connectors.service.resolve({ connectorId }, spec.siteId);
  } catch (err) {
    throw isWeftError(err) ? refuse(err.code, err.message) : err;
  }
  if (!resolved) throw refuse('CONNECTOR_NOT_FOUND', `connector ${connectorId} does not exist`);
  if (resolved.row.type !== 'custom_api') {
    throw refuse('CONNECTOR_TYPE_MISMATCH', `API_CALL borrows only custom_api connectors; ${resolved.row.name} is ${resolved.row.type}`);
  }
  const config = resolved.connector.config as CustomApiConfig;
  const base = config.baseUrl.replace(/\/+$/, '');
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(spec.url);
  if (absolute && spec.url !== base && !spec.url.startsWith(`${base}/`) && !spec.url.startsWith(`${base}?`)) {
    throw refuse('INVALID_URL', `with connectorId, url must be a path or lie below the connector's baseUrl ${base}`);
  }
  const ctx = connectors.runtime.context(resolved.connector, { idempotencyKey: spec.idempotencyKey, timeoutMs: spec.timeoutMs }) as Parameters<
    typeof authHeaders
  >[0];
  let auth: Record<string, string>;
  try {
    auth = await authHeaders(ctx);
  } catch (err) {
    if (err instanceof NodeCallError) throw nodeFailureOf(err);
    throw err;
  }
  return {
    ...spec,
    url: absolute ? spec.url : joinUrl(base, spec.url),
    headers: { ...config.headers, ...spec.headers, ...auth },
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
