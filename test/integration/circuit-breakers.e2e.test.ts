/**
 * Circuit breakers end to end over HTTP, on the real Temporal dev server and a real database:
 * a failing service opens its breaker, an open breaker fails API_CALL fast without a request,
 * a trial after the open timeout closes it, an operator's reset closes it, and the API's rules.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;
let svc: FakeService;
/** The breaker key of the fake service, `127.0.0.1:<port>`. */
let serviceId: string;
let breakerPath: string;

beforeAll(async () => {
  svc = await startFakeService();
  t = await startTestWeft({ allowedHosts: [svc.host] });
  serviceId = svc.host;
  breakerPath = `/api/v1/circuit-breakers/${serviceId}`;
});

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

/** START → one API_CALL to the fake service → END returning the response body. */
function callGraph(name: string, retry: Record<string, unknown>) {
  return {
    name,
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'call', type: 'API_CALL', properties: { url: `${svc.url}/orders`, retry } },
      { id: 'end', type: 'END', properties: { output: { body: 'nodes.call.output.body' } } },
    ],
    edges: [
      { source: 'start', target: 'call' },
      { source: 'call', target: 'end' },
    ],
  };
}

async function run(definitionId: string): Promise<any> {
  const started = await t.api('POST', `/api/v1/workflows/${definitionId}/instances`, { input: {} });
  expect(started.status).toBe(202);
  return waitForInstance(t, started.body.id);
}

async function configure(config: Record<string, unknown>): Promise<void> {
  const res = await t.api('PUT', `${breakerPath}/config`, config);
  expect(res.status).toBe(200);
}

async function breaker(): Promise<any> {
  const res = await t.api('GET', breakerPath);
  expect(res.status).toBe(200);
  return res.body;
}

test('a 503 service opens its breaker; API_CALL then fails fast with CIRCUIT_OPEN; a trial after openTimeoutMs closes it', async () => {
  await configure({ failureThreshold: 2, openTimeoutMs: 60_000 });
  const twoTries = await publishGraph(t, callGraph('cb-two-tries', { maxAttempts: 2, strategy: 'FIXED', initialIntervalMs: 50 }));
  const oneTry = await publishGraph(t, callGraph('cb-one-try', { maxAttempts: 1 }));

  svc.handle((_req, res) => json(res, 503, { error: 'down' }));
  const failing = await run(twoTries);
  expect(failing.status).toBe('failed');
  expect(failing.error).toMatchObject({ code: 'HTTP_503', nodeId: 'call' });
  expect(svc.requests).toHaveLength(2);
  const opened = await breaker();
  expect(opened).toMatchObject({ serviceId, state: 'OPEN', status: 'broken', failureCount: 2, lastFailureCode: 'HTTP_503' });
  expect(new Date(opened.nextAttemptAt).getTime() - new Date(opened.openedAt).getTime()).toBe(60_000);

  const refused = await run(oneTry);
  expect(refused.status).toBe('failed');
  expect(refused.error).toMatchObject({ code: 'CIRCUIT_OPEN', nodeId: 'call' });
  expect(svc.requests).toHaveLength(2);

  // A shorter open timeout applies to the breaker already open; once it has passed, one trial goes out.
  await configure({ openTimeoutMs: 500 });
  await new Promise((r) => setTimeout(r, 600));
  svc.handle((_req, res) => json(res, 200, { ok: true }));
  const recovered = await run(oneTry);
  expect(recovered.status).toBe('completed');
  expect(recovered.output).toEqual({ body: { ok: true } });
  expect(svc.requests).toHaveLength(3);
  expect(await breaker()).toMatchObject({ state: 'CLOSED', status: 'healthy', failureCount: 0, totalFailures: 2 });
});

test('POST …/reset closes an open breaker at once', async () => {
  await configure({ failureThreshold: 1, openTimeoutMs: 60_000 });
  const oneTry = await publishGraph(t, callGraph('cb-reset', { maxAttempts: 1 }));
  svc.handle((_req, res) => json(res, 500, {}));
  expect((await run(oneTry)).error.code).toBe('HTTP_500');
  expect((await breaker()).state).toBe('OPEN');
  const before = svc.requests.length;
  expect((await run(oneTry)).error.code).toBe('CIRCUIT_OPEN');
  expect(svc.requests).toHaveLength(before);

  const reset = await t.api('POST', `${breakerPath}/reset`, undefined, { token: t.token(['operator'], 'oncall') });
  expect(reset.status).toBe(200);
  expect(reset.body).toMatchObject({ state: 'CLOSED', status: 'healthy', failureCount: 0 });
  svc.handle((_req, res) => json(res, 200, { again: true }));
  expect((await run(oneTry)).output).toEqual({ body: { again: true } });
  expect(svc.requests).toHaveLength(before + 1);
});

