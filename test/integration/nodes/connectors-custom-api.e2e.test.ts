/**
 * CUSTOM_API nodes and API_CALL with `connectorId` end to end: each auth mode of a stored
 * custom_api connector reaches a real loopback API as that API checks it (basic, bearer, API
 * key, OAuth 2.0 client credentials with a token endpoint), the node's request goes below the
 * base URL, failures keep their codes, and the credentials stay out of workflow history.
 */
import { randomBytes } from 'node:crypto';
import { json, startFakeService, type FakeService, type RecordedRequest } from '../../support/fake-service';
import { runGraph, startTestWeft, type TestWeft } from '../../support/harness';

const TOKEN = `bearer-${randomBytes(8).toString('hex')}`;
const API_KEY = `key-${randomBytes(8).toString('hex')}`;
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const CLIENT_SECRET = `cs-${randomBytes(8).toString('hex')}`;
const SECRETS = [TOKEN, API_KEY, PASSWORD, CLIENT_SECRET];

let t: TestWeft;
let svc: FakeService;
const ids: Record<string, string> = {};
const instances: string[] = [];
const issued: string[] = [];

/** The fake API: `/oauth/token` issues tokens for the right client; `/api/*` echoes who called. */
function authorised(req: RecordedRequest): string | undefined {
  const auth = req.headers.authorization ?? '';
  if (auth === `Bearer ${TOKEN}`) return 'bearer';
  if (req.headers['x-api-key'] === API_KEY) return 'api_key';
  if (auth === `Basic ${Buffer.from(`weft:${PASSWORD}`).toString('base64')}`) return 'basic';
  if (issued.some((tok) => auth === `Bearer ${tok}`)) return 'oauth2';
  return undefined;
}

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => {
    if (req.url === '/oauth/token') {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== 'weft' || form.get('client_secret') !== CLIENT_SECRET) {
        json(res, 401, { error: 'invalid_client' });
        return;
      }
      const tok = randomBytes(12).toString('hex');
      issued.push(tok);
      json(res, 200, { access_token: tok, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') });
      return;
    }
    const who = authorised(req);
    if (!who) {
      json(res, 401, { error: 'unauthorised' });
      return;
    }
    if (req.url.startsWith('/api/missing')) {
      json(res, 404, { error: 'no such thing' });
      return;
    }
    json(res, req.method === 'POST' ? 201 : 200, {
      who,
      method: req.method,
      url: req.url,
      tenant: req.headers['x-tenant'] ?? null,
      body: req.body ? JSON.parse(req.body) : null,
    });
  });
  t = await startTestWeft({ allowedHosts: [svc.host] });
  const make = async (name: string, config: Record<string, unknown>, secrets: Record<string, unknown>) => {
    const res = await t.api('POST', '/api/v1/connectors', { name, type: 'custom_api', config: { baseUrl: `${svc.url}/api`, ...config }, secrets });
    expect(res.status).toBe(201);
    ids[name] = res.body.id;
  };
  await make('bearer', { auth: 'bearer', headers: { 'X-Tenant': 'plant-7' } }, { token: TOKEN });
  await make('api_key', { auth: 'api_key', apiKeyHeader: 'X-Api-Key' }, { apiKey: API_KEY });
  await make('basic', { auth: 'basic' }, { username: 'weft', password: PASSWORD });
  await make(
    'oauth2',
    { auth: 'oauth2_client_credentials', tokenUrl: `${svc.url}/oauth/token`, clientId: 'weft', scope: 'orders' },
    { clientSecret: CLIENT_SECRET },
  );
  await make('wrong', { auth: 'bearer' }, { token: 'not-it' });
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

beforeEach(() => {
  svc.requests.length = 0;
});

