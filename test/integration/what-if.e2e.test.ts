/**
 * What-if (issue 20) on real Temporal and PostgreSQL: 20 executions recorded from version 1 (an
 * IF on a score threshold, two API_CALLs to a loopback service, an APPROVAL decided through the
 * API, at a site whose configuration the request carries), then candidate versions run over them
 * in simulation — nothing reaches the service, and each execution is answered from its own record.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

jest.setTimeout(180_000);

let t: TestWeft;
let svc: FakeService;
let definitionId: string;
const recorded: Array<{ id: string; customer: string; score: number }> = [];

async function ok(method: string, path: string, body?: unknown, status = 200, token?: string): Promise<any> {
  const res = await t.api(method, `/api/v1${path}`, body, token ? { token } : {});
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Version 1, or a variant: the score threshold, the `check` condition, an extra API_CALL after `score`. */
function graph(opts: { threshold?: number; condition?: string; extraCall?: boolean } = {}) {
  const condition = opts.condition ?? `nodes.score.output.body.score >= ${opts.threshold ?? 600}`;
  return {
    name: 'credit-booking',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'score', type: 'API_CALL', properties: { url: `${svc.url}/score/{{input.customer}}`, query: { plant: '{{config.plantCode}}' } } },
      ...(opts.extraCall
        ? [{ id: 'audit', type: 'API_CALL', properties: { method: 'POST', url: `${svc.url}/audit`, body: { customer: '${input.customer}' } } }]
        : []),
      { id: 'check', type: 'IF_THEN_ELSE', properties: { condition } },
      {
        id: 'approve',
        type: 'APPROVAL',
        properties: { title: 'Book ${input.customer}', chain: { steps: [{ id: 'lead', approvers: [{ type: 'role', identifier: 'manager' }] }] } },
      },
      {
        id: 'book',
        type: 'API_CALL',
        properties: { method: 'POST', url: `${svc.url}/bookings`, body: { customer: '${input.customer}', score: '${nodes.score.output.body.score}' } },
      },
      { id: 'booked', type: 'END', properties: { output: { decision: '"booked"', booking: 'nodes.book.output.body.id', plant: 'config.plantCode' } } },
      { id: 'review', type: 'END', properties: { output: { decision: '"review"', score: 'nodes.score.output.body.score', plant: 'config.plantCode' } } },
    ],
    edges: [
      { source: 'start', target: 'score' },
      ...(opts.extraCall
        ? [
            { source: 'score', target: 'audit' },
            { source: 'audit', target: 'check' },
          ]
        : [{ source: 'score', target: 'check' }]),
      { source: 'check', sourcePort: 'true', target: 'approve' },
      { source: 'check', sourcePort: 'false', target: 'review' },
      { source: 'approve', sourcePort: 'approved', target: 'book' },
      { source: 'book', target: 'booked' },
    ],
  };
}

let versions = 1;
/** Stores `g` as the next version of the definition; its version string. */
async function addVersion(g: unknown): Promise<string> {
  const version = `${++versions}.0.0`;
  await ok('PUT', `/workflows/${definitionId}`, { ...(g as object), version });
  return version;
}

/** Starts a what-if (expecting 202) and waits for it to end; the report. */
async function whatIf(version: string, body: unknown = { sample: { limit: 20 } }): Promise<any> {
  const started = await t.api('POST', `/api/v1/workflows/${definitionId}/versions/${version}/what-if`, body);
  if (started.status !== 202) throw new Error(`what-if refused: ${started.status} ${JSON.stringify(started.body)}`);
  expect(started.headers.get('location')).toBe(`/api/v1/what-if/${started.body.id}`);
  return until(`what-if ${started.body.id}`, async () => {
    const res = await t.api('GET', `/api/v1/what-if/${started.body.id}?limit=1000`);
    return res.body.status !== 'running' && res.body;
  });
}

const byCategory = (report: any, category: string) =>
  report.executions.items
    .filter((e: any) => e.category === category)
    .map((e: any) => e.executionId)
    .sort();
