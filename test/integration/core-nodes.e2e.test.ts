/**
 * End to end over HTTP, on the real Temporal dev server and a real database: every core node
 * type of GRAPH.md, edge conditions and priorities, retries, node errors and maxSteps.
 */
import { json, type FakeService } from '../support/fake-service';
import { graphMdExample } from '../unit/graph/fixtures';
import { pastWaits } from '../histories/graphs';
import { runGraph, startWeftWithService, type TestWeft } from '../support/harness';

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

/** START → WAIT `pause` until `until` → END returning the WAIT's output. */
function oneWait(until: string) {
  return {
    name: 'one-wait',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'pause', type: 'WAIT', properties: { until } },
      { id: 'end', type: 'END', properties: { output: { pause: 'nodes.pause.output' } } },
    ],
    edges: [
      { source: 'start', target: 'pause' },
      { source: 'pause', target: 'end' },
    ],
  };
}

const orderReview = graphMdExample();

test('the GRAPH.md example takes the true branch for a big order and the false branch for a small one', async () => {
  const big = await run(orderReview, {
    items: [
      { price: 60, qty: 2 },
      { price: 5, qty: 1 },
    ],
  });
  expect(big.status).toBe('completed');
  expect(big.output).toEqual({ total: 125, big: true });

  const small = await run(orderReview, { items: [{ price: 10, qty: 3 }] });
  expect(small.output).toEqual({ total: 30, big: false });

  const history = await t.api('GET', `/api/v1/workflow-instances/${small.id}/history`);
  expect(history.status).toBe(200);
  expect(history.body.nodes.map((n: any) => n.nodeId)).toEqual(['start', 'total', 'big', 'small']);
  expect(history.body.nodes[1]).toMatchObject({ status: 'completed', output: { total: 30 }, attempts: 1 });
  expect(history.body.nodes[2].output).toEqual({ result: false });
});

test('SWITCH, WAIT and API_CALL with templates, edge conditions and priorities', async () => {
  svc.handle((req, res) => json(res, 200, { echoed: JSON.parse(req.body || '{}'), path: req.url }));
  const graph = {
    name: 'fulfil',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'route', type: 'SWITCH', properties: { expression: 'input.region' } },
      { id: 'eu', type: 'DATA_TRANSFORMATION', properties: { assign: { warehouse: '"AMS"' } } },
      { id: 'other', type: 'DATA_TRANSFORMATION', properties: { assign: { warehouse: '"NYC"' } } },
      { id: 'pause', type: 'WAIT', properties: { duration: '300ms' } },
      {
        id: 'book',
        type: 'API_CALL',
        name: 'Book shipment',
        properties: {
          method: 'POST',
          url: `${svc.url}/shipments/{{vars.warehouse}}`,
          headers: { 'x-order': '${input.orderId}' },
          query: { priority: '${input.priority}' },
          body: { order: '${input.orderId}', qty: '${input.qty}', note: 'order {{input.orderId}} x{{input.qty}}' },
          retry: { maxAttempts: 1 },
        },
      },
      {
        id: 'express',
        type: 'END',
        properties: { output: { lane: '"express"', shipment: 'nodes.book.output.body', waited: 'nodes.pause.output.waitedMs >= 300' } },
      },
      { id: 'standard', type: 'END', properties: { output: { lane: '"standard"', shipment: 'nodes.book.output.body' } } },
    ],
    edges: [
      { source: 'start', target: 'route' },
      { source: 'route', sourcePort: 'EU', target: 'eu' },
      { source: 'route', sourcePort: 'default', target: 'other' },
      { source: 'eu', target: 'pause' },
      { source: 'other', target: 'pause' },
      { source: 'pause', target: 'book' },
      // Both conditions hold for priority 2; the higher priority wins, ties go to the earlier edge.
      { source: 'book', target: 'standard', condition: 'true' },
      { source: 'book', target: 'express', condition: 'input.priority >= 2', priority: 10 },
    ],
  };
  const out = await run(graph, { region: 'EU', orderId: 'SO-7', qty: 3, priority: 2 });
  expect(out.status).toBe('completed');
  expect(out.output.lane).toBe('express');
  expect(out.output.waited).toBe(true);
  // A template that is exactly one ${expr} keeps its type: qty stays a number.
  expect(out.output.shipment).toEqual({ echoed: { order: 'SO-7', qty: 3, note: 'order SO-7 x3' }, path: '/shipments/AMS?priority=2' });
  const call = svc.requests.at(-1)!;
  expect(call.method).toBe('POST');
  expect(call.headers['x-order']).toBe('SO-7');
  expect(call.headers['idempotency-key']).toBe(`${out.id}:book:0`);

  const other = await run(graph, { region: 'US', orderId: 'SO-8', qty: 1, priority: 1 });
  expect(other.output.lane).toBe('standard');
  expect(other.output.shipment.path).toBe('/shipments/NYC?priority=1');
});

test('WAIT until an instant in the past starts no timer and says it did not wait; a future one waits', async () => {
  const past = await run(pastWaits('past-waits'));
  expect(past.status).toBe('completed');
  expect(past.output).toEqual({ pause: { waitedMs: 0, waited: false }, again: { waitedMs: 0, waited: false } });
  const events = (await t.temporal.workflow.getHandle(past.id).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.timerStartedEventAttributes)).toEqual([]);

  const future = await run(oneWait('$fromMillis($millis() + 300)'));
  expect(future.output.pause.waited).toBe(true);
  expect(future.output.pause.waitedMs).toBeGreaterThanOrEqual(250);
});

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

test('a cycle stops with STEP_LIMIT_EXCEEDED after settings.maxSteps node runs', async () => {
  const out = await run(
    {
      name: 'spin',
      settings: { maxSteps: 25 },
      variables: { n: { type: 'number', value: 0 } },
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'inc', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } },
        { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: 'vars.n < 1000000' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'inc' },
        { source: 'inc', target: 'check' },
        { source: 'check', sourcePort: 'true', target: 'inc' },
        { source: 'check', sourcePort: 'false', target: 'end' },
      ],
    },
    {},
  );
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('STEP_LIMIT_EXCEEDED');
});

test('a loop that ends in time completes, and no edge matching fails with NO_MATCHING_BRANCH', async () => {
  const loop = await run(
    {
      name: 'count',
      variables: { n: { type: 'number', value: 0 } },
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'inc', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } },
        { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: 'vars.n < input.times' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'inc' },
        { source: 'inc', target: 'check' },
        { source: 'check', sourcePort: 'true', target: 'inc' },
        { source: 'check', sourcePort: 'false', target: 'end' },
      ],
    },
    { times: 7 },
  );
  expect(loop.output).toEqual({ n: 7 });

  const stuck = await run(
    {
      name: 'stuck',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'end', type: 'END' },
      ],
      edges: [{ source: 'start', target: 'end', condition: 'input.go = true' }],
    },
    { go: false },
  );
  expect(stuck.status).toBe('failed');
  expect(stuck.error).toMatchObject({ code: 'NO_MATCHING_BRANCH', nodeId: 'start' });
});

test('a hostile expression fails the node with EXPRESSION_ERROR instead of hanging the workflow', async () => {
  const out = await run(
    {
      name: 'hostile',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'boom', type: 'DATA_TRANSFORMATION', properties: { assign: { x: '($f := function($n){ $f($n + 1) }; $f(0))' } } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'boom' },
        { source: 'boom', target: 'end' },
      ],
    },
    {},
  );
  expect(out.status).toBe('failed');
  expect(out.error).toMatchObject({ code: 'EXPRESSION_ERROR', nodeId: 'boom' });
});
