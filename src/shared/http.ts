/**
 * The HTTP call of an API_CALL node and its answer, as the workflow renders it and the HTTP
 * client (domain/http) sends it. Types only; they survive the JSON payload converter.
 */

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Sent as `Idempotency-Key` so a retried call is recognisable by the server it reaches. */
  idempotencyKey: string;
  /** API_CALL `connectorId`: a custom_api connector whose base URL and auth the call borrows (secrets added in the activity). */
  connectorId?: string;
  /** The site the execution runs at: the connector's `$config:<key>` secrets are read there. */
  siteId?: string;
}

export interface HttpResponseOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
