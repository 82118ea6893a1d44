import type { z } from 'zod';
import type { ConnectorType } from '../../db/schema';

/**
 * The contract between the connector runtime (stored connector instances, secrets, the node
 * activity, `/api/v1/connectors`) and one vendor's driver (Salesforce, SAP, NetSuite, custom
 * API). A driver knows the vendor's API shapes and auth; the runtime knows everything else.
 */

/** One outbound call as a driver asks for it; the runtime sends it through the SSRF guard and the breaker of its host. */
export interface ConnectorHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL (drivers build it from their config's base URL). */
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** JSON-encoded unless a string (then sent as is with the caller's content-type). */
  body?: unknown;
}

/** A response of any status: drivers decide what is an error. */
export interface ConnectorHttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed when JSON, text otherwise. */
  body: unknown;
}

/** What a driver gets for one call: its instance's configuration and decrypted secrets, and the way out. */
export interface ConnectorContext<Config = Record<string, unknown>, Secrets = Record<string, unknown>> {
  connectorId: string;
  config: Config;
  /** Decrypted for this call only: never put into outputs, errors or logs. */
  secrets: Secrets;
  http(request: ConnectorHttpRequest): Promise<ConnectorHttpResponse>;
  /** Stable across retries of one node run (`<execution>:<node>:<iteration>`); `test:<uuid>` for connection tests. */
  idempotencyKey: string;
  /** Per-instance memory that outlives one call in this worker process (e.g. an OAuth token and its expiry). */
  cache: Map<string, unknown>;
}

/** One named operation of a driver, e.g. Salesforce `createAccount`. */
export interface ConnectorOperation<Params = unknown> {
  description: string;
  /** The operation's `params`; listed through `GET /connectors/{id}/operations` as JSON Schema. */
  params: z.ZodType<Params>;
  /** True when it changes the vendor's data (such calls carry the idempotency key where the vendor accepts one). */
  writes: boolean;
  run(ctx: ConnectorContext, params: Params): Promise<unknown>;
}

/** A vendor: how an instance is configured, which secrets it needs, what it can do. */
export interface ConnectorDriver {
  type: ConnectorType;
  /** Non-secret settings (base URL, auth mode, client id, …). */
  configSchema: z.ZodType<Record<string, unknown>>;
  /** Credentials, stored encrypted. */
  secretsSchema: z.ZodType<Record<string, unknown>>;
  // Each operation has its own params type; `run` takes them contravariantly, so no common type but any fits.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  operations: Record<string, ConnectorOperation<any>>;
  /**
   * Optional checks that need the parsed config and secrets together (e.g. the secret an auth
   * mode needs); each problem's path is relative to the connector, e.g. `/secrets/clientSecret`.
   */
  validate?(config: Record<string, unknown>, secrets: Record<string, unknown>): Array<{ path: string; message: string }>;
  /** A cheap authenticated call that proves the configuration works; throws a NodeCallError when not. */
  testConnection(ctx: ConnectorContext): Promise<{ message: string }>;
}

/**
 * Drivers fail with {@link NodeCallError} and these codes: `HTTP_<status>`, `AUTH_FAILED` (401/403
 * or a refused token), `RATE_LIMITED` (429, `retryAfterMs` from Retry-After), `CONNECTOR_ERROR`
 * (an answer of the wrong shape). 4xx other than 408/429 are not retryable.
 */
export { NodeCallError as ConnectorCallError } from '../node-call-error';
