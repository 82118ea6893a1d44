/**
 * ERROR_HANDLER, RETRY_LOGIC and FALLBACK_PATH end to end: failures routed by code pattern and
 * priority, retried by policy, skipped, or sent down a fallback path.
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

/** start → charge (API_CALL) → end, with extra policy/fallback nodes and edges. */
function guarded(
  extraNodes: Array<Record<string, unknown>>,
  extraEdges: Array<Record<string, unknown>> = [],
  chargeRetry: Record<string, unknown> = { maxAttempts: 1 },
) {
  return {
    name: 'guarded',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'charge', type: 'API_CALL', properties: { url: `${svc.url}/charge`, retry: chargeRetry } },
      { id: 'end', type: 'END', properties: { output: { result: 'nodes.charge.output' } } },
      ...extraNodes,
    ],
    edges: [{ source: 'start', target: 'charge' }, { source: 'charge', target: 'end' }, ...extraEdges],
  };
}

const manual = [
  { id: 'manual', type: 'DATA_TRANSFORMATION', properties: { assign: { route: '"manual"', why: 'nodes.charge.output.error.code' } } },
  { id: 'manualEnd', type: 'END', properties: { output: { route: 'vars.route', why: 'vars.why', failure: 'nodes.fallback.output' } } },
];

test('FALLBACK_PATH takes over when a guarded node fails for good, and only for matching codes', async () => {
  svc.handle((_req, res) => json(res, 402, { error: 'card declined' }));
  const graph = (errorCodes?: string) =>
    guarded(
      [{ id: 'fallback', type: 'FALLBACK_PATH', properties: { guards: ['charge'], ...(errorCodes ? { errorCodes } : {}) } }, ...manual],
      [
        { source: 'fallback', target: 'manual' },
        { source: 'manual', target: 'manualEnd' },
      ],
    );
  const out = await runGraph(t, graph('^HTTP_4'));
  expect(out.status).toBe('completed');
  expect(out.output).toMatchObject({ route: 'manual', why: 'HTTP_402', failure: { code: 'HTTP_402', failedNodeId: 'charge' } });
  const other = await runGraph(t, graph('^HTTP_5'));
  expect(other.status).toBe('failed');
  expect(other.error.code).toBe('HTTP_402');
});

test('ERROR_HANDLER: the highest-priority matching handler decides — skip, fallback, abort', async () => {
  svc.handle((_req, res) => json(res, 409, { error: 'duplicate' }));
  const handlers = (list: Array<Record<string, unknown>>, extra: Array<Record<string, unknown>> = []) =>
    guarded(
      [{ id: 'policy', type: 'ERROR_HANDLER', properties: { guards: ['charge'], handlers: list } }, ...extra],
      extra.length
        ? [
            { source: 'manual', target: 'manualEnd' },
            { source: 'fallback', target: 'manual' },
          ]
        : [],
    );
  const skipped = await runGraph(
    t,
    handlers([
      { pattern: '.*', action: 'abort', priority: 0 },
      { pattern: '^HTTP_409$', action: 'skip', priority: 5, output: { alreadyCharged: true } },
    ]),
  );
  expect(skipped.status).toBe('completed');
  expect(skipped.output).toEqual({ result: { alreadyCharged: true } });

  const aborted = await runGraph(t, handlers([{ pattern: '^HTTP_', action: 'abort' }]));
  expect(aborted.status).toBe('failed');
  expect(aborted.error.code).toBe('HTTP_409');

  const fallback = await runGraph(
    t,
    handlers(
      [{ pattern: '409', action: 'fallback', fallbackNodeId: 'manual' }],
      [...manual, { id: 'fallback', type: 'FALLBACK_PATH', properties: { guards: ['end'] } }],
    ),
  );
  expect(fallback.output).toMatchObject({ route: 'manual', why: 'HTTP_409' });
});

test('ERROR_HANDLER retry runs the node again after a durable backoff', async () => {
  let calls = 0;
  svc.handle((_req, res) => {
    calls++;
    json(res, calls < 3 ? 503 : 200, { calls });
  });
  const out = await runGraph(
    t,
    guarded([{ id: 'policy', type: 'ERROR_HANDLER', properties: { handlers: [{ pattern: '^HTTP_5', action: 'retry', maxRetries: 3, backoffMs: 50 }] } }]),
  );
  expect(out.status).toBe('completed');
  expect(out.output.result.body).toEqual({ calls: 3 });
  const runs = (await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`)).body.nodes.filter((n: any) => n.nodeId === 'charge');
  expect(runs.map((n: any) => n.status)).toEqual(['failed', 'failed', 'completed']);
});

test('RETRY_LOGIC replaces the guarded node policy and retries only the codes it lists', async () => {
  let calls = 0;
  svc.handle((_req, res) => {
    calls++;
    json(res, calls < 3 ? 503 : 200, {});
  });
  const policy = (codes: string[]) => ({
    id: 'retries',
    type: 'RETRY_LOGIC',
    properties: { guards: ['charge'], maxAttempts: 4, strategy: 'FIXED', initialIntervalMs: 50, retryableErrorCodes: codes },
  });
  calls = 0;
  const retried = await runGraph(t, guarded([policy(['HTTP_503'])]));
  expect(retried.status).toBe('completed');
  expect(calls).toBe(3);
  calls = 0;
  const notListed = await runGraph(t, guarded([policy(['HTTP_429'])]));
  expect(notListed.status).toBe('failed');
  expect(calls).toBe(1);
});

test('policies are validated: guards must exist, patterns must be safe, policies take no edges', async () => {
  const bad = guarded(
    [{ id: 'policy', type: 'ERROR_HANDLER', properties: { guards: ['ghost'], handlers: [{ pattern: '(a+)+$', action: 'fallback' }] } }],
    [{ source: 'policy', target: 'end' }],
  );
  const res = await t.api('POST', '/api/v1/workflows', bad);
  expect(res.status).toBe(422);
  const paths = res.body.errors.map((e: any) => e.path);
  expect(paths).toEqual(
    expect.arrayContaining(['/nodes/3/properties/guards/0', '/nodes/3/properties/handlers/0/pattern', '/nodes/3/properties/handlers/0', '/nodes/3']),
  );
});
