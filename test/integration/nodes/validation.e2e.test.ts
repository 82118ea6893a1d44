/**
 * The VALIDATION node end to end: published graphs on the real Temporal dev server, run by the
 * real worker, read back over the API; failing, leaving by port `invalid`, and simulated together
 * with a DATA_TRANSFORMATION. (Bad VALIDATION properties refused at create: data-transformation.e2e.)
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

const orderSchema = {
  type: 'object',
  required: ['id', 'customer', 'lines'],
  properties: {
    id: { type: 'string', pattern: '^SO-[0-9]+$' },
    customer: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
    lines: { type: 'array', minItems: 1, items: { type: 'object', required: ['sku', 'qty'], properties: { qty: { type: 'integer', minimum: 1 } } } },
  },
};

test('VALIDATION fails the execution with VALIDATION_FAILED listing every error with its path', async () => {
  const graph = line('validate-order', [{ id: 'check', type: 'VALIDATION', properties: { schema: orderSchema } }]);
  const valid = await runGraph(t, graph, { id: 'SO-1', customer: { email: 'ada@example.com' }, lines: [{ sku: 'A', qty: 1 }] });
  expect(valid.status).toBe('completed');

  const failed = await runGraph(t, graph, { id: 'PO-1', customer: { email: 'nope' }, lines: [{ sku: 'A', qty: 0 }, { qty: 2.5 }] });
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'VALIDATION_FAILED', nodeId: 'check' });
  expect(failed.error.message).toMatch(/5 errors/);
  const history = await t.api('GET', `/api/v1/workflow-instances/${failed.id}/history`);
  const check = history.body.nodes.find((n: any) => n.nodeId === 'check');
  expect(check.error.details.errors.map((e: any) => `${e.path} ${e.keyword}`)).toEqual([
    '/customer/email format',
    '/id pattern',
    '/lines/0/qty minimum',
    '/lines/1 required',
    '/lines/1/qty type',
  ]);
});

test('VALIDATION with onInvalid "port" routes invalid data through port invalid, with the errors as its output', async () => {
  const graph = {
    name: 'route-invalid',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'check', type: 'VALIDATION', properties: { data: 'input.order', schema: orderSchema, onInvalid: 'port' } },
      { id: 'accept', type: 'END', properties: { output: { accepted: 'true' } } },
      { id: 'reject', type: 'END', properties: { output: { accepted: 'false', problems: 'nodes.check.output.errors.path' } } },
    ],
    edges: [
      { source: 'start', target: 'check' },
      { source: 'check', sourcePort: 'valid', target: 'accept' },
      { source: 'check', sourcePort: 'invalid', target: 'reject' },
    ],
  };
  const ok = await runGraph(t, graph, { order: { id: 'SO-7', customer: { email: 'a@b.co' }, lines: [{ sku: 'A', qty: 3 }] } });
  expect(ok.output).toEqual({ accepted: true });
  const bad = await runGraph(t, graph, { order: { id: 'SO-7', lines: [] } });
  expect(bad.status).toBe('completed');
  expect(bad.output).toEqual({ accepted: false, problems: ['', '/lines'] });
});

test('the simulate endpoint runs operations and VALIDATION like an execution', async () => {
  const graph = line(
    'simulated',
    [
      { id: 'shape', type: 'DATA_TRANSFORMATION', properties: { operations: [{ type: 'format', format: 'uppercase', value: 'input.id', target: 'id' }] } },
      { id: 'check', type: 'VALIDATION', properties: { data: 'vars', schema: { properties: { id: { pattern: '^[A-Z]+$' } } } } },
    ],
    { id: 'vars.id' },
  );
  const created = await t.api('POST', '/api/v1/workflows', graph);
  expect(created.status).toBe(201);
  const ok = await t.api('POST', `/api/v1/workflows/${created.body.id}/simulate`, { input: { id: 'abc' } });
  expect(ok.body).toMatchObject({ status: 'completed', output: { id: 'ABC' }, path: ['start', 'shape', 'check', 'end'] });
  const bad = await t.api('POST', `/api/v1/workflows/${created.body.id}/simulate`, { input: { id: 'ab1' } });
  expect(bad.body).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED', nodeId: 'check' } });
  expect(bad.body.error.details.errors).toEqual([{ path: '/id', keyword: 'pattern', message: expect.any(String) }]);
});
