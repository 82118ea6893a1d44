/**
 * `/api/v1/connectors` over real HTTP: create, list, get, update (secrets merged), delete;
 * validation problems located by JSON paths; secrets never in any answer; connection tests
 * against real loopback services; operations listed with JSON Schema params; roles.
 */
import { sql } from 'drizzle-orm';
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-salesforce';
import { startTestWeft, type TestWeft } from '../support/harness';

const CLIENT_SECRET = 'sf-client-secret-7c1e9a';
const BEARER = 'custom-bearer-token-51d2f0';

let t: TestWeft;
let svc: FakeService;
let sf: FakeSalesforce;
/** Every body the API answered in this file, to prove no secret ever left it. */
const answered: string[] = [];

async function api(method: string, path: string, body?: unknown, opts?: { token?: string | null }) {
  const res = await t.api(method, path, body, opts);
  answered.push(JSON.stringify(res.body ?? ''));
  return res;
}

beforeAll(async () => {
  svc = await startFakeService();
  sf = await startFakeSalesforce({ clientId: 'weft-app', clientSecret: CLIENT_SECRET });
  t = await startTestWeft({ worker: false, allowedHosts: [svc.host, sf.host] });
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await svc?.close();
  await sf?.close();
});

const salesforce = (name = 'Salesforce prod') => ({
  name,
  type: 'salesforce',
  description: 'the CRM',
  config: { loginUrl: sf.url, authFlow: 'client_credentials', clientId: 'weft-app' },
  secrets: { clientSecret: CLIENT_SECRET },
});

test('create answers 201 with defaults applied and secrets shown only as "set"; get and list agree', async () => {
  const created = await api('POST', '/api/v1/connectors', salesforce('SF create'));
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`/api/v1/connectors/${created.body.id}`);
  expect(created.body).toMatchObject({
    name: 'SF create',
    type: 'salesforce',
    description: 'the CRM',
    config: { loginUrl: sf.url, authFlow: 'client_credentials', clientId: 'weft-app', apiVersion: 'v60.0' },
    secrets: { clientSecret: 'set' },
    lastTestedAt: null,
    lastTestOk: null,
    createdBy: 'admin-user',
  });
  const got = await api('GET', `/api/v1/connectors/${created.body.id}`);
  expect(got.status).toBe(200);
  expect(got.body).toEqual(created.body);
  const list = await api('GET', '/api/v1/connectors');
  expect(list.body.items.map((c: { name: string }) => c.name)).toContain('SF create');
  // The database holds ciphertext, not the secret.
  const stored = await t.weft.database.db.execute(sql`select secrets from connectors where id = ${created.body.id}`);
  const cipher = JSON.stringify(stored);
  expect(cipher).toMatch(/v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+/);
  expect(cipher).not.toContain(CLIENT_SECRET);
});

test('names are unique regardless of case: 409 CONNECTOR_CONFLICT', async () => {
  expect((await api('POST', '/api/v1/connectors', salesforce('Unique One'))).status).toBe(201);
  const again = await api('POST', '/api/v1/connectors', salesforce('UNIQUE one'));
  expect(again.status).toBe(409);
  expect(again.body).toMatchObject({ code: 'CONNECTOR_CONFLICT', errors: [{ path: '/name' }] });
});