const idsWhere = (pred: (r: { score: number }) => boolean) =>
  recorded
    .filter(pred)
    .map((r) => r.id)
    .sort();

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => {
    const customer = /\/score\/c(\d+)/.exec(req.url);
    if (customer) return json(res, 200, { score: 500 + Number(customer[1]) * 10 });
    if (req.url.startsWith('/bookings')) return json(res, 201, { id: `B-${JSON.parse(req.body).customer}` });
    return json(res, 200, {});
  });
  t = await startTestWeft({ database: 'postgres', allowedHosts: [svc.host] });
  await ok('POST', '/users', { id: 'mia', name: 'Mia', roles: ['manager'] }, 201);
  await ok('POST', '/config/parameters', { key: 'plantCode', name: 'Plant code', type: 'string', defaultValue: 'X0' }, 201);
  await ok('POST', '/sites', { id: 'plant-a', name: 'Plant A', region: 'eu-west', environment: 'production' }, 201);
  await ok('PUT', '/sites/plant-a/config/plantCode', { value: 'A1', reason: 'plant A' }, 201);
  definitionId = await publishGraph(t, graph());

  // 20 executions: scores 500..690; those at 600 or more wait for Mia's approval, then book.
  const operator = t.token(['operator'], 'otto');
  for (let i = 0; i < 20; i++) {
    const started = await ok('POST', `/workflows/${definitionId}/instances`, { input: { customer: `c${i}` }, site: 'plant-a' }, 202, operator);
    recorded.push({ id: started.id, customer: `c${i}`, score: 500 + i * 10 });
  }
  const mia = t.token(['manager'], 'mia');
  for (const r of recorded.filter((x) => x.score >= 600)) {
    await until(`approval of ${r.id}`, async () => (await t.api('POST', `/api/v1/workflow-instances/${r.id}/approve`, {}, { token: mia })).status === 200);
  }
  for (const r of recorded) {
    const done = await waitForInstance(t, r.id, 60_000);
    expect(done.status).toBe('completed');
    expect(done.output).toMatchObject({ decision: r.score >= 600 ? 'booked' : 'review', plant: 'A1' });
  }
  // The what-ifs must use the configuration recorded at each start (their outputs show it), not today's.
  await ok('PUT', '/sites/plant-a/config/plantCode', { value: 'A2', reason: 'renumbered' });
});

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

test('an identical version: 20 of 20 the same, answered from the records, and the service hears nothing', async () => {
  const before = svc.requests.length;
  const v = await addVersion(graph());
  const report = await whatIf(v);
  expect(report).toMatchObject({ status: 'completed', version: v, progress: { processed: 20, total: 20, percentage: 100 } });
  expect(report.summary.counts).toEqual({ same: 20, output_changed: 0, path_changed: 0, now_fails: 0, now_succeeds: 0, unanswered: 0 });
  expect(report.summary.shares.same).toBe(1);
  expect(report.summary.changedPercentage).toBe(0);
  expect(report.executions.items.map((e: any) => e.executionId).sort()).toEqual(idsWhere(() => true));
  expect(svc.requests.length).toBe(before);
});

test('raising the threshold: exactly the executions whose branch flips are path_changed, with where the paths part', async () => {
  const before = svc.requests.length;
  const v = await addVersion(graph({ threshold: 650 }));
  const report = await whatIf(v);
  const flipped = idsWhere((r) => r.score >= 600 && r.score < 650);
  expect(flipped).toHaveLength(5);
  expect(byCategory(report, 'path_changed')).toEqual(flipped);
  expect(byCategory(report, 'same')).toEqual(idsWhere((r) => r.score < 600 || r.score >= 650));
  expect(report.summary.counts.path_changed).toBe(5);
  expect(report.summary.shares.path_changed).toBe(0.25);
  expect(report.summary.topNodes).toEqual([{ nodeId: 'check', executions: 5 }]);

  const one = await ok('GET', `/what-if/${report.id}/executions/${flipped[0]}`);
  expect(one).toMatchObject({
    category: 'path_changed',
    divergence: { after: 'check', then: 'approve', now: 'review' },
    then: { status: 'completed', path: ['start', 'score', 'check', 'approve', 'book', 'booked'], output: { decision: 'booked' } },
    now: { status: 'completed', path: ['start', 'score', 'check', 'review'], output: { decision: 'review' } },
  });
  const check = one.nodes.find((n: any) => n.nodeId === 'check');
  expect(check.then.output).toMatchObject({ result: true });
  expect(check.now.output).toMatchObject({ result: false });
  expect(svc.requests.length).toBe(before);
});

