/**
 * Connector credentials kept in site configuration (issue 15: "secret parameters are not visible
 * to expressions; connectors may reference them"): one stored custom_api connector whose token is
 * `$config:erpToken` calls a real loopback API with each plant's own secret, read in the
 * activity, never in workflow history; without a site, or where the site sets no such value, the
 * node fails with CONFIG_INVALID.
 */
import { randomBytes } from 'node:crypto';
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { historyText } from '../support/secret-leaks';

const TOKEN_A = `tok-a-${randomBytes(8).toString('hex')}`;
const TOKEN_B = `tok-b-${randomBytes(8).toString('hex')}`;

let t: TestWeft;
let svc: FakeService;
let definitionId: string;

async function ok(method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await t.api(method, `/api/v1${path}`, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => {
    const auth = req.headers.authorization ?? '';
    const plant = auth === `Bearer ${TOKEN_A}` ? 'plant-a' : auth === `Bearer ${TOKEN_B}` ? 'plant-b' : undefined;
    if (plant) json(res, 200, { plant });
    else json(res, 401, { error: 'unauthorised' });
  });
  t = await startTestWeft({ database: 'postgres', allowedHosts: [svc.host] });
  await ok('POST', '/config/parameters', { key: 'erpToken', name: 'ERP token', type: 'string', secret: true }, 201);
  for (const id of ['plant-a', 'plant-b', 'plant-c']) await ok('POST', '/sites', { id, name: id, region: 'eu', environment: 'staging' }, 201);
  await ok('PUT', '/sites/plant-a/config/erpToken', { value: TOKEN_A, reason: 'ERP access' }, 201);
  await ok('PUT', '/sites/plant-b/config/erpToken', { value: TOKEN_B, reason: 'ERP access' }, 201);
  await ok(
    'POST',
    '/connectors',
    { name: 'erp', type: 'custom_api', config: { baseUrl: `${svc.url}/api`, auth: 'bearer' }, secrets: { token: '$config:erpToken' } },
    201,
  );
  definitionId = await publishGraph(t, {
    name: 'who-am-i',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'ask', type: 'CUSTOM_API', properties: { connector: 'erp', operation: 'request', params: { method: 'GET', path: '/whoami' } } },
      { id: 'end', type: 'END', properties: { output: { answer: 'nodes.ask.output.body' } } },
    ],
    edges: [
      { source: 'start', target: 'ask' },
      { source: 'ask', target: 'end' },
    ],
  });
});

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

async function runAt(site?: string): Promise<any> {
  const started = await t.api('POST', `/api/v1/workflows/${definitionId}/instances`, { input: {}, ...(site ? { site } : {}) });
  expect(started.status).toBe(202);
  return waitForInstance(t, started.body.id);
}

test("each site's executions call with that site's own secret, which stays out of history", async () => {
  const a = await runAt('plant-a');
  const b = await runAt('plant-b');
  expect(a.output).toEqual({ answer: { plant: 'plant-a' } });
  expect(b.output).toEqual({ answer: { plant: 'plant-b' } });
  for (const id of [a.id, b.id]) {
    const history = await historyText(t, id);
    expect(history).not.toContain(TOKEN_A);
    expect(history).not.toContain(TOKEN_B);
  }
});

test('a changed secret is used by the next call; a site without the value, or no site, fails with CONFIG_INVALID', async () => {
  await ok('PUT', '/sites/plant-a/config/erpToken', { value: TOKEN_B, reason: 'rotated' }, 200);
  expect((await runAt('plant-a')).output).toEqual({ answer: { plant: 'plant-b' } });

  const missing = await runAt('plant-c');
  expect(missing.status).toBe('failed');
  expect(missing.error).toMatchObject({ code: 'CONFIG_INVALID', nodeId: 'ask' });
  expect(missing.error.message).toMatch(/erpToken.*plant-c/);

  const nowhere = await runAt(undefined);
  expect(nowhere.status).toBe('failed');
  expect(nowhere.error).toMatchObject({ code: 'CONFIG_INVALID' });
});