test('invalid config and secrets are 422 problems naming each path', async () => {
  const bad = await api('POST', '/api/v1/connectors', {
    name: 'broken',
    type: 'custom_api',
    config: { baseUrl: 'ftp://files.example.com', auth: 'kerberos' },
    secrets: { token: 42, extra: 'x' },
  });
  expect(bad.status).toBe(422);
  expect(bad.headers.get('content-type')).toContain('application/problem+json');
  expect(bad.body.code).toBe('VALIDATION_ERROR');
  const paths = bad.body.errors.map((e: { path: string }) => e.path).sort();
  expect(paths).toEqual(['/config/auth', '/config/baseUrl', '/secrets/extra', '/secrets/token']);

  // The secret an auth mode needs.
  const missing = await api('POST', '/api/v1/connectors', { name: 'no secret', type: 'custom_api', config: { baseUrl: svc.url, auth: 'bearer' } });
  expect(missing.status).toBe(422);
  expect(missing.body.errors).toEqual([expect.objectContaining({ path: '/secrets/token' })]);

  const jwt = await api('POST', '/api/v1/connectors', { name: 'jwt', type: 'salesforce', config: { loginUrl: sf.url, authFlow: 'jwt_bearer', clientId: 'x' } });
  expect(jwt.status).toBe(422);
  expect(jwt.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/config/username', '/secrets/privateKey']);

  const unknownType = await api('POST', '/api/v1/connectors', { name: 'x', type: 'oracle', config: {} });
  expect(unknownType.status).toBe(400);
  expect(unknownType.body.errors[0].path).toBe('/type');
});

test('PUT replaces config, merges secrets (omitted ones kept, null removes) and re-validates', async () => {
  const created = await api('POST', '/api/v1/connectors', {
    name: 'Custom merge',
    type: 'custom_api',
    config: { baseUrl: svc.url, auth: 'basic' },
    secrets: { username: 'weft', password: 'pw-one-8f3a' },
  });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const renamed = await api('PUT', `/api/v1/connectors/${id}`, {
    name: 'Custom merged',
    config: { baseUrl: svc.url, auth: 'basic', headers: { 'X-Tenant': 't1' } },
  });
  expect(renamed.status).toBe(200);
  expect(renamed.body).toMatchObject({ name: 'Custom merged', secrets: { username: 'set', password: 'set' }, config: { headers: { 'X-Tenant': 't1' } } });
  expect(new Date(renamed.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.body.updatedAt).getTime());

  // Switching to bearer needs a token; giving it keeps the basic ones until removed.
  const noToken = await api('PUT', `/api/v1/connectors/${id}`, { name: 'Custom merged', config: { baseUrl: svc.url, auth: 'bearer' } });
  expect(noToken.status).toBe(422);
  expect(noToken.body.errors[0].path).toBe('/secrets/token');
  const bearer = await api('PUT', `/api/v1/connectors/${id}`, {
    name: 'Custom merged',
    config: { baseUrl: svc.url, auth: 'bearer' },
    secrets: { token: BEARER, username: null, password: null },
  });
  expect(bearer.status).toBe(200);
  expect(bearer.body.secrets).toEqual({ token: 'set' });

  // The merged secret is the one used: the test call carries the new bearer token.
  svc.requests.length = 0;
  svc.handle((req, res) => (req.headers.authorization === `Bearer ${BEARER}` ? json(res, 200, { ok: true }) : json(res, 401, { error: 'no' })));
  const tested = await api('POST', `/api/v1/connectors/${id}/test`);
  expect(tested.status).toBe(200);
  expect(tested.body).toMatchObject({ ok: true });
  expect(svc.requests[0]?.headers['x-tenant']).toBeUndefined();

  expect((await api('PUT', '/api/v1/connectors/does-not-exist', { name: 'x', config: {} })).status).toBe(404);
});

test('POST /test records success and failure; a refused credential is ok:false AUTH_FAILED', async () => {
  const good = await api('POST', '/api/v1/connectors', salesforce('SF test'));
  const ok = await api('POST', `/api/v1/connectors/${good.body.id}/test`);
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ ok: true, message: expect.stringContaining('client_credentials') });
  const after = await api('GET', `/api/v1/connectors/${good.body.id}`);
  expect(after.body.lastTestOk).toBe(true);
  expect(after.body.lastTestedAt).toBe(ok.body.testedAt);

  const bad = await api('POST', '/api/v1/connectors', { ...salesforce('SF wrong secret'), secrets: { clientSecret: 'not-the-secret' } });
  const failed = await api('POST', `/api/v1/connectors/${bad.body.id}/test`);
  expect(failed.status).toBe(200);
  expect(failed.body).toMatchObject({ ok: false, code: 'AUTH_FAILED', message: expect.stringContaining('invalid_client') });
  expect((await api('GET', `/api/v1/connectors/${bad.body.id}`)).body.lastTestOk).toBe(false);
});

test('a connection test to a private address not allowed is refused by the SSRF guard', async () => {
  const c = await api('POST', '/api/v1/connectors', { name: 'metadata', type: 'custom_api', config: { baseUrl: 'http://169.254.169.254/latest' } });
  expect(c.status).toBe(201);
  const tested = await api('POST', `/api/v1/connectors/${c.body.id}/test`);
  expect(tested.body).toMatchObject({ ok: false, code: 'SSRF_BLOCKED' });
});