test('a new API_CALL: unanswered without a stub, answered by the stub when given; the service hears nothing', async () => {
  const before = svc.requests.length;
  const v = await addVersion(graph({ extraCall: true }));
  const unanswered = await whatIf(v);
  expect(unanswered.summary.counts.unanswered).toBe(20);
  expect(unanswered.summary.topNodes[0]).toEqual({ nodeId: 'audit', executions: 20 });
  const first = unanswered.executions.items[0];
  expect(first).toMatchObject({ category: 'unanswered', unanswered: ['audit'] });
  const side = await ok('GET', `/what-if/${unanswered.id}/executions/${first.executionId}`);
  // No error path in the graph: the unanswered node fails the run there.
  expect(side.now).toMatchObject({ status: 'failed', error: { code: 'WHAT_IF_UNANSWERED', nodeId: 'audit' }, path: ['start', 'score', 'audit'] });

  const stubbed = await whatIf(v, { sample: { limit: 20 }, stubs: { audit: { status: 200, body: { logged: true } } } });
  expect(stubbed.summary.counts.unanswered).toBe(0);
  // The extra node shows in every path; the outcomes are as recorded.
  expect(stubbed.summary.counts.path_changed).toBe(20);
  const withStub = await ok('GET', `/what-if/${stubbed.id}/executions/${recorded[15]!.id}`);
  expect(withStub.now).toMatchObject({ status: 'completed', output: { decision: 'booked', booking: 'B-c15' }, stubbed: ['audit'] });
  expect(withStub.nodes.find((n: any) => n.nodeId === 'audit')).toMatchObject({ then: null, now: { output: { body: { logged: true } } } });
  expect(svc.requests.length).toBe(before);
});

test('a changed request is not answered from the record of another request', async () => {
  const changed = graph();
  (changed.nodes[1]!.properties as any).url = `${svc.url}/score-v2/{{input.customer}}`;
  const report = await whatIf(await addVersion(changed), { sample: { limit: 5 }, stubs: {} });
  expect(report.summary).toMatchObject({ total: 5, processed: 5, counts: { unanswered: 5 } });
  expect(report.executions.items[0].unanswered).toEqual(['score']);
});

test('an expression that now fails: now_fails with the error', async () => {
  const report = await whatIf(await addVersion(graph({ condition: '$number(input.customer) > 0' })));
  expect(report.summary.counts.now_fails).toBe(20);
  const item = report.executions.items[0];
  expect(item).toMatchObject({ category: 'now_fails', nodes: ['check'], error: { code: 'EXPRESSION_ERROR', nodeId: 'check' } });
});

test('filters: fromVersion, status and dates narrow the sample; bad input is refused with code and path', async () => {
  const v = `${versions}.0.0`;
  const narrowed = await whatIf(v, { sample: { fromVersion: '1.0.0', limit: 3 } });
  expect(narrowed.progress.total).toBe(3);
  // Newest first.
  expect(narrowed.executions.items.map((e: any) => e.executionId)).toEqual([recorded[19]!.id, recorded[18]!.id, recorded[17]!.id]);
  const future = await whatIf(v, { sample: { since: '2999-01-01T00:00:00Z', limit: 10 } });
  expect(future).toMatchObject({ status: 'completed', progress: { processed: 0, total: 0 } });

  const bad = async (path: string, body: unknown, status: number, code: string, pointer: string) => {
    const res = await t.api('POST', `/api/v1${path}`, body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
    expect(res.body.errors.map((e: any) => e.path)).toContain(pointer);
  };
  const base = `/workflows/${definitionId}/versions/${v}/what-if`;
  await bad(base, { sample: { limit: 5001 } }, 400, 'INVALID_REQUEST', '/sample/limit');
  await bad(base, { sample: { since: 'yesterday', limit: 5 } }, 400, 'INVALID_REQUEST', '/sample/since');
  await bad(base, { sample: { since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z', limit: 5 } }, 400, 'INVALID_REQUEST', '/sample/until');
  await bad(`/workflows/${definitionId}/versions/9.9.9/what-if`, {}, 404, 'VERSION_NOT_FOUND', '/version');
  await bad(base, { sample: { fromVersion: '7.0.0', limit: 5 } }, 404, 'VERSION_NOT_FOUND', '/sample/fromVersion');
  expect((await t.api('GET', '/api/v1/what-if/what-if-nope')).body.code).toBe('WHAT_IF_NOT_FOUND');
});
