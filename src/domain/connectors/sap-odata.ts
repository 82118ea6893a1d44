/**
 * The SAP S/4HANA side of SAP_CONNECTOR below its operations (sap.ts): settings and credentials,
 * basic or OAuth 2.0 authorization, OData V2 calls with the CSRF token and session cookies every
 * write needs, and OData V2 values (keys, literals, dates, decimals, entities).
 */
import { z } from 'zod';
import { NodeCallError } from '../node-call-error';
import type { ConnectorContext, ConnectorHttpRequest, ConnectorHttpResponse } from './driver';
import { httpUrl, maxResponseBytes } from './config-fields';
import { cachedToken, oauthErrorText, postTokenForm, renewalTime, tokenEndpointFailure } from './oauth2';
import { connectorError, isOk, joinUrl, vendorFailure } from './vendor-errors';

/** Non-secret settings of an SAP connector. */
export const SapConfigSchema = z.strictObject({
  /** The system's host URL, e.g. `https://my300000-api.s4hana.cloud.sap` (services are below `servicePath`). */
  baseUrl: httpUrl,
  /** Where the OData V2 services live on that host. */
  servicePath: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*$/, 'must be a path starting with /')
    .default('/sap/opu/odata/sap'),
  /** The `sap-client` (three digits) sent with every call; the system's default client when absent. */
  client: z
    .string()
    .regex(/^\d{3}$/, 'must be three digits, e.g. 100')
    .optional(),
  auth: z.enum(['basic', 'oauth2_client_credentials']),
  /** The communication user (basic). */
  username: z.string().min(1).optional(),
  /** The token endpoint (oauth2_client_credentials), e.g. `https://<subdomain>.authentication.<region>.hana.ondemand.com/oauth/token`. */
  tokenUrl: httpUrl.optional(),
  clientId: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  /** Language of texts (`sap-language`), e.g. EN. */
  language: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter language code')
    .optional(),
  maxResponseBytes,
});
export type SapConfig = z.output<typeof SapConfigSchema>;

/** Credentials: the communication user's password (basic) or the OAuth client's secret. */
export const SapSecretsSchema = z.strictObject({
  password: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
});
export type SapSecrets = z.output<typeof SapSecretsSchema>;

export type SapContext = ConnectorContext<SapConfig, SapSecrets>;

const TOKEN_KEY = 'sap:token';

/** The OData V2 services the operations use (their technical names in SAP API Business Hub). */
export const SAP_SERVICES = {
  purchaseOrder: 'API_PURCHASEORDER_PROCESS_SRV',
  product: 'API_PRODUCT_SRV',
  materialDocument: 'API_MATERIAL_DOCUMENT_SRV',
  productionOrder: 'API_PRODUCTION_ORDER_2_SRV',
  costCenter: 'API_COSTCENTER_SRV',
} as const;

// --- auth ------------------------------------------------------------------------------------

async function bearerToken(ctx: SapContext, fresh: boolean): Promise<string> {
  const got = await cachedToken(ctx.cache, TOKEN_KEY, fresh, async () => {
    const { config, secrets } = ctx;
    if (!config.tokenUrl || !config.clientId || !secrets.clientSecret) {
      throw new NodeCallError('AUTH_FAILED', 'oauth2_client_credentials needs tokenUrl, clientId and the clientSecret secret', false);
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (config.scope) form.set('scope', config.scope);
    // SAP's token services (XSUAA, SAP Cloud Identity) take the client in basic auth.
    const res = await postTokenForm(ctx, config.tokenUrl, form, {
      authorization: `Basic ${Buffer.from(`${config.clientId}:${secrets.clientSecret}`).toString('base64')}`,
    });
    if (!isOk(res)) {
      const detail = oauthErrorText(res.body);
      throw tokenEndpointFailure(res, `the SAP token endpoint refused the client: ${detail ?? res.status}`, 'the SAP token endpoint', detail);
    }
    const body = res.body as { access_token?: unknown; expires_in?: unknown };
    if (typeof body?.access_token !== 'string') throw connectorError('the SAP token endpoint answered without an access_token');
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    return { token: body.access_token, expiresAt: renewalTime(ttl) };
  });
  return got.token;
}

async function authorization(ctx: SapContext, fresh: boolean): Promise<string> {
  const { config, secrets } = ctx;
  if (config.auth === 'oauth2_client_credentials') return `Bearer ${await bearerToken(ctx, fresh)}`;
  if (!config.username || secrets.password === undefined) throw new NodeCallError('AUTH_FAILED', 'basic auth needs username and the password secret', false);
  return `Basic ${Buffer.from(`${config.username}:${secrets.password}`).toString('base64')}`;
}

// --- transport -------------------------------------------------------------------------------

/** The OData V2 error body: `{ error: { code, message: { value } } }` (SAP message class/number as code). */
function odataErrorText(body: unknown): string | undefined {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (e && typeof e === 'object') {
    const msg = e.message as { value?: unknown } | string | undefined;
    const text = typeof msg === 'string' ? msg : typeof msg?.value === 'string' ? msg.value : undefined;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code || text) return [code, text].filter(Boolean).join(': ');
  }
  if (typeof body === 'string' && body.trim() && !body.trimStart().startsWith('<')) return body.trim().slice(0, 300);
  return undefined;
}

function serviceRoot(config: SapConfig, service: string): string {
  return joinUrl(config.baseUrl, `${config.servicePath}/${service}/`);
}

function baseQuery(config: SapConfig): Record<string, string> {
  const q: Record<string, string> = {};
  if (config.client) q['sap-client'] = config.client;
  if (config.language) q['sap-language'] = config.language.toUpperCase();
  return q;
}