test('operations are listed with their params as JSON Schema', async () => {
  const c = await api('POST', '/api/v1/connectors', salesforce('SF ops'));
  const ops = await api('GET', `/api/v1/connectors/${c.body.id}/operations`);
  expect(ops.status).toBe(200);
  const names = ops.body.items.map((o: { name: string }) => o.name);
  expect(names).toEqual(['createAccount', 'getAccount', 'updateAccount', 'createContact', 'createOpportunity', 'query']);
  const query = ops.body.items.find((o: { name: string }) => o.name === 'query');
  expect(query).toMatchObject({
    writes: false,
    params: { type: 'object', properties: { soql: { type: 'string' }, maxRecords: { type: 'integer', default: 2000 } }, required: ['soql'] },
  });
  expect(query.params.$schema).toMatch(/json-schema/);

  const custom = await api('POST', '/api/v1/connectors', { name: 'ops custom', type: 'custom_api', config: { baseUrl: svc.url } });
  const customOps = await api('GET', `/api/v1/connectors/${custom.body.id}/operations`);
  expect(customOps.body.items).toEqual([
    expect.objectContaining({
      name: 'request',
      writes: true,
      params: expect.objectContaining({
        properties: expect.objectContaining({ method: expect.objectContaining({ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }) }),
      }),
    }),
  ]);
});

test('only admins and technical leads manage connectors; anyone signed in reads them', async () => {
  const operator = t.token(['operator'], 'op');
  const refused = await api('POST', '/api/v1/connectors', salesforce('by operator'), { token: operator });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe('PERMISSION_DENIED');
  const lead = t.token(['technical_lead'], 'lead');
  const made = await api('POST', '/api/v1/connectors', salesforce('by lead'), { token: lead });
  expect(made.status).toBe(201);
  expect((await api('GET', `/api/v1/connectors/${made.body.id}`, undefined, { token: operator })).status).toBe(200);
  expect((await api('DELETE', `/api/v1/connectors/${made.body.id}`, undefined, { token: operator })).status).toBe(403);
  expect((await api('POST', `/api/v1/connectors/${made.body.id}/test`, undefined, { token: operator })).status).toBe(403);
  expect((await api('GET', '/api/v1/connectors', undefined, { token: null })).status).toBe(401);
});

test('delete answers 204, then the connector is gone', async () => {
  const c = await api('POST', '/api/v1/connectors', salesforce('SF delete'));
  expect((await api('DELETE', `/api/v1/connectors/${c.body.id}`)).status).toBe(204);
  const gone = await api('GET', `/api/v1/connectors/${c.body.id}`);
  expect(gone.status).toBe(404);
  expect(gone.body.code).toBe('CONNECTOR_NOT_FOUND');
  expect((await api('DELETE', `/api/v1/connectors/${c.body.id}`)).status).toBe(404);
});

test('a connector a published version uses is not deleted (409 CONNECTOR_IN_USE) unless forced', async () => {
  const c = await api('POST', '/api/v1/connectors', salesforce('SF in use'));
  const graph = {
    name: 'uses-sf',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'q', type: 'SALESFORCE_CONNECTOR', properties: { connector: 'sf IN USE', operation: 'query', params: { soql: 'SELECT Id FROM Account' } } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'q' },
      { source: 'q', target: 'end' },
    ],
  };
  const draft = await api('POST', '/api/v1/workflows', graph);
  expect(draft.status).toBe(201);
  // A draft does not hold the connector; a published version does.
  expect((await api('POST', '/api/v1/connectors', salesforce('SF unused'))).status).toBe(201);
  expect((await api('POST', `/api/v1/workflows/${draft.body.id}/publish`, {})).status).toBe(200);
  const refused = await api('DELETE', `/api/v1/connectors/${c.body.id}`);
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('CONNECTOR_IN_USE');
  expect(refused.body.detail).toContain(`${draft.body.id}@1.0.0`);
  expect((await api('GET', `/api/v1/connectors/${c.body.id}`)).status).toBe(200);
  expect((await api('DELETE', `/api/v1/connectors/${c.body.id}?force=true`)).status).toBe(204);
  expect((await api('GET', `/api/v1/connectors/${c.body.id}`)).status).toBe(404);
});

test('no secret appears in any answer of this file', () => {
  const everything = answered.join('\n');
  expect(answered.length).toBeGreaterThan(20);
  for (const secret of [CLIENT_SECRET, BEARER, 'pw-one-8f3a']) expect(everything).not.toContain(secret);
});
