/**
 * SALESFORCE_CONNECTOR: the Salesforce REST API (sObjects and SOQL) behind an OAuth 2.0 token
 * from the client credentials or the JWT bearer flow. The token is cached per connector in the
 * worker until it expires; a data call answered 401 INVALID_SESSION_ID gets a fresh token once.
 */
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { parseRetryAfter } from '../http/request';
import { NodeCallError } from '../node-call-error';
import type { ConnectorContext, ConnectorDriver, ConnectorHttpResponse, ConnectorOperation } from './driver';
import { httpUrl, maxResponseBytes } from './config-fields';
import { cachedToken, oauthErrorText, postTokenForm, renewalTime, tokenEndpointFailure } from './oauth2';
import { connectorError, isOk, joinUrl, vendorFailure } from './vendor-errors';

/** Non-secret settings of a Salesforce connector. */
export const SalesforceConfigSchema = z.strictObject({
  /** The org's My Domain URL; when absent, the `instance_url` the token endpoint answers. */
  instanceUrl: httpUrl.optional(),
  loginUrl: httpUrl.default('https://login.salesforce.com'),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v60.0')
    .default('v60.0'),
  authFlow: z.enum(['client_credentials', 'jwt_bearer']),
  clientId: z.string().min(1),
  /** The user the JWT bearer flow acts as. */
  username: z.string().min(1).optional(),
  /** How long a token is reused when the token endpoint does not say (Salesforce does not). */
  tokenTtlSeconds: z.number().int().min(60).default(3600),
  maxResponseBytes,
});
export type SalesforceConfig = z.output<typeof SalesforceConfigSchema>;

/** Credentials: the connected app's consumer secret, or the PEM private key whose certificate it holds. */
export const SalesforceSecretsSchema = z.strictObject({
  clientSecret: z.string().min(1).optional(),
  privateKey: z
    .string()
    .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be a PEM private key')
    .optional(),
});
export type SalesforceSecrets = z.output<typeof SalesforceSecretsSchema>;

type Ctx = ConnectorContext<SalesforceConfig, SalesforceSecrets>;

interface CachedToken {
  accessToken: string;
  instanceUrl: string;
  expiresAt: number;
}

const TOKEN_KEY = 'salesforce:token';

/** An RS256 JWT for the JWT bearer flow (Salesforce accepts at most 3 minutes of validity). */
function jwtAssertion(config: SalesforceConfig, privateKey: string): string {
  const claims = { iss: config.clientId, sub: config.username, aud: config.loginUrl.replace(/\/+$/, ''), exp: Math.floor(Date.now() / 1000) + 180 };
  try {
    return jwt.sign(claims, privateKey, { algorithm: 'RS256', noTimestamp: true });
  } catch {
    // The key's own error text may quote it: say only that it is unusable.
    throw new NodeCallError('AUTH_FAILED', 'the privateKey secret is not a usable RSA private key', false);
  }
}

async function fetchToken(ctx: Ctx): Promise<CachedToken> {
  const { config, secrets } = ctx;
  const form = new URLSearchParams();
  if (config.authFlow === 'client_credentials') {
    if (!secrets.clientSecret) throw new NodeCallError('AUTH_FAILED', 'the clientSecret secret is not set', false);
    form.set('grant_type', 'client_credentials');
    form.set('client_id', config.clientId);
    form.set('client_secret', secrets.clientSecret);
  } else {
    if (!secrets.privateKey) throw new NodeCallError('AUTH_FAILED', 'the privateKey secret is not set', false);
    form.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    form.set('assertion', jwtAssertion(config, secrets.privateKey));
  }
  const res = await postTokenForm(ctx, joinUrl(config.loginUrl, '/services/oauth2/token'), form);
  if (!isOk(res)) {
    const detail = oauthErrorText(res.body);
    throw tokenEndpointFailure(
      res,
      `Salesforce refused the ${config.authFlow} token request: ${detail ?? res.status}`,
      'the Salesforce token endpoint',
      detail,
    );
  }
  const body = res.body as { access_token?: unknown; instance_url?: unknown; expires_in?: unknown };
  if (typeof body?.access_token !== 'string') throw connectorError('the Salesforce token endpoint answered without an access_token');
  const instanceUrl = config.instanceUrl ?? (typeof body.instance_url === 'string' ? body.instance_url : undefined);
  if (!instanceUrl) throw connectorError('no instanceUrl configured and the token answer has no instance_url');
  const ttl = typeof body.expires_in === 'number' ? body.expires_in : config.tokenTtlSeconds;
  return { accessToken: body.access_token, instanceUrl, expiresAt: renewalTime(ttl) };
}

