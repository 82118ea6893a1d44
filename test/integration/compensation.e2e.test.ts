/**
 * Compensation (saga) end to end: with settings.rollbackOnFailure, the completed side effects
 * that declare a compensation are undone newest first when the execution fails; a failing
 * compensation does not stop the others; the execution keeps its original error.
 */
import { json, type FakeService } from '../support/fake-service';
import { publishGraph, runGraph, startWeftWithService, type TestWeft } from '../support/harness';

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, svc, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

const once = { maxAttempts: 1 };

/** A trip: reserve a room, charge the card, book a flight (which fails); two steps can be undone. */
function trip(opts: { rollback?: boolean } = {}) {
  return {
    name: 'trip',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'room',
        type: 'API_CALL',
        properties: { method: 'POST', url: `${svc.url}/rooms`, body: { guest: '{{input.guest}}' }, retry: once, compensation: 'releaseRoom' },
      },
      { id: 'charge', type: 'API_CALL', properties: { method: 'POST', url: `${svc.url}/charges`, body: { amount: 120 }, retry: once, compensation: 'refund' } },
      { id: 'flight', type: 'API_CALL', properties: { method: 'POST', url: `${svc.url}/flights`, retry: once } },
      { id: 'end', type: 'END' },
      // Run by name only: they take no edges.
      { id: 'releaseRoom', type: 'API_CALL', properties: { method: 'DELETE', url: `${svc.url}/rooms/{{nodes.room.output.body.id}}`, retry: once } },
      {
        id: 'refund',
        type: 'API_CALL',
        properties: {
          method: 'POST',
          url: `${svc.url}/refunds`,
          body: { charge: '{{compensating.output.body.id}}', undoes: '{{compensating.nodeId}}', because: '{{compensating.error.code}}' },
          retry: once,
        },
      },
    ],
    edges: [
      { source: 'start', target: 'room' },
      { source: 'room', target: 'charge' },
      { source: 'charge', target: 'flight' },
      { source: 'flight', target: 'end' },
    ],
    settings: { rollbackOnFailure: opts.rollback ?? true },
  };
}

/** The fake travel services; `refundStatus` is what the refund endpoint answers. */
function services(refundStatus = 200): void {
  svc.handle((req, res) => {
    if (req.method === 'POST' && req.url === '/rooms') return json(res, 201, { id: 'R-7' });
    if (req.method === 'POST' && req.url === '/charges') return json(res, 201, { id: 'CH-42' });
    if (req.method === 'POST' && req.url === '/flights') return json(res, 503, { error: 'sold out' });
    if (req.method === 'POST' && req.url === '/refunds') return json(res, refundStatus, { ok: refundStatus < 300 });
    if (req.method === 'DELETE' && req.url === '/rooms/R-7') return json(res, 200, { released: true });
    return json(res, 404, { error: 'unexpected' });
  });
}

const calls = () => svc.requests.map((r) => `${r.method} ${r.url}`);

beforeEach(() => {
  svc.requests.length = 0;
});

test('a failed execution undoes its completed steps newest first and keeps its own error', async () => {
  services();
  const out = await runGraph(t, trip(), { guest: 'Ada' });
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('HTTP_503');
  expect(out.error.nodeId).toBe('flight');
  expect(calls()).toEqual(['POST /rooms', 'POST /charges', 'POST /flights', 'POST /refunds', 'DELETE /rooms/R-7']);
  // The compensation saw the output of the step it undoes, and why it runs.
  expect(JSON.parse(svc.requests[3]?.body ?? '{}')).toEqual({ charge: 'CH-42', undoes: 'charge', because: 'HTTP_503' });
  expect(out.error.details.compensation).toEqual({
    compensated: [
      { nodeId: 'charge', iteration: 0, by: 'refund' },
      { nodeId: 'room', iteration: 0, by: 'releaseRoom' },
    ],
    failed: [],
  });
  const history = (await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`)).body.nodes;
  expect(history.map((n: { nodeId: string; status: string }) => `${n.nodeId}:${n.status}`)).toEqual([
    'start:completed',
    'room:completed',
    'charge:completed',
    'flight:failed',
    'refund:completed',
    'releaseRoom:completed',
  ]);
});

test('a compensation that fails is recorded and the remaining ones still run', async () => {
  services(500);
  const out = await runGraph(t, trip(), { guest: 'Ada' });
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('HTTP_503');
  expect(calls()).toEqual(['POST /rooms', 'POST /charges', 'POST /flights', 'POST /refunds', 'DELETE /rooms/R-7']);
  expect(out.error.details.compensation.compensated).toEqual([{ nodeId: 'room', iteration: 0, by: 'releaseRoom' }]);
  expect(out.error.details.compensation.failed).toEqual([
    { nodeId: 'charge', iteration: 0, by: 'refund', error: expect.objectContaining({ code: 'HTTP_500', nodeId: 'refund' }) },
  ]);
  const history = (await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`)).body.nodes;
  expect(history.find((n: { nodeId: string }) => n.nodeId === 'refund')).toMatchObject({ status: 'failed', error: { code: 'HTTP_500' } });
});

test('without rollbackOnFailure nothing is undone, and a completed execution is never compensated', async () => {
  services();
  const out = await runGraph(t, trip({ rollback: false }), { guest: 'Ada' });
  expect(out.status).toBe('failed');
  expect(out.error.details?.compensation).toBeUndefined();
  expect(calls()).toEqual(['POST /rooms', 'POST /charges', 'POST /flights']);

  svc.requests.length = 0;
  svc.handle((req, res) => json(res, 201, { id: req.url === '/rooms' ? 'R-7' : 'X' }));
  const ok = await runGraph(t, trip(), { guest: 'Ada' });
  expect(ok.status).toBe('completed');
  expect(calls()).toEqual(['POST /rooms', 'POST /charges', 'POST /flights']);
});

test('a compensation must name another node that can run alone and takes no edges', async () => {
  const paths = async (graph: unknown) => {
    const res = await t.api('POST', '/api/v1/workflows', graph);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('INVALID_WORKFLOW');
    return res.body.errors.map((i: { path: string }) => i.path);
  };
  const misnamed = trip();
  (misnamed.nodes[1] as { properties: Record<string, unknown> }).properties.compensation = 'nowhere';
  (misnamed.nodes[2] as { properties: Record<string, unknown> }).properties.compensation = 'end';
  expect(await paths(misnamed)).toEqual(expect.arrayContaining(['/nodes/1/properties/compensation', '/nodes/2/properties/compensation']));
  const wired = trip();
  wired.edges.push({ source: 'releaseRoom', target: 'end' });
  expect(await paths(wired)).toEqual(['/nodes/5']);
  // The trip as it is publishes: detached compensation nodes need no path from START.
  await expect(publishGraph(t, trip())).resolves.toEqual(expect.any(String));
});
