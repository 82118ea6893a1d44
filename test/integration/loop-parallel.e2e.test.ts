/**
 * LOOP and PARALLEL end to end on the real Temporal dev server: iterations over items and
 * while a condition holds, bounded concurrency, joins with all/any/majority, fail-fast and
 * continue, and branches that lose being cancelled rather than left running.
 */
import { echoPath, json, type FakeService } from '../support/fake-service';
import { concurrentLoops, ECHO_INPUT, parallelBranches } from '../histories/graphs';
import { runGraph, startWeftWithService, type TestWeft } from '../support/harness';
import { loopGraph as loopGraphOf } from '../support/loop-graph';

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

async function trace(id: string): Promise<any[]> {
  return (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes;
}

function loopGraph(loop: Record<string, unknown>, body: Array<Record<string, unknown>>, end: Record<string, string>) {
  return loopGraphOf(loop, body, end, { name: 'loop', variables: { total: { type: 'number', value: 0 } } });
}

test('LOOP over items runs the body once per item with loop.item and loop.index, collecting results in order', async () => {
  const out = await run(
    loopGraph(
      { items: 'input.orders', collect: '{ "id": loop.item.id, "line": loop.index + 1, "value": loop.item.qty * loop.item.price }' },
      [{ id: 'add', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.total + loop.item.qty * loop.item.price' } } }],
      { total: 'vars.total', results: 'nodes.each.output.results', count: 'nodes.each.output.count' },
    ),
    {
      orders: [
        { id: 'A', qty: 2, price: 5 },
        { id: 'B', qty: 1, price: 7 },
        { id: 'C', qty: 3, price: 1 },
      ],
    },
  );
  expect(out.status).toBe('completed');
  expect(out.output).toEqual({
    total: 20,
    count: 3,
    results: [
      { id: 'A', line: 1, value: 10 },
      { id: 'B', line: 2, value: 7 },
      { id: 'C', line: 3, value: 3 },
    ],
  });
  expect((await trace(out.id)).filter((n) => n.nodeId === 'add').map((n) => n.iteration)).toEqual([0, 1, 2]);
});

test('with concurrency the bodies overlap, and results still come back in item order', async () => {
  const out = await run(
    loopGraph({ items: 'input.items', concurrency: 4, collect: 'loop.item * 10' }, [{ id: 'pause', type: 'WAIT', properties: { duration: '300ms' } }], {
      results: 'nodes.each.output.results',
    }),
    { items: [1, 2, 3, 4] },
  );
  expect(out.output).toEqual({ results: [10, 20, 30, 40] });
  const waits = (await trace(out.id)).filter((n) => n.nodeId === 'pause');
  expect(waits).toHaveLength(4);
  // All four timers were running at once: each started before any of them ended.
  const lastStart = Math.max(...waits.map((w) => Date.parse(w.startedAt)));
  const firstEnd = Math.min(...waits.map((w) => Date.parse(w.endedAt)));
  expect(lastStart).toBeLessThan(firstEnd);
});

test('a while LOOP stops when its condition fails, and fails with LOOP_LIMIT_EXCEEDED past maxIterations', async () => {
  const counting = (maxIterations: number) =>
    loopGraph(
      { while: 'vars.total < input.upTo', maxIterations },
      [{ id: 'inc', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.total + 1' } } }],
      {
        total: 'vars.total',
        count: 'nodes.each.output.count',
      },
    );
  expect((await run(counting(100), { upTo: 6 })).output).toEqual({ total: 6, count: 6 });
  const tooMany = await run(counting(3), { upTo: 6 });
  expect(tooMany.status).toBe('failed');
  expect(tooMany.error).toMatchObject({ code: 'LOOP_LIMIT_EXCEEDED', nodeId: 'each' });
});

function parallelGraph(props: Record<string, unknown>, branches: Array<Record<string, unknown>>) {
  return {
    name: 'fan-out',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'fan', type: 'PARALLEL', properties: { join: 'join', ...props } },
      ...branches,
      { id: 'join', type: 'DATA_TRANSFORMATION', properties: { assign: { joined: 'true' } } },
      { id: 'end', type: 'END', properties: { output: { fan: 'nodes.fan.output', joined: 'vars.joined' } } },
    ],
    edges: [
      { source: 'start', target: 'fan' },
      ...branches.flatMap((b) => [
        { source: 'fan', target: b.id as string },
        { source: b.id as string, target: 'join' },
      ]),
      { source: 'join', target: 'end' },
    ],
  };
}

const call = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'API_CALL',
  properties: { url: `${svc.url}${path}`, retry: { maxAttempts: 1 }, ...extra },
});
const hold = (id: string, duration: string) => ({ id, type: 'WAIT', properties: { duration } });

test('PARALLEL waits for all branches, then runs the join once', async () => {
  svc.handle((req, res) => json(res, 200, { path: req.url }));
  const before = svc.requests.length;
  const out = await run(parallelGraph({}, [call('erp', '/erp'), call('crm', '/crm'), hold('cool', '200ms')]));
  expect(out.status).toBe('completed');
  expect(out.output.joined).toBe(true);
  expect(out.output.fan).toMatchObject({ succeeded: 3, failed: 0, cancelled: 0 });
  expect(out.output.fan.branches.erp.output.body).toEqual({ path: '/erp' });
  expect(svc.requests.length - before).toBe(2);
  expect((await trace(out.id)).filter((n) => n.nodeId === 'join')).toHaveLength(1);
});

test('waitStrategy any continues with the first branch and cancels the others', async () => {
  const out = await run(parallelGraph({ waitStrategy: 'any' }, [hold('fast', '100ms'), hold('slow', '1h')]));
  expect(out.status).toBe('completed');
  expect(out.output.fan.branches).toMatchObject({ fast: { status: 'completed' }, slow: { status: 'cancelled' } });
  expect((await trace(out.id)).find((n) => n.nodeId === 'slow')).toMatchObject({ status: 'cancelled' });
});

test('majority counts weights', async () => {
  svc.handle((req, res) => (req.url === '/down' ? json(res, 503, {}) : json(res, 200, {})));
  const heavy = await run(
    parallelGraph({ waitStrategy: 'majority', failureStrategy: 'wait_all', weights: { a: 3 } }, [call('a', '/up'), call('b', '/down'), call('c', '/down')]),
  );
  expect(heavy.status).toBe('completed');
  // Weight 3 of 5 is a majority: branches still running then are no longer needed and are cancelled.
  expect(heavy.output.fan.branches.a.status).toBe('completed');
  expect(heavy.output.fan.succeeded).toBe(1);
  expect(heavy.output.fan.failed + heavy.output.fan.cancelled).toBe(2);
  const light = await run(parallelGraph({ waitStrategy: 'majority', failureStrategy: 'wait_all' }, [call('a', '/up'), call('b', '/down'), call('c', '/down')]));
  expect(light.status).toBe('failed');
  expect(light.error.code).toBe('HTTP_503');
});

test('fail_fast fails at the first branch error and cancels the rest; continue records it and goes on', async () => {
  svc.handle((_req, res) => json(res, 404, { error: 'missing' }));
  const fast = await run(parallelGraph({ failureStrategy: 'fail_fast' }, [call('lookup', '/missing'), hold('slow', '1h')]));
  expect(fast.status).toBe('failed');
  expect(fast.error).toMatchObject({ code: 'HTTP_404' });
  expect((await trace(fast.id)).find((n) => n.nodeId === 'slow')).toMatchObject({ status: 'cancelled' });

  const lenient = await run(parallelGraph({ failureStrategy: 'continue' }, [call('lookup', '/missing'), hold('short', '50ms')]));
  expect(lenient.status).toBe('completed');
  expect(lenient.output.fan).toMatchObject({ succeeded: 1, failed: 1 });
  expect(lenient.output.fan.branches.lookup.error.code).toBe('HTTP_404');
});

test('concurrent LOOP iterations each read their own body outputs, in one history and in batches', async () => {
  svc.handle(echoPath);
  const out = await run(concurrentLoops('own-outputs', svc.url), ECHO_INPUT);
  expect(out.status).toBe('completed');
  const paths = (items: number[]) => items.map((i) => `/echo/item/${i}`);
  // Each iteration's `check` and `collect` saw the answer to its own request.
  expect(out.output.each).toEqual(paths(ECHO_INPUT.items));
  expect(out.output.batched).toEqual(paths(ECHO_INPUT.more));
  expect((await trace(out.id)).filter((n) => n.nodeId === 'mixed')).toEqual([]);
  // After the LOOP, a body node's output is the one of the last iteration (in item order).
  expect(out.output.last).toBe('/echo/item/0');
  expect(out.output.lastB).toBe('/echo/item/16');
});

test("a sequential LOOP still reads the previous iteration's outputs, in the body and in its while condition", async () => {
  svc.handle(echoPath);
  const page = 'nodes.page.output.body.path';
  const out = await run(
    loopGraph(
      { while: `$not($exists(nodes.page)) or ${page} != "/echo/page/3"`, collect: page },
      // Each page asks for the one after the page the previous iteration fetched.
      [call('page', `/echo/page/\${$exists(nodes.page) ? $number($substringAfter(${page}, "/echo/page/")) + 1 : 1}`)],
      { results: 'nodes.each.output.results', last: page },
    ),
  );
  expect(out.output).toEqual({ results: ['/echo/page/1', '/echo/page/2', '/echo/page/3'], last: '/echo/page/3' });
});

test('each PARALLEL branch reads its own outputs; after the join a shared node shows the last branch', async () => {
  svc.handle(echoPath);
  const before = svc.requests.length;
  const out = await run(parallelBranches('own-branch-outputs', svc.url));
  expect(out.status).toBe('completed');
  // `quote` ran in both branches; the slow `eu` branch did not see `us`'s answer (nor its quote).
  expect(
    svc.requests
      .slice(before)
      .map((r) => r.url)
      .filter((p) => p.startsWith('/echo/quote'))
      .sort(),
  ).toEqual(['/echo/quote?from=/echo/slow/eu', '/echo/quote?from=/echo/us']);
  expect(out.output.fan.branches).toEqual({
    eu: { status: 'completed', output: { result: false } },
    us: { status: 'completed', output: { result: false } },
  });
  // Branch order is edge order: `us` is the later branch, whatever finished last.
  expect(out.output.quote).toBe('/echo/quote?from=/echo/us');
});

test('nested: a PARALLEL and a batched concurrent LOOP inside concurrent iterations read their own iteration', async () => {
  svc.handle(echoPath);
  const graph = {
    name: 'nested-scopes',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'orders',
        type: 'LOOP',
        properties: {
          items: 'input.orders',
          concurrency: 3,
          collect:
            '{ "head": nodes.head.output.body.path, "left": nodes.left.output.body.path, "right": nodes.fan.output.branches.right.output.body.path, "lines": nodes.lines.output.results }',
        },
      },
      call('head', '/echo/order/${loop.item.id}'),
      { id: 'fan', type: 'PARALLEL', properties: { join: 'merge' } },
      call('left', '/echo/left${nodes.head.output.body.path}'),
      call('right', '/echo/right${nodes.head.output.body.path}'),
      { id: 'merge', type: 'DATA_TRANSFORMATION', properties: { assign: { merged: 'true' } } },
      { id: 'lines', type: 'LOOP', properties: { items: 'loop.item.lines', concurrency: 3, batchSize: 2, collect: 'nodes.line.output.body.path' } },
      call('line', '/echo/line${nodes.head.output.body.path}/${loop.item}'),
      { id: 'end', type: 'END', properties: { output: { orders: 'nodes.orders.output.results', lastHead: 'nodes.head.output.body.path' } } },
    ],
    edges: [
      { source: 'start', target: 'orders' },
      { source: 'orders', sourcePort: 'body', target: 'head' },
      { source: 'head', target: 'fan' },
      { source: 'fan', target: 'left' },
      { source: 'fan', target: 'right' },
      { source: 'left', target: 'merge' },
      { source: 'right', target: 'merge' },
      { source: 'merge', target: 'lines' },
      { source: 'lines', sourcePort: 'body', target: 'line' },
      { source: 'line', target: 'lines' },
      { source: 'lines', sourcePort: 'done', target: 'orders' },
      { source: 'orders', sourcePort: 'done', target: 'end' },
    ],
  };
  // The first order's head is answered slowly: the others overtake it.
  const orders = [
    { id: 'slow/A', lines: [1, 2, 3] },
    { id: 'B', lines: [4, 5] },
    { id: 'C', lines: [6] },
  ];
  const out = await run(graph, { orders });
  expect(out.status).toBe('completed');
  expect(out.output.orders).toEqual(
    orders.map(({ id, lines }) => ({
      head: `/echo/order/${id}`,
      left: `/echo/left/echo/order/${id}`,
      right: `/echo/right/echo/order/${id}`,
      lines: lines.map((n) => `/echo/line/echo/order/${id}/${n}`),
    })),
  );
  expect(out.output.lastHead).toBe('/echo/order/C');
});
