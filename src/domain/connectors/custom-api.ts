/**
 * CUSTOM_API: any HTTP API under one base URL, with one of the common auth modes. The stored
 * connector keeps the credentials out of the graph; the node says method, path, query, headers
 * and body.
 */
import { z } from 'zod';
import type { ConnectorContext, ConnectorDriver, ConnectorHttpRequest, ConnectorOperation } from './driver';
import { httpUrl, maxResponseBytes } from './config-fields';
import { postTokenForm, renewalTime, tokenEndpointFailure } from './oauth2';
import { connectorError, isOk, joinUrl, vendorFailure } from './vendor-errors';

/** How a custom API connector authenticates. */
export const CUSTOM_API_AUTH_MODES = ['none', 'basic', 'bearer', 'api_key', 'oauth2_client_credentials'] as const;

/** Non-secret settings of a custom API connector. */
export const CustomApiConfigSchema = z.strictObject({
  baseUrl: httpUrl,
  auth: z.enum(CUSTOM_API_AUTH_MODES).default('none'),
  /** The header an `api_key` goes in. */
  apiKeyHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be a header name')
    .default('X-API-Key'),
  tokenUrl: httpUrl.optional(),
  clientId: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  /** Headers sent with every call (not secret: shown by the API). */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
  maxResponseBytes,
});
export type CustomApiConfig = z.output<typeof CustomApiConfigSchema>;

/** Credentials of the auth modes: username/password (basic), token (bearer), apiKey, clientSecret (OAuth 2.0). */
export const CustomApiSecretsSchema = z.strictObject({
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  token: z.string().min(1).optional(),
  apiKey: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
});
export type CustomApiSecrets = z.output<typeof CustomApiSecretsSchema>;

type Ctx = ConnectorContext<CustomApiConfig, CustomApiSecrets>;

const TOKEN_KEY = 'custom_api:token';

async function oauthToken(ctx: Ctx, fresh: boolean): Promise<string> {
  const cached = ctx.cache.get(TOKEN_KEY) as { token: string; expiresAt: number } | undefined;
  if (!fresh && cached && cached.expiresAt > Date.now()) return cached.token;
  const { config, secrets } = ctx;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId ?? '', client_secret: secrets.clientSecret ?? '' });
  if (config.scope) form.set('scope', config.scope);
  const res = await postTokenForm(ctx, config.tokenUrl as string, form);
  if (!isOk(res)) throw tokenEndpointFailure(res, `the token endpoint refused the client (${res.status})`, 'the token endpoint');
  const body = res.body as { access_token?: unknown; expires_in?: unknown };
  if (typeof body?.access_token !== 'string') throw connectorError('the token endpoint answered without an access_token');
  const ttl = typeof body.expires_in === 'number' ? body.expires_in : 300;
  ctx.cache.set(TOKEN_KEY, { token: body.access_token, expiresAt: renewalTime(ttl) });
  return body.access_token;
}

/** The auth headers of the connector's mode (a fresh OAuth token when `fresh`). */
export async function authHeaders(ctx: Ctx, fresh = false): Promise<Record<string, string>> {
  const { config, secrets } = ctx;
  switch (config.auth) {
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${secrets.username ?? ''}:${secrets.password ?? ''}`).toString('base64')}` };
    case 'bearer':
      return { authorization: `Bearer ${secrets.token ?? ''}` };
    case 'api_key':
      return { [config.apiKeyHeader.toLowerCase()]: secrets.apiKey ?? '' };
    case 'oauth2_client_credentials':
      return { authorization: `Bearer ${await oauthToken(ctx, fresh)}` };
    default:
      return {};
  }
}

/**
 * Sends one request with the connector's base URL, default headers and auth. An OAuth 2.0 token
 * refused with 401 is renewed once. Other non-2xx answers fail with the contract's codes.
 */
export async function customApiRequest(
  ctx: Ctx,
  req: Omit<ConnectorHttpRequest, 'url'> & { path: string },
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  for (let fresh = false; ; fresh = true) {
    // The node's own headers cannot replace the credentials' header.
    const headers = { ...ctx.config.headers, ...req.headers, ...(await authHeaders(ctx, fresh)) };
    const res = await ctx.http({ method: req.method, url: joinUrl(ctx.config.baseUrl, req.path), headers, query: req.query, body: req.body });
    if (res.status === 401 && ctx.config.auth === 'oauth2_client_credentials' && !fresh) continue;
    if (!isOk(res)) throw vendorFailure(res, `${req.method} ${req.path}`);
    return res;
  }
}

const request: ConnectorOperation<{
  method: ConnectorHttpRequest['method'];
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
}> = {
  description: 'Sends one HTTP request below the base URL with the connector auth; answers { status, headers, body }.',
  params: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    path: z.string().refine((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p) && !p.startsWith('//'), 'must be a path below the base URL, not a URL'),
    query: z.record(z.string().min(1), z.string()).default({}),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
    body: z.unknown().optional(),
  }),
  writes: true,
  run: (ctx, params) => customApiRequest(ctx as Ctx, params),
};

/** The custom API driver. */
export const customApiDriver: ConnectorDriver = {
  type: 'custom_api',
  configSchema: CustomApiConfigSchema,
  secretsSchema: CustomApiSecretsSchema,
  validate(config, secrets) {
    const c = config as CustomApiConfig;
    const s = secrets as CustomApiSecrets;
    const problems: Array<{ path: string; message: string }> = [];
    const need = (ok: boolean, path: string, message: string) => {
      if (!ok) problems.push({ path, message });
    };
    if (c.auth === 'basic') need(!!s.username, '/secrets/username', 'basic auth needs username (and password)');
    if (c.auth === 'bearer') need(!!s.token, '/secrets/token', 'bearer auth needs token');
    if (c.auth === 'api_key') need(!!s.apiKey, '/secrets/apiKey', 'api_key auth needs apiKey');
    if (c.auth === 'oauth2_client_credentials') {
      need(!!c.tokenUrl, '/config/tokenUrl', 'oauth2_client_credentials needs tokenUrl');
      need(!!c.clientId, '/config/clientId', 'oauth2_client_credentials needs clientId');
      need(!!s.clientSecret, '/secrets/clientSecret', 'oauth2_client_credentials needs clientSecret');
    }
    return problems;
  },
  operations: { request },
  async testConnection(ctx) {
    const c = ctx as Ctx;
    if (c.config.auth === 'oauth2_client_credentials') await oauthToken(c, true);
    const res = await customApiRequest(c, { method: 'GET', path: '/' });
    return { message: `GET ${c.config.baseUrl} answered ${res.status} with ${c.config.auth} auth` };
  },
};