function token(ctx: Ctx, fresh: boolean): Promise<CachedToken> {
  return cachedToken(ctx.cache, TOKEN_KEY, fresh, () => fetchToken(ctx));
}

/** Salesforce answers errors as `[{ message, errorCode, fields? }]`. */
function salesforceErrors(body: unknown): Array<{ message: string; errorCode: string }> {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  return list.flatMap((e: unknown) => {
    const x = e as { message?: unknown; errorCode?: unknown };
    return typeof x?.errorCode === 'string' ? [{ errorCode: x.errorCode, message: typeof x.message === 'string' ? x.message : '' }] : [];
  });
}

function failureOf(res: ConnectorHttpResponse, what: string): NodeCallError {
  const errors = salesforceErrors(res.body);
  const detail = errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ') || undefined;
  // Salesforce reports an exhausted API quota as 403 REQUEST_LIMIT_EXCEEDED, not 429.
  if (res.status !== 429 && errors.some((e) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED')) {
    return new NodeCallError('RATE_LIMITED', `${what} was rate limited: ${detail}`, true, res.status, parseRetryAfter(res.headers['retry-after']));
  }
  return vendorFailure(res, what, detail);
}

/**
 * One authenticated REST call: `path` below the instance URL (or an absolute `/services/…` path
 * Salesforce handed out, such as `nextRecordsUrl`).
 */
async function call(ctx: Ctx, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, query?: Record<string, string>): Promise<ConnectorHttpResponse> {
  for (let fresh = false; ; fresh = true) {
    const t = await token(ctx, fresh);
    const res = await ctx.http({
      method,
      url: joinUrl(t.instanceUrl, path),
      headers: { authorization: `Bearer ${t.accessToken}`, accept: 'application/json' },
      query,
      body,
    });
    if (res.status === 401 && !fresh && salesforceErrors(res.body).some((e) => e.errorCode === 'INVALID_SESSION_ID')) continue;
    if (!isOk(res)) throw failureOf(res, `Salesforce ${method} ${path.split('?')[0]}`);
    return res;
  }
}

function dataPath(ctx: Ctx, rest: string): string {
  return `/services/data/${ctx.config.apiVersion}/${rest}`;
}

const sobjectId = z.string().regex(/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');
const fields = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name'), z.unknown());

function createOperation(type: string, required: string[]): ConnectorOperation<{ fields: Record<string, unknown> }> {
  return {
    description: `Creates a ${type} (POST /sobjects/${type}); answers { id, success }.`,
    params: z.strictObject({
      fields: fields.refine((f) => required.every((r) => f[r] !== undefined && f[r] !== ''), `${type} needs ${required.join(', ')}`),
    }),
    writes: true,
    async run(ctx, params) {
      const res = await call(ctx as Ctx, 'POST', dataPath(ctx as Ctx, `sobjects/${type}`), params.fields);
      const body = res.body as { id?: unknown; success?: unknown };
      if (typeof body?.id !== 'string') throw connectorError(`Salesforce created a ${type} but answered no id`);
      return { id: body.id, success: body.success !== false, type };
    },
  };
}

const getAccount: ConnectorOperation<{ id: string; fields?: string[] }> = {
  description: 'Reads an Account by id (GET /sobjects/Account/{id}), optionally only the listed fields.',
  params: z.strictObject({
    id: sobjectId,
    fields: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]*$/))
      .min(1)
      .optional(),
  }),
  writes: false,
  async run(ctx, params) {
    const query = params.fields ? { fields: params.fields.join(',') } : undefined;
    const res = await call(ctx as Ctx, 'GET', dataPath(ctx as Ctx, `sobjects/Account/${params.id}`), undefined, query);
    return res.body;
  },
};

