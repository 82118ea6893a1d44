import http from 'node:http';
import https from 'node:https';
import { type AddressGuard, BlockedAddressError } from './address-guard';
import { NodeCallError } from '../node-call-error';
import type { HttpRequestSpec, HttpResponseOutput } from '../../shared/http';

const MAX_REDIRECTS = 5;

/** A failed outbound call with the stable code the node fails with. */
export class HttpCallError extends NodeCallError {
  override readonly name = 'HttpCallError';
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function buildUrl(spec: HttpRequestSpec): URL {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new HttpCallError('INVALID_URL', `not a valid URL: ${spec.url}`, false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpCallError('INVALID_URL', `only http and https are allowed, not ${url.protocol}`, false);
  }
  for (const [k, v] of Object.entries(spec.query)) url.searchParams.append(k, v);
  return url;
}

function encodeBody(spec: HttpRequestSpec, headers: Record<string, string>): Buffer | undefined {
  if (spec.body === undefined || spec.body === null) return undefined;
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  if (typeof spec.body === 'string') {
    if (!hasType) headers['content-type'] = 'text/plain; charset=utf-8';
    return Buffer.from(spec.body);
  }
  if (!hasType) headers['content-type'] = 'application/json';
  return Buffer.from(JSON.stringify(spec.body));
}

function once(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  spec: HttpRequestSpec,
  guard: AddressGuard,
  signal: AbortSignal,
): Promise<RawResponse> {
  guard.checkLiteral(url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, lookup: guard.lookupFor(url), signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > spec.maxResponseBytes) {
          // Settle first: once destroyed, the stream may still emit 'end' for what it buffered.
          reject(new HttpCallError('RESPONSE_TOO_LARGE', `response exceeds ${spec.maxResponseBytes} bytes`, false));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Milliseconds a `Retry-After` header (seconds or an HTTP date) asks to wait, or undefined. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function decodeBody(res: RawResponse): unknown {
  const text = res.body.toString('utf8');
  const type = String(res.headers['content-type'] ?? '');
  if (/\bjson\b/i.test(type) && text.length > 0) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function classifyTransportError(err: unknown, spec: HttpRequestSpec): HttpCallError {
  if (err instanceof HttpCallError) return err;
  if (err instanceof BlockedAddressError) return new HttpCallError('SSRF_BLOCKED', err.message, false);
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  if (e.cause instanceof BlockedAddressError) return new HttpCallError('SSRF_BLOCKED', e.cause.message, false);
  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    return new HttpCallError('TIMEOUT', `no response within ${spec.timeoutMs} ms`, true);
  }
  return new HttpCallError('NETWORK_ERROR', `${e.code ?? e.name}: ${e.message}`, true);
}

/**
 * Performs one outbound HTTP call for a node: the SSRF guard applies to the first URL and to
 * every redirect, the whole exchange is bounded by `timeoutMs`, the body by `maxResponseBytes`.
 * @throws HttpCallError with code HTTP_<status>, TIMEOUT, NETWORK_ERROR, SSRF_BLOCKED, INVALID_URL, INSECURE_REDIRECT, RESPONSE_TOO_LARGE, TOO_MANY_REDIRECTS
 */
export async function performHttpRequest(spec: HttpRequestSpec, guard: AddressGuard): Promise<HttpResponseOutput> {
  const { output, method, url } = await exchange(spec, guard);
  if (output.status < 200 || output.status >= 300) {
    // 4xx means the request itself is wrong and will stay wrong, except timeouts and throttling.
    const retryable = output.status >= 500 || output.status === 408 || output.status === 429;
    const retryAfterMs = parseRetryAfter(output.headers['retry-after']);
    throw new HttpCallError(
      `HTTP_${output.status}`,
      `${method} ${url.origin}${url.pathname} answered ${output.status}`,
      retryable,
      output.status,
      retryAfterMs,
    );
  }
  return output;
}

/**
 * Like {@link performHttpRequest} but answers with any final status: for callers (connector
 * drivers) that read the vendor's error body to decide the failure code.
 * @throws HttpCallError with code TIMEOUT, NETWORK_ERROR, SSRF_BLOCKED, INVALID_URL, INSECURE_REDIRECT, RESPONSE_TOO_LARGE, TOO_MANY_REDIRECTS
 */
export async function sendHttpRequest(spec: HttpRequestSpec, guard: AddressGuard): Promise<HttpResponseOutput> {
  return (await exchange(spec, guard)).output;
}

/** One hop of an outbound call: where it goes and what it carries. */
export interface RedirectHop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/**
 * Headers that may follow a redirect to another origin. Everything else the caller set is
 * dropped there: `Authorization`, `Cookie` and `Proxy-Authorization` (as fetch and browsers do),
 * and also the credential headers of connectors and of API_CALL nodes (`X-API-Key`, CSRF tokens,
 * any vendor header), whose names no fixed list could know.
 */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'content-language', 'content-type', 'user-agent', 'idempotency-key']);

/**
 * The next hop after a 3xx answer with `location`, as fetch follows it: 303 (and 301/302 after
 * POST) turn into a GET without a body; a change of origin keeps only {@link CROSS_ORIGIN_HEADERS};
 * a step down from https to http is refused, since whatever the request carries would then
 * travel in clear. The address guard checks the new URL when it is sent.
 * @throws HttpCallError INVALID_URL for a location that is not an http(s) URL, INSECURE_REDIRECT for https → http
 */
export function followRedirect(hop: RedirectHop, status: number, location: string): RedirectHop {
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    throw new HttpCallError('INVALID_URL', `redirect to an invalid location: ${location}`, false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpCallError('INVALID_URL', `redirect to ${url.protocol} refused`, false);
  }
  if (hop.url.protocol === 'https:' && url.protocol === 'http:') {
    throw new HttpCallError('INSECURE_REDIRECT', `redirect from https to http (${url.origin}) refused`, false);
  }
  let { method, body } = hop;
  let headers = { ...hop.headers };
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    headers = withoutHeader(headers, 'content-type');
  }
  if (url.origin !== hop.url.origin) {
    headers = Object.fromEntries(Object.entries(headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name.toLowerCase())));
  }
  return { url, method, headers, body };
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));
}

async function exchange(spec: HttpRequestSpec, guard: AddressGuard): Promise<{ output: HttpResponseOutput; method: string; url: URL }> {
  const signal = AbortSignal.timeout(spec.timeoutMs);
  let url = buildUrl(spec);
  let method = spec.method.toUpperCase();
  let headers: Record<string, string> = { ...spec.headers, 'idempotency-key': spec.idempotencyKey };
  let body = encodeBody(spec, headers);
  let res: RawResponse | undefined;
  for (let hop = 0; ; hop++) {
    try {
      res = await once(url, method, headers, body, spec, guard, signal);
    } catch (err) {
      throw classifyTransportError(err, spec);
    }
    const location = res.headers.location;
    if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) break;
    if (hop >= MAX_REDIRECTS) throw new HttpCallError('TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`, false);
    const next = followRedirect({ url, method, headers, body }, res.status, location);
    ({ url, method, headers, body } = next);
  }
  const output: HttpResponseOutput = { status: res.status, headers: flattenHeaders(res.headers), body: decodeBody(res) };
  return { output, method, url };
}