test('CIRCUIT_OPEN is retryable: a node with attempts left waits out the open period and succeeds', async () => {
  await configure({ failureThreshold: 1, openTimeoutMs: 1_000 });
  const failOnce = await publishGraph(t, callGraph('cb-open-now', { maxAttempts: 1 }));
  // EXPONENTIAL from 50 ms would retry long before the breaker allows; the failure's retry
  // delay (the time left until the trial) is what Temporal waits instead.
  const patient = await publishGraph(t, callGraph('cb-patient', { maxAttempts: 3, strategy: 'EXPONENTIAL', initialIntervalMs: 50 }));
  svc.handle((_req, res) => json(res, 502, {}));
  expect((await run(failOnce)).error.code).toBe('HTTP_502');

  svc.handle((_req, res) => json(res, 200, { waited: true }));
  const before = svc.requests.length;
  const out = await run(patient);
  expect(out.status).toBe('completed');
  expect(out.output).toEqual({ body: { waited: true } });
  expect(svc.requests).toHaveLength(before + 1);
  const history = await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`);
  expect(history.body.nodes.find((n: any) => n.nodeId === 'call').attempts).toBe(2);
  expect((await breaker()).state).toBe('CLOSED');
});

test('the API: list, get with a raw or encoded id, 404 for an unknown service, roles and validation', async () => {
  const list = await t.api('GET', '/api/v1/circuit-breakers', undefined, { token: t.token(['viewer']) });
  expect(list.status).toBe(200);
  expect(list.body.items.map((b: any) => b.serviceId)).toContain(serviceId);

  const encoded = await t.api('GET', `/api/v1/circuit-breakers/${encodeURIComponent(serviceId)}`);
  expect(encoded.status).toBe(200);
  expect(encoded.body.serviceId).toBe(serviceId);

  const unknown = await t.api('GET', '/api/v1/circuit-breakers/nowhere.example.com:443');
  expect(unknown.status).toBe(404);
  expect(unknown.body.code).toBe('CIRCUIT_BREAKER_NOT_FOUND');
  expect((await t.api('POST', '/api/v1/circuit-breakers/nowhere.example.com:443/reset')).body.code).toBe('CIRCUIT_BREAKER_NOT_FOUND');

  const invalid = await t.api('PUT', `${breakerPath}/config`, { failureThreshold: 0, openTimeoutMs: 'soon', extra: true });
  expect(invalid.status).toBe(400);
  expect(invalid.body.code).toBe('INVALID_REQUEST');
  expect(invalid.body.errors.map((e: any) => e.path).sort()).toEqual(['/extra', '/failureThreshold', '/openTimeoutMs']);
  expect((await t.api('PUT', `${breakerPath}/config`, {})).status).toBe(400);
  expect((await t.api('PUT', '/api/v1/circuit-breakers/not a key/config', { failureThreshold: 2 })).body.errors[0].path).toBe('/serviceId');

  const operator = t.token(['operator']);
  const lead = t.token(['technical_lead'], 'lead');
  expect((await t.api('PUT', `${breakerPath}/config`, { failureThreshold: 9 }, { token: operator })).status).toBe(403);
  expect((await t.api('POST', `${breakerPath}/reset`, undefined, { token: lead })).status).toBe(403);

  // A service can be tuned before its first call.
  const fresh = await t.api('PUT', '/api/v1/circuit-breakers/api.example.com%3A443/config', { failureThreshold: 9 }, { token: lead });
  expect(fresh.status).toBe(200);
  expect(fresh.body).toMatchObject({
    serviceId: 'api.example.com:443',
    state: 'CLOSED',
    config: { failureThreshold: 9, openTimeoutMs: 30_000, halfOpenMaxCalls: 1 },
  });
});