const updateAccount: ConnectorOperation<{ id: string; fields: Record<string, unknown> }> = {
  description: 'Updates fields of an Account (PATCH /sobjects/Account/{id}); answers { id, updated: true }.',
  params: z.strictObject({ id: sobjectId, fields: fields.refine((f) => Object.keys(f).length > 0, 'at least one field') }),
  writes: true,
  async run(ctx, params) {
    await call(ctx as Ctx, 'PATCH', dataPath(ctx as Ctx, `sobjects/Account/${params.id}`), params.fields);
    return { id: params.id, updated: true };
  },
};

const query: ConnectorOperation<{ soql: string; maxRecords: number }> = {
  description: 'Runs a SOQL query (GET /query?q=), following nextRecordsUrl pages until done or maxRecords records.',
  params: z.strictObject({ soql: z.string().min(1), maxRecords: z.number().int().min(1).max(50_000).default(2000) }),
  writes: false,
  async run(ctx, params) {
    const c = ctx as Ctx;
    let res = await call(c, 'GET', dataPath(c, 'query'), undefined, { q: params.soql });
    const records: unknown[] = [];
    let totalSize = 0;
    let pages = 0;
    for (;;) {
      const page = res.body as { totalSize?: unknown; done?: unknown; records?: unknown; nextRecordsUrl?: unknown };
      if (!Array.isArray(page?.records)) throw connectorError('Salesforce answered a query without records');
      pages++;
      totalSize = typeof page.totalSize === 'number' ? page.totalSize : totalSize;
      records.push(...page.records);
      const next = typeof page.nextRecordsUrl === 'string' ? page.nextRecordsUrl : undefined;
      if (page.done === true || !next || records.length >= params.maxRecords) break;
      // Salesforce hands out the next page as a path of its own; refuse anything else.
      if (!next.startsWith(`/services/data/`)) throw connectorError(`unexpected nextRecordsUrl ${next}`);
      res = await call(c, 'GET', next);
    }
    const truncated = records.length > params.maxRecords || records.length < totalSize;
    return { totalSize, records: records.slice(0, params.maxRecords), pages, truncated };
  },
};

/** The Salesforce driver: OAuth 2.0 (client credentials or JWT bearer) and REST sObjects / SOQL. */
export const salesforceDriver: ConnectorDriver = {
  type: 'salesforce',
  configSchema: SalesforceConfigSchema,
  secretsSchema: SalesforceSecretsSchema,
  validate(config, secrets) {
    const c = config as SalesforceConfig;
    const s = secrets as SalesforceSecrets;
    const problems: Array<{ path: string; message: string }> = [];
    if (c.authFlow === 'client_credentials' && !s.clientSecret)
      problems.push({ path: '/secrets/clientSecret', message: 'client_credentials needs clientSecret' });
    if (c.authFlow === 'jwt_bearer') {
      if (!s.privateKey) problems.push({ path: '/secrets/privateKey', message: 'jwt_bearer needs privateKey' });
      if (!c.username) problems.push({ path: '/config/username', message: 'jwt_bearer needs username' });
    }
    return problems;
  },
  operations: {
    createAccount: createOperation('Account', ['Name']),
    getAccount,
    updateAccount,
    createContact: createOperation('Contact', ['LastName']),
    createOpportunity: createOperation('Opportunity', ['Name', 'StageName', 'CloseDate']),
    query,
  },
  async testConnection(ctx) {
    const c = ctx as Ctx;
    // A fresh token proves the credentials; the limits resource proves the token works on data.
    await token(c, true);
    await call(c, 'GET', dataPath(c, 'limits'));
    return { message: `authenticated with ${c.config.authFlow}; REST API ${c.config.apiVersion} answered` };
  },
};
