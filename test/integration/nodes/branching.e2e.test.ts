/**
 * IF_THEN_ELSE and SWITCH end to end over HTTP, on the real Temporal dev server and a real
 * database: the GRAPH.md example down both branches, SWITCH ports, edge conditions and priorities
 * (with WAIT and API_CALL templates on the way).
 */
import { json, type FakeService } from '../../support/fake-service';
import { graphMdExample } from '../../unit/graph/fixtures';
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
