/**
 * Turning a vendor's non-2xx answer into the stable node failure codes of the driver contract,
 * so every driver classifies statuses the same way and only adds the vendor's own message.
 */
import { parseRetryAfter } from '../http/request';
import { NodeCallError } from '../node-call-error';
import type { ConnectorHttpResponse } from './driver';

/**
 * The failure for a non-2xx response: 401/403 → AUTH_FAILED, 429 → RATE_LIMITED (with the wait
 * Retry-After asks), anything else HTTP_<status>. Retryable: 408, 429 and 5xx only.
 * `detail` is the vendor's message (never a secret: drivers pass what the vendor answered).
 */
export function vendorFailure(res: ConnectorHttpResponse, what: string, detail?: string): NodeCallError {
  const suffix = detail ? `: ${detail}` : '';
  if (res.status === 401 || res.status === 403) return new NodeCallError('AUTH_FAILED', `${what} was refused (${res.status})${suffix}`, false, res.status);
  if (res.status === 429) {
    return new NodeCallError('RATE_LIMITED', `${what} was rate limited (429)${suffix}`, true, res.status, parseRetryAfter(res.headers['retry-after']));
  }
  const retryable = res.status >= 500 || res.status === 408;
  return new NodeCallError(`HTTP_${res.status}`, `${what} answered ${res.status}${suffix}`, retryable, res.status);
}

/** A 2xx answer of the wrong shape: the vendor (or whatever answered) is not what the connector expects. */
export function connectorError(message: string): NodeCallError {
  return new NodeCallError('CONNECTOR_ERROR', message, false);
}

/** True for a 2xx status. */
export function isOk(res: ConnectorHttpResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

/** Joins a base URL and a path without doubling or losing the slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