async function run(node: { type: string; properties: Record<string, unknown> }, input: unknown = {}) {
  const out = await runGraph(
    t,
    {
      name: `custom-${randomBytes(3).toString('hex')}`,
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'call', ...node },
        { id: 'end', type: 'END', properties: { output: { result: 'nodes.call.output' } } },
      ],
      edges: [
        { source: 'start', target: 'call' },
        { source: 'call', target: 'end' },
      ],
    },
    input,
  );
  instances.push(out.id);
  return out;
}

test.each(['bearer', 'api_key', 'basic', 'oauth2'])('CUSTOM_API with %s auth sends the request below the base URL as the API expects', async (mode) => {
  const out = await run(
    {
      type: 'CUSTOM_API',
      properties: {
        connector: mode,
        operation: 'request',
        params: { method: 'POST', path: '/orders/${input.order}', query: { dryRun: 'false' }, body: { qty: '${input.qty}', note: 'order {{input.order}}' } },
      },
    },
    { order: 'A-1', qty: 3 },
  );
  expect(out.status).toBe('completed');
  expect(out.output.result).toMatchObject({
    status: 201,
    body: { who: mode, method: 'POST', url: '/api/orders/A-1?dryRun=false', body: { qty: 3, note: 'order A-1' }, tenant: mode === 'bearer' ? 'plant-7' : null },
  });
  if (mode === 'oauth2') {
    const tokenCall = svc.requests.find((r) => r.url === '/oauth/token');
    // One token per worker and connector, reused until it expires.
    if (tokenCall) expect(new URLSearchParams(tokenCall.body).get('scope')).toBe('orders');
  }
});

test('API_CALL with connectorId borrows base URL and auth; credentials never go to another URL', async () => {
  const out = await run({ type: 'API_CALL', properties: { connectorId: ids.api_key, method: 'GET', url: '/items/${input.id}' } }, { id: 42 });
  expect(out.status).toBe('completed');
  expect(out.output.result).toMatchObject({ status: 200, body: { who: 'api_key', url: '/api/items/42' } });

  const elsewhere = await run({ type: 'API_CALL', properties: { connectorId: ids.api_key, url: `${svc.url}/other/place` } });
  expect(elsewhere.status).toBe('failed');
  expect(elsewhere.error.code).toBe('INVALID_URL');
  expect(svc.requests).toHaveLength(1);

  const sf = await run({ type: 'API_CALL', properties: { connectorId: 'no-such-connector', url: '/x' } });
  expect(sf.error.code).toBe('CONNECTOR_NOT_FOUND');
});

test('refused credentials fail AUTH_FAILED and a 404 HTTP_404, neither retried', async () => {
  const refused = await run({
    type: 'CUSTOM_API',
    properties: { connector: 'wrong', operation: 'request', params: { path: '/orders' }, retry: { maxAttempts: 3, strategy: 'FIXED', initialIntervalMs: 100 } },
  });
  expect(refused.error).toMatchObject({ code: 'AUTH_FAILED' });
  const missing = await run({
    type: 'CUSTOM_API',
    properties: {
      connector: 'bearer',
      operation: 'request',
      params: { path: '/missing' },
      retry: { maxAttempts: 3, strategy: 'FIXED', initialIntervalMs: 100 },
    },
  });
  expect(missing.error).toMatchObject({ code: 'HTTP_404' });
  expect(svc.requests).toHaveLength(2);
});

test('a path that is really a URL is refused before anything is sent', async () => {
  const out = await run({ type: 'CUSTOM_API', properties: { connector: 'bearer', operation: 'request', params: { path: 'http://169.254.169.254/latest' } } });
  expect(out.error.code).toBe('VALIDATION_ERROR');
  expect(svc.requests).toHaveLength(0);
});

test('no credential or issued token is in the history of any run', async () => {
  expect(issued.length).toBeGreaterThan(0);
  for (const id of instances) {
    const text = JSON.stringify(await t.temporal.workflow.getHandle(id).fetchHistory(), (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
    );
    expect(text).toContain('call');
    for (const s of [...SECRETS, ...issued]) expect(text).not.toContain(s);
  }
});
