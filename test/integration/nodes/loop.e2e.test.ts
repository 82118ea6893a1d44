/**
 * LOOP end to end on the real Temporal dev server: iterations over items and while a condition
 * holds, bounded concurrency, LOOP_LIMIT_EXCEEDED, and each iteration reading its own node outputs
 * (also with a PARALLEL and a batched LOOP nested inside). Long loops in batch children:
 * loop-batches.e2e; thousands of control nodes in one loop: loop-task-budget.e2e.
 */
import { echoPath, type FakeService } from '../../support/fake-service';
import { concurrentLoops, ECHO_INPUT } from '../../histories/graphs';
import { nodeHistory, runGraph, startWeftWithService, type TestWeft } from '../../support/harness';
import { loopGraph as loopGraphOf } from '../../support/loop-graph';

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

const trace = (id: string) => nodeHistory(t, id);

function loopGraph(loop: Record<string, unknown>, body: Array<Record<string, unknown>>, end: Record<string, string>) {
  return loopGraphOf(loop, body, end, { name: 'loop', variables: { total: { type: 'number', value: 0 } } });
}

const call = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'API_CALL',
  properties: { url: `${svc.url}${path}`, retry: { maxAttempts: 1 }, ...extra },
});

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
