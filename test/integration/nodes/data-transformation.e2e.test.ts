/**
 * DATA_TRANSFORMATION operations end to end: published graphs on the real Temporal dev server,
 * run by the real worker, read back over the API; bad operation (and VALIDATION) properties
 * refused at create. (Operations simulated with a VALIDATION node: validation.e2e.)
 */
import { runGraph, startTestWeft, type TestWeft } from '../../support/harness';
import { lineGraph as line } from '../../support/line-graph';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft();
});

afterAll(async () => {
  await t?.stop();
});

const order = {
  id: 'SO-1001',
  placedAt: '2024-03-05T23:30:00Z',
  customer: { first_name: 'Ada', last_name: 'Lovelace' },
  lines: [
    { sku: 'A-1', price: 1200, qty: 2 },
    { sku: 'B-2', price: 0.5, qty: 10 },
  ],
};

test('the five operations of 004 run in order after assign, each result a variable the next one and END can read', async () => {
  const graph = line(
    'transform-order',
    [
      {
        id: 'shape',
        type: 'DATA_TRANSFORMATION',
        properties: {
          assign: { rate: '0.2' },
          operations: [
            { type: 'map', source: 'input.lines', expression: '{ "sku": item.sku, "amount": item.price * item.qty, "n": index + 1 }', target: 'lines' },
            { type: 'rename', source: 'input.customer', mapping: { first_name: 'firstName', last_name: 'lastName' }, target: 'customer' },
            { type: 'calculate', expression: '$sum(vars.lines.amount) * (1 + vars.rate)', target: 'total' },
            { type: 'format', format: 'currency', value: 'vars.total', currency: 'EUR', target: 'totalText' },
            { type: 'format', format: 'date', value: 'input.placedAt', pattern: '[D01].[M01].[Y0001]', target: 'placed' },
            { type: 'format', format: 'template', template: 'Order ${input.id} for {{vars.customer.lastName}}', target: 'title' },
            {
              type: 'merge',
              sources: ['{"order": {"id": input.id}}', '{"order": {"total": vars.total}, "customer": vars.customer}'],
              strategy: 'deep',
              target: 'doc',
            },
          ],
        },
      },
    ],
    {
      lines: 'vars.lines',
      customer: 'vars.customer',
      total: 'vars.total',
      totalText: 'vars.totalText',
      placed: 'vars.placed',
      title: 'vars.title',
      doc: 'vars.doc',
    },
  );
  const done = await runGraph(t, graph, order);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({
    lines: [
      { sku: 'A-1', amount: 2400, n: 1 },
      { sku: 'B-2', amount: 5, n: 2 },
    ],
    customer: { firstName: 'Ada', lastName: 'Lovelace' },
    total: 2886,
    totalText: '€2,886.00',
    placed: '05.03.2024',
    title: 'Order SO-1001 for Lovelace',
    doc: { order: { id: 'SO-1001', total: 2886 }, customer: { firstName: 'Ada', lastName: 'Lovelace' } },
  });
  const history = await t.api('GET', `/api/v1/workflow-instances/${done.id}/history`);
  const shape = history.body.nodes.find((n: any) => n.nodeId === 'shape');
  expect(shape.output).toMatchObject({ rate: 0.2, total: 2886, placed: '05.03.2024' });
});

test('an operation failing at run time fails the node with its code and the path of the offending property', async () => {
  const graph = line('bad-merge', [
    {
      id: 'shape',
      type: 'DATA_TRANSFORMATION',
      properties: {
        operations: [
          { type: 'calculate', expression: '1', target: 'one' },
          { type: 'merge', sources: ['{}', 'input.lines'], target: 'doc' },
        ],
      },
    },
  ]);
  const failed = await runGraph(t, graph, order);
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'VALIDATION_ERROR', nodeId: 'shape', message: '/operations/1/sources/1: merge needs objects, got an array' });
});

test('bad operation and VALIDATION properties are refused at create with 422 and every path', async () => {
  const graph = line('bad-props', [
    {
      id: 'shape',
      type: 'DATA_TRANSFORMATION',
      properties: {
        operations: [
          { type: 'map', source: 'input.lines', expression: 'item.(', target: 'x' },
          { type: 'format', format: 'currency', value: 'vars.total', currency: 'euro', target: 't' },
          { type: 'explode', target: 'y' },
        ],
      },
    },
    {
      id: 'check',
      type: 'VALIDATION',
      properties: { schema: { properties: { id: { type: 'text', pattern: '(a+)+$' } }, $ref: 'https://example.com/s.json' } },
    },
  ]);
  const res = await t.api('POST', '/api/v1/workflows', graph);
  expect(res.status).toBe(422);
  expect(res.body.code).toBe('INVALID_WORKFLOW');
  expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(
    [
      '/nodes/1/properties/operations/0/expression',
      '/nodes/1/properties/operations/1/currency',
      '/nodes/1/properties/operations/2/type',
      '/nodes/2/properties/schema/$ref',
      '/nodes/2/properties/schema/properties/id/pattern',
      '/nodes/2/properties/schema/properties/id/type',
    ].sort(),
  );
});
