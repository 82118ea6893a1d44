/**
 * POST /workflows/{id}/simulate: the real interpreter on the real Temporal server, with every
 * side-effecting node answered from samples — no request leaves, nothing is recorded.
 */
import { type FakeService } from '../support/fake-service';
import { startWeftWithService, type TestWeft } from '../support/harness';

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, svc, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

const graph = () => ({
  name: 'credit-check',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'score', type: 'API_CALL', properties: { url: `${svc.url}/score/{{input.customer}}` } },
    { id: 'cool', type: 'WAIT', properties: { duration: '1h' } },
    { id: 'good', type: 'IF_THEN_ELSE', properties: { condition: 'nodes.score.output.body.score >= 700' } },
    { id: 'approve', type: 'END', properties: { output: { decision: '"approve"' } } },
    { id: 'review', type: 'END', properties: { output: { decision: '"review"' } } },
  ],
  edges: [
    { source: 'start', target: 'score' },
    { source: 'score', target: 'cool' },
    { source: 'cool', target: 'good' },
    { source: 'good', sourcePort: 'true', target: 'approve' },
    { source: 'good', sourcePort: 'false', target: 'review' },
  ],
});

test('a simulation follows the path the sample outputs lead to, without calling out, waiting or recording', async () => {
  const created = await t.api('POST', '/api/v1/workflows', graph());
  const id = created.body.id;
  const before = svc.requests.length;

  const high = await t.api('POST', `/api/v1/workflows/${id}/simulate`, {
    input: { customer: 'c1' },
    outputs: { score: { status: 200, body: { score: 780 } } },
  });
  expect(high.status).toBe(200);
  expect(high.body).toMatchObject({
    status: 'completed',
    output: { decision: 'approve' },
    version: '1.0.0',
    path: ['start', 'score', 'cool', 'good', 'approve'],
  });
  expect(high.body.trace.find((n: any) => n.nodeId === 'cool').output).toEqual({ waitedMs: 0, waited: false });

  const low = await t.api('POST', `/api/v1/workflows/${id}/simulate`, { outputs: { score: { body: { score: 610 } } } });
  expect(low.body.path.at(-1)).toBe('review');

  const failing = await t.api('POST', `/api/v1/workflows/${id}/simulate`, { errors: { score: { code: 'HTTP_503' } } });
  expect(failing.body).toMatchObject({ status: 'failed', error: { code: 'HTTP_503', nodeId: 'score' }, path: ['start', 'score'] });

  // The world was not touched: no request reached the service, no execution was recorded.
  expect(svc.requests.length).toBe(before);
  expect((await t.api('GET', `/api/v1/workflows/${id}/instances`)).body.total).toBe(0);
});

test('a candidate graph can be simulated before it is stored; an invalid one gets 422 with paths', async () => {
  const created = await t.api('POST', '/api/v1/workflows', graph());
  const candidate = graph();
  candidate.nodes[3] = { id: 'good', type: 'IF_THEN_ELSE', properties: { condition: 'nodes.score.output.body.score >= 500' } };
  const res = await t.api('POST', `/api/v1/workflows/${created.body.id}/simulate`, { graph: candidate, outputs: { score: { body: { score: 610 } } } });
  expect(res.body).toMatchObject({ version: 'candidate', output: { decision: 'approve' } });

  candidate.nodes[3] = { id: 'good', type: 'IF_THEN_ELSE', properties: { condition: 'nodes.score >' } };
  const invalid = await t.api('POST', `/api/v1/workflows/${created.body.id}/simulate`, { graph: candidate });
  expect(invalid.status).toBe(422);
  expect(invalid.body.errors[0].path).toBe('/graph/nodes/3/properties/condition');
});
