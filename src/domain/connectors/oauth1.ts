/**
 * OAuth 1.0a request signing (RFC 5849) as NetSuite token-based authentication uses it: the
 * signature covers the method, the base URL and every query and `oauth_*` parameter (the realm
 * and a JSON body are not part of it), keyed by `consumerSecret&tokenSecret`.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** The signature methods this module produces; NetSuite accepts HMAC-SHA256 only. */
export type OAuth1SignatureMethod = 'HMAC-SHA256' | 'HMAC-SHA1';

/**
 * RFC 3986 percent-encoding as RFC 5849 §3.6 requires: everything but `A-Z a-z 0-9 - . _ ~` is
 * encoded, UTF-8 first. `encodeURIComponent` leaves `! ' ( ) *` alone, so those are added.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The base string URI (RFC 5849 §3.4.1.2): lower-case scheme and host, the port only when it is
 * not the scheme's default, the path, and no query or fragment.
 */
export function baseStringUri(url: string | URL): string {
  const u = new URL(url.toString());
  // The WHATWG parser already lower-cases scheme and host and drops default ports.
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * Normalised parameters (RFC 5849 §3.4.1.3.2): each name and value percent-encoded, sorted by
 * name then value (byte order of the encoded strings), joined as `name=value` with `&`.
 */
export function normalizeParameters(params: ReadonlyArray<readonly [string, string]>): string {
  const encoded = params.map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
  encoded.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * The signature base string (RFC 5849 §3.4.1): `METHOD&enc(base URI)&enc(normalised params)`.
 * `params` are the decoded query parameters, the `oauth_*` protocol parameters (without
 * `oauth_signature` and `realm`) and, for form bodies only, the body parameters.
 */
export function signatureBaseString(method: string, url: string | URL, params: ReadonlyArray<readonly [string, string]>): string {
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalizeParameters(params))].join('&');
}

/** The base64 HMAC signature of a base string under `consumerSecret&tokenSecret` (RFC 5849 §3.4.2). */
export function hmacSignature(baseString: string, consumerSecret: string, tokenSecret: string, method: OAuth1SignatureMethod = 'HMAC-SHA256'): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac(method === 'HMAC-SHA256' ? 'sha256' : 'sha1', key)
    .update(baseString)
    .digest('base64');
}

/** What one signed request needs; `nonce` and `timestamp` are generated when absent (tests fix them). */
export interface OAuth1SignInput {
  method: string;
  /** The request URL; its query parameters are signed too. */
  url: string | URL;
  /** Query parameters sent in addition to those already in `url`. */
  query?: Record<string, string>;
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  /** Sent in the header, never signed (NetSuite: the account id). */
  realm?: string;
  signatureMethod?: OAuth1SignatureMethod;
  nonce?: string;
  /** Seconds since the epoch. */
  timestamp?: number;
}

/** A signed request: the `Authorization` header value and what went into it. */
export interface OAuth1Signature {
  authorization: string;
  baseString: string;
  signature: string;
  nonce: string;
  timestamp: string;
}

/** Signs one request and builds its `Authorization: OAuth …` header (RFC 5849 §3.5.1). */
export function signOAuth1(input: OAuth1SignInput): OAuth1Signature {
  const signatureMethod = input.signatureMethod ?? 'HMAC-SHA256';
  // 20 random bytes as hex: unique per request, as the server remembers nonces to refuse replays.
  const nonce = input.nonce ?? randomBytes(20).toString('hex');
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const oauth: Array<[string, string]> = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_token', input.token],
    ['oauth_signature_method', signatureMethod],
    ['oauth_timestamp', timestamp],
    ['oauth_nonce', nonce],
    ['oauth_version', '1.0'],
  ];
  const url = new URL(input.url.toString());
  const params: Array<[string, string]> = [...url.searchParams.entries(), ...Object.entries(input.query ?? {}), ...oauth];
  const baseString = signatureBaseString(input.method, url, params);
  const signature = hmacSignature(baseString, input.consumerSecret, input.tokenSecret, signatureMethod);
  const fields = [...(input.realm !== undefined ? [['realm', input.realm] as const] : []), ...oauth, ['oauth_signature', signature] as const];
  const authorization = `OAuth ${fields.map(([k, v]) => `${k}="${percentEncode(v)}"`).join(', ')}`;
  return { authorization, baseString, signature, nonce, timestamp };
}