/**
 * One authenticated request; with OAuth a 401 (the token was revoked or expired early) gets a
 * fresh token once.
 */
async function send(ctx: SapContext, req: ConnectorHttpRequest): Promise<ConnectorHttpResponse> {
  for (let fresh = false; ; fresh = true) {
    const res = await ctx.http({ ...req, headers: { ...req.headers, authorization: await authorization(ctx, fresh), accept: 'application/json' } });
    if (res.status === 401 && !fresh && ctx.config.auth === 'oauth2_client_credentials') continue;
    return res;
  }
}

/** `set-cookie` (joined with `, ` by the HTTP layer) → a `cookie` header of the name=value pairs. */
export function cookieHeaderOf(setCookie: string | undefined): string | undefined {
  if (!setCookie) return undefined;
  // Split only before `name=`, so the comma inside an `Expires=Thu, 01 Jan …` date survives.
  const pairs = setCookie
    .split(/,(?=\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=)/)
    .map((c) => c.split(';', 1)[0]?.trim() ?? '')
    .filter((c) => c.includes('='));
  return pairs.length ? pairs.join('; ') : undefined;
}

interface Csrf {
  token: string;
  cookie?: string;
}

export async function fetchCsrf(ctx: SapContext, service: string): Promise<Csrf> {
  const res = await send(ctx, { method: 'GET', url: serviceRoot(ctx.config, service), query: baseQuery(ctx.config), headers: { 'x-csrf-token': 'Fetch' } });
  if (!isOk(res)) throw vendorFailure(res, `SAP ${service} (CSRF token fetch)`, odataErrorText(res.body));
  const token = res.headers['x-csrf-token'];
  if (!token || token.toLowerCase() === 'required') throw connectorError(`SAP ${service} answered the CSRF token fetch without a token`);
  return { token, cookie: cookieHeaderOf(res.headers['set-cookie']) };
}

function csrfRequired(res: ConnectorHttpResponse): boolean {
  return res.status === 403 && (res.headers['x-csrf-token'] ?? '').toLowerCase() === 'required';
}

/**
 * One OData call to `<service root><path>`. Writes carry a freshly fetched CSRF token and its
 * session cookies.
 */
export async function call(
  ctx: SapContext,
  method: ConnectorHttpRequest['method'],
  service: string,
  path: string,
  opts: { body?: unknown; query?: Record<string, string> } = {},
): Promise<ConnectorHttpResponse> {
  const url = joinUrl(serviceRoot(ctx.config, service), path);
  const query = { ...baseQuery(ctx.config), ...opts.query };
  const what = `SAP ${method} ${service}/${path.split('?')[0]}`;
  if (method === 'GET') {
    const res = await send(ctx, { method, url, query });
    if (!isOk(res)) throw vendorFailure(res, what, odataErrorText(res.body));
    return res;
  }
  for (let attempt = 0; ; attempt++) {
    const csrf = await fetchCsrf(ctx, service);
    const headers: Record<string, string> = { 'x-csrf-token': csrf.token, 'content-type': 'application/json' };
    if (csrf.cookie) headers.cookie = csrf.cookie;
    const res = await send(ctx, { method, url, query, headers, body: opts.body });
    if (csrfRequired(res) && attempt === 0) continue;
    if (!isOk(res)) throw vendorFailure(res, what, csrfRequired(res) ? 'CSRF token validation failed twice' : odataErrorText(res.body));
    return res;
  }
}

// --- OData V2 values -------------------------------------------------------------------------

/** A key predicate value: `'…'` with quotes doubled, URL-encoded inside. */
export function key(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

/** A literal inside `$filter`: `'…'` with quotes doubled (the query string is encoded as a whole). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `YYYY-MM-DD` → the OData V2 JSON date `/Date(<ms>)/` (midnight UTC, as SAP reads Edm.DateTime dates). */
export function odataDate(date: string): string {
  return `/Date(${Date.parse(`${date}T00:00:00Z`)})/`;
}

/** Edm.Decimal travels as a string in OData V2 JSON. */
export function decimal(value: number | string): string {
  return typeof value === 'number' ? String(value) : value;
}

const DATE_RE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/**
 * An entity as users want it in expressions: without `__metadata` and unexpanded (`__deferred`)
 * navigations, `{ results: [...] }` as plain arrays, and `/Date(ms)/` as `YYYY-MM-DD` (midnight)
 * or an ISO timestamp.
 */
export function plainEntity(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainEntity);
  if (typeof value === 'string') {
    const m = DATE_RE.exec(value);
    if (!m) return value;
    const iso = new Date(Number(m[1])).toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'results' && Array.isArray(obj.results)) return plainEntity(obj.results);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '__metadata') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && '__deferred' in v) continue;
    out[k] = plainEntity(v);
  }
  return out;
}

export function entityOf(res: ConnectorHttpResponse, what: string): Record<string, unknown> {
  const d = (res.body as { d?: unknown } | undefined)?.d;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw connectorError(`${what}: the answer has no OData entity ({ d: … })`);
  return plainEntity(d) as Record<string, unknown>;
}

export function entitiesOf(res: ConnectorHttpResponse, what: string): Array<Record<string, unknown>> {
  const d = (res.body as { d?: { results?: unknown } } | undefined)?.d;
  if (!d || !Array.isArray(d.results)) throw connectorError(`${what}: the answer has no OData collection ({ d: { results } })`);
  return plainEntity(d.results) as Array<Record<string, unknown>>;
}
