/**
 * API_CALL end to end against a real HTTP service on loopback: retries by policy (FIXED,
 * LINEAR), a 404 not retried (and continueOnError), and the SSRF guard on outbound calls.
 */
import { json, type FakeService } from '../../support/fake-service';
import { runGraph, startWeftWithService, type TestWeft } from '../../support/harness';

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, svc, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

const run = (graph: unknown, input: unknown = {}) => runGraph(t, graph, input);

/** START → one API_CALL `call` → END, the END returning what `endOutput` says. */
function oneCall(name: string, call: Record<string, unknown>, endOutput?: Record<string, string>) {
  return {
    name,
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'call', type: 'API_CALL', properties: call },
      { id: 'end', type: 'END', ...(endOutput ? { properties: { output: endOutput } } : {}) },
    ],
    edges: [
      { source: 'start', target: 'call' },
      { source: 'call', target: 'end' },
    ],
  };
}

test('an API_CALL answered 503 is retried by its retry policy and then succeeds', async () => {
  let calls = 0;
  svc.handle((_req, res) => {
    calls++;
    if (calls < 3) json(res, 503, { error: 'busy' });
    else json(res, 200, { ok: true });
  });
  const out = await run(
    oneCall('flaky', { url: `${svc.url}/flaky`, retry: { maxAttempts: 5, strategy: 'FIXED', initialIntervalMs: 100 } }, { body: 'nodes.call.output.body' }),
    {},
  );
  expect(out.status).toBe('completed');
  expect(out.output).toEqual({ body: { ok: true } });
  expect(calls).toBe(3);
  const history = await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`);
  expect(history.body.nodes.find((n: any) => n.nodeId === 'call').attempts).toBe(3);
});

test('LINEAR backoff is retried by the interpreter with durable timers', async () => {
  let calls = 0;
  svc.handle((_req, res) => {
    calls++;
    if (calls < 3) json(res, 500, {});
    else json(res, 200, { done: calls });
  });
  const out = await run(
    oneCall('linear', { url: `${svc.url}/linear`, retry: { maxAttempts: 4, strategy: 'LINEAR', initialIntervalMs: 100 } }, { body: 'nodes.call.output.body' }),
    {},
  );
  expect(out.output).toEqual({ body: { done: 3 } });
  const history = await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`);
  expect(history.body.nodes.find((n: any) => n.nodeId === 'call').attempts).toBe(3);
});

test('a 404 is not retried: the execution fails with HTTP_404; continueOnError goes on instead', async () => {
  let calls = 0;
  svc.handle((_req, res) => {
    calls++;
    json(res, 404, { error: 'no such order' });
  });
  const graph = (continueOnError: boolean) =>
    oneCall(
      'missing',
      { url: `${svc.url}/orders/1`, retry: { maxAttempts: 5, initialIntervalMs: 50 }, continueOnError },
      { code: 'nodes.call.output.error.code' },
    );
  const failed = await run(graph(false), {});
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'HTTP_404', nodeId: 'call' });
  expect(calls).toBe(1);

  const goesOn = await run(graph(true), {});
  expect(goesOn.status).toBe('completed');
  expect(goesOn.output).toEqual({ code: 'HTTP_404' });
});

test('outbound calls to private addresses are refused unless allow-listed', async () => {
  const out = await run(oneCall('ssrf', { url: 'http://169.254.169.254/latest/meta-data/', retry: { maxAttempts: 3 } }), {});
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('SSRF_BLOCKED');
});
