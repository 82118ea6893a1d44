/**
 * The way out for connector drivers: every call a driver makes goes through the SSRF guard and
 * the circuit breaker of its `host:port`, bounded by what is left of the node's timeout and by
 * the connector's response size limit. Also keeps each connector's per-worker cache (tokens).
 */
import type { CircuitBreakerService } from '../circuit-breakers';
import { outcomeOfFailureCode, type CallOutcome, type CircuitPermit } from '../circuit-breaker-rules';
import type { AddressGuard } from '../http/address-guard';
import { HttpCallError, sendHttpRequest } from '../http/request';
import { serviceKeyOf } from '../http/service-key';
import { NodeCallError } from '../node-call-error';
import { DEFAULT_MAX_RESPONSE_BYTES } from './config-fields';
import type { ConnectorContext, ConnectorHttpRequest, ConnectorHttpResponse } from './driver';

/** How long a trial permit outlives the call's own timeout before it is presumed lost. */
const TRIAL_LEASE_MARGIN_MS = 5_000;

/** A connector ready to run: config parsed, secrets decrypted. */
export interface LoadedConnector {
  id: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  /** Part of the cache key, so an edited connector does not reuse a token of its old credentials. */
  updatedAt: Date;
  /** Set when secrets came from a site's configuration: tokens are kept per site, and renewed when its configuration changes. */
  fromSite?: { siteId: string; revision: number };
}

/** Builds {@link ConnectorContext}s; one per process (API for connection tests, worker for nodes). */
export class ConnectorRuntime {
  private readonly caches = new Map<string, Map<string, unknown>>();

  constructor(
    private readonly guard: AddressGuard,
    private readonly breakers: CircuitBreakerService,
    private readonly onWarning: (message: string, fields: Record<string, unknown>) => void = () => {},
  ) {}

  /** The context of one driver call; its HTTP calls share one deadline `timeoutMs` from now. */
  context(connector: LoadedConnector, opts: { idempotencyKey: string; timeoutMs: number }): ConnectorContext {
    const deadline = Date.now() + opts.timeoutMs;
    const maxResponseBytes = typeof connector.config.maxResponseBytes === 'number' ? connector.config.maxResponseBytes : DEFAULT_MAX_RESPONSE_BYTES;
    return {
      connectorId: connector.id,
      config: connector.config,
      secrets: connector.secrets,
      idempotencyKey: opts.idempotencyKey,
      cache: this.cacheOf(connector),
      http: (request) => this.send(request, { deadline, timeoutMs: opts.timeoutMs, maxResponseBytes, idempotencyKey: opts.idempotencyKey }),
    };
  }

  private cacheOf(connector: LoadedConnector): Map<string, unknown> {
    const scope = `${connector.id}:${connector.fromSite?.siteId ?? ''}:`;
    const key = `${scope}${connector.updatedAt.getTime()}:${connector.fromSite?.revision ?? ''}`;
    let cache = this.caches.get(key);
    if (!cache) {
      for (const k of this.caches.keys()) if (k.startsWith(scope)) this.caches.delete(k);
      cache = new Map();
      this.caches.set(key, cache);
    }
    return cache;
  }

  private async send(
    request: ConnectorHttpRequest,
    limits: { deadline: number; timeoutMs: number; maxResponseBytes: number; idempotencyKey: string },
  ): Promise<ConnectorHttpResponse> {
    const timeoutMs = limits.deadline - Date.now();
    if (timeoutMs <= 0) throw new NodeCallError('TIMEOUT', `no response within ${limits.timeoutMs} ms`, true);
    const serviceId = serviceKeyOf(request.url);
    let permit: CircuitPermit | undefined;
    if (serviceId) {
      const decision = await this.breakers.acquire(serviceId, timeoutMs + TRIAL_LEASE_MARGIN_MS);
      if (!decision.allowed) {
        throw new NodeCallError(
          'CIRCUIT_OPEN',
          `the circuit breaker of ${serviceId} is open; next trial in ${decision.retryAfterMs} ms`,
          true,
          undefined,
          decision.retryAfterMs,
        );
      }
      permit = decision.permit;
    }
    try {
      const res = await sendHttpRequest(
        {
          method: request.method,
          url: request.url,
          headers: request.headers ?? {},
          query: request.query ?? {},
          body: request.body,
          timeoutMs,
          maxResponseBytes: limits.maxResponseBytes,
          idempotencyKey: limits.idempotencyKey,
        },
        this.guard,
      );
      await this.record(permit, res.status >= 200 && res.status < 300 ? 'success' : outcomeOfFailureCode(`HTTP_${res.status}`));
      return res;
    } catch (err) {
      if (err instanceof HttpCallError) await this.record(permit, outcomeOfFailureCode(err.code), err.code);
      throw err;
    }
  }

  /** A lost outcome costs a count or a lease; failing the call for it would resend an answered request. */
  private async record(permit: CircuitPermit | undefined, outcome: CallOutcome, code?: string): Promise<void> {
    if (!permit) return;
    try {
      await this.breakers.record(permit, outcome, code);
    } catch (err) {
      this.onWarning('circuit breaker outcome not recorded', { serviceId: permit.serviceId, outcome, error: String(err) });
    }
  }
}
