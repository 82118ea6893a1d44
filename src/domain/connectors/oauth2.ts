/**
 * What the OAuth 2.0 token flows of the drivers share: posting the token request, reading the
 * endpoint's error, classifying its refusal, and caching the token per connector in the worker.
 */
import { NodeCallError } from '../node-call-error';
import type { ConnectorContext, ConnectorHttpResponse } from './driver';
import { vendorFailure } from './vendor-errors';

/** POSTs a token request form (RFC 6749 §4) to `url`; `headers` adds e.g. the client's basic auth. */
export function postTokenForm(ctx: ConnectorContext<unknown, unknown>, url: string, form: URLSearchParams, headers: Record<string, string> = {}) {
  return ctx.http({
    method: 'POST',
    url,
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  });
}

/** The token endpoint's error (RFC 6749 §5.2): `error`, with `: error_description` when given. */
export function oauthErrorText(body: unknown): string | undefined {
  const b = body as { error?: unknown; error_description?: unknown } | undefined;
  if (b && typeof b === 'object' && typeof b.error === 'string')
    return typeof b.error_description === 'string' ? `${b.error}: ${b.error_description}` : b.error;
  return undefined;
}

/**
 * The failure for a token endpoint's non-2xx answer. A wrong client, secret or grant is answered
 * 400 (invalid_client / invalid_grant), 401 or 403: AUTH_FAILED with `refused`, not retried;
 * anything else is classified as any vendor answer (see {@link vendorFailure}).
 */
export function tokenEndpointFailure(res: ConnectorHttpResponse, refused: string, what: string, detail?: string): NodeCallError {
  if (res.status === 400 || res.status === 401 || res.status === 403) return new NodeCallError('AUTH_FAILED', refused, false, res.status);
  return vendorFailure(res, what, detail);
}

/**
 * When to stop using a token that lives `ttlSeconds`: 30 s early, so that it does not expire
 * between the check and the call.
 */
export function renewalTime(ttlSeconds: number): number {
  return Date.now() + Math.max(0, ttlSeconds - 30) * 1000;
}

/**
 * The token cached under `key` unless `fresh` is asked for or it is due for renewal; otherwise
 * it is dropped and what `fetch` gets is cached (a failed fetch leaves nothing cached).
 */
export async function cachedToken<T extends { expiresAt: number }>(
  cache: Map<string, unknown>,
  key: string,
  fresh: boolean,
  fetch: () => Promise<T>,
): Promise<T> {
  const cached = cache.get(key) as T | undefined;
  if (!fresh && cached && cached.expiresAt > Date.now()) return cached;
  cache.delete(key);
  const got = await fetch();
  cache.set(key, got);
  return got;
}
