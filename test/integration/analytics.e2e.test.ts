/**
 * Analytics and error statistics (docs/analytics.md) on real Temporal and PostgreSQL: a known set
 * of executions — three that pass, two whose notification fails but is carried on
 * (`continueOnError`), one whose check fails after a retry — and the figures the API computes
 * from their records: counts, success and error rates, duration percentiles (checked against
 * percentile_cont computed here from the recorded durations), per-node figures, errors by node
 * and code with retries and the share recovered, a node's recent errors, and one instance's metrics.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { lineGraph } from '../support/line-graph';

let t: TestWeft;
let svc: FakeService;
let ordersId: string;
let tinyId: string;
const ids: Record<'ok' | 'soft' | 'fail', string[]> = { ok: [], soft: [], fail: [] };
const finished: any[] = [];
const histories: Record<string, any[]> = {};

async function ok(path: string, status = 200): Promise<any> {
  const res = await t.api('GET', `/api/v1${path}`);
  if (res.status !== status) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** PostgreSQL's percentile_cont: linear interpolation between the sorted values. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

const nodeMs = (n: any) => Date.parse(n.endedAt) - Date.parse(n.startedAt);

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => {
    if (req.url.startsWith('/check/fail')) return json(res, 503, { error: 'down' });
    if (req.url.startsWith('/notify/soft')) return json(res, 500, { error: 'mail server' });
    json(res, 200, { ok: true });
  });
  t = await startTestWeft({ allowedHosts: [svc.host] });
  const once = { maxAttempts: 1 };
  ordersId = await publishGraph(
    t,
    lineGraph('orders', [
      {
        id: 'check',
        type: 'API_CALL',
        properties: { url: `${svc.url}/check/{{input.mode}}`, retry: { maxAttempts: 2, strategy: 'FIXED', initialIntervalMs: 100 } },
      },
      { id: 'notify', type: 'API_CALL', properties: { url: `${svc.url}/notify/{{input.mode}}`, retry: once, continueOnError: true } },
    ]),
  );
  tinyId = await publishGraph(t, lineGraph('tiny', [{ id: 'ping', type: 'API_CALL', properties: { url: `${svc.url}/ping`, retry: once } }]));
  for (const mode of ['ok', 'soft', 'ok', 'fail', 'soft', 'ok'] as const) ids[mode].push(await startInstance(t, ordersId, { mode }));
  const tiny = await startInstance(t, tinyId);
  for (const id of [...ids.ok, ...ids.soft, ...ids.fail, tiny]) finished.push(await waitForInstance(t, id));
  for (const id of [...ids.ok, ...ids.soft, ...ids.fail]) histories[id] = (await ok(`/workflow-instances/${id}/history`)).nodes;
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

test('the overview counts every execution by status, with rates, percentiles, the busiest workflows and the dashboard', async () => {
  const body = await ok('/analytics/overview?days=7');
  expect(body.executions.total).toBe(7);
  expect(body.executions.byStatus).toMatchObject({ completed: 6, failed: 1, running: 0, cancelled: 0 });
  expect(body.successRate).toBeCloseTo(6 / 7, 4);
  expect(body.errorRate).toBeCloseTo(1 / 7, 4);
  const durations = finished.map((f) => f.durationMs as number);
  expect(body.durationMs.p50).toBeCloseTo(percentileCont(durations, 0.5), 6);
  expect(body.durationMs.p95).toBeCloseTo(percentileCont(durations, 0.95), 6);
  expect(body.durationMs.p99).toBeCloseTo(percentileCont(durations, 0.99), 6);
  const completed = finished.filter((f) => f.status === 'completed').map((f) => f.durationMs as number);
  expect(body.durationMs.averageCompletion).toBeCloseTo(completed.reduce((a, b) => a + b, 0) / completed.length, 6);
  expect(body.busiestWorkflows).toEqual([
    { workflowId: ordersId, name: 'orders', executions: 6, completed: 5, failed: 1 },
    { workflowId: tinyId, name: 'tiny', executions: 1, completed: 1, failed: 0 },
  ]);
  const today = body.window.to.slice(0, 10);
  expect(body.perDay).toEqual(
    finished.some((f) => f.startedAt.slice(0, 10) !== today)
      ? expect.any(Array)
      : [{ day: today, started: 7, completed: 6, failed: 1, cancelled: 0, p50Ms: expect.any(Number), p95Ms: expect.any(Number) }],
  );
  expect(body.dashboard).toEqual({
    activeInstances: 0,
    completedToday: finished.filter((f) => f.status === 'completed' && f.completedAt.slice(0, 10) === today).length,
    averageCompletionTimeMs: body.durationMs.averageCompletion,
    slaBreaches: 0,
    pendingApprovals: 0,
    escalatedInstances: 0,
    errorRate: body.errorRate,
    throughputPerHour: Math.round((6 / (7 * 24)) * 1000) / 1000,
  });
});

test("one workflow's analytics add per-node runs, failures and duration percentiles, by version", async () => {
  const body = await ok(`/workflows/${ordersId}/analytics?days=1&version=1.0.0`);
  expect(body.executions).toMatchObject({ total: 6, finished: 6 });
  expect(body.successRate).toBeCloseTo(5 / 6, 4);
  const runs = Object.values(histories).flat();
  const check = body.nodes.find((n: any) => n.nodeId === 'check');
  const notify = body.nodes.find((n: any) => n.nodeId === 'notify');
  expect(check).toMatchObject({ nodeType: 'API_CALL', runs: 6, completed: 5, failed: 1 });
  expect(notify).toMatchObject({ nodeType: 'API_CALL', runs: 5, completed: 3, failed: 2 });
  const checkMs = runs.filter((n) => n.nodeId === 'check').map(nodeMs);
  expect(check.p50Ms).toBeCloseTo(percentileCont(checkMs, 0.5), 6);
  expect(check.p95Ms).toBeCloseTo(percentileCont(checkMs, 0.95), 6);
  expect(check.retries).toBe(runs.filter((n) => n.nodeId === 'check').reduce((s, n) => s + n.attempts - 1, 0));
  expect(check.retries).toBeGreaterThanOrEqual(1);

  const other = await ok(`/workflows/${ordersId}/analytics?version=9.9.9`);
  expect(other.executions.total).toBe(0);
  expect(other.successRate).toBeNull();
  expect(other.durationMs.p50).toBeNull();
  expect(other.nodes).toEqual([]);
});

test('error statistics group failed runs by node and code, with retries and the share handlers recovered', async () => {
  const body = await ok(`/workflows/${ordersId}/error-stats?days=30`);
  const runs = Object.values(histories).flat();
  expect(body.nodeRuns).toBe(runs.length);
  expect(body.failedRuns).toBe(3);
  expect(body.byCode).toEqual({ HTTP_500: 2, HTTP_503: 1 });
  expect(body.recoveredFailures).toBe(2);
  expect(body.recoveredShare).toBeCloseTo(2 / 3, 4);
  expect(body.retries).toBe(runs.reduce((s, n) => s + n.attempts - 1, 0));
  expect(body.byNode).toEqual([
    { nodeId: 'notify', nodeType: 'API_CALL', failures: 2, retries: 0, recovered: 2, codes: { HTTP_500: 2 } },
    { nodeId: 'check', nodeType: 'API_CALL', failures: 1, retries: expect.any(Number), recovered: 0, codes: { HTTP_503: 1 } },
  ]);

  const errors = await ok(`/workflows/${ordersId}/nodes/notify/errors?days=30`);
  expect(errors.items.map((e: any) => e.executionId).sort()).toEqual([...ids.soft].sort());
  expect(errors.items[0]).toMatchObject({ executionStatus: 'completed', version: '1.0.0', error: { code: 'HTTP_500' } });
  const fatal = await ok(`/workflows/${ordersId}/nodes/check/errors?limit=5`);
  expect(fatal.items).toEqual([expect.objectContaining({ executionId: ids.fail[0], executionStatus: 'failed', attempts: 2 })]);
});

test('per instance: steps done and remaining, current state, approvals pending and health', async () => {
  const done = await ok(`/workflow-instances/${ids.ok[0]}/metrics`);
  expect(done).toMatchObject({
    instanceId: ids.ok[0],
    workflowId: ordersId,
    status: 'completed',
    currentState: 'completed',
    stepsCompleted: histories[ids.ok[0] as string]?.filter((n) => n.status === 'completed').length,
    stepsRemaining: 0,
    approvalsPending: 0,
    nextTimeout: null,
    healthStatus: 'healthy',
  });
  const failed = await ok(`/workflow-instances/${ids.fail[0]}/metrics`);
  expect(failed).toMatchObject({ status: 'failed', healthStatus: 'critical', stepsRemaining: 0 });

  const waiting = await publishGraph(t, {
    ...lineGraph('waits', [{ id: 'pause', type: 'WAIT', properties: { duration: '1h' } }]),
    settings: { timeoutMs: 7_200_000 },
  });
  const id = await startInstance(t, waiting);
  let live: any;
  for (let i = 0; i < 100 && live?.currentState !== 'pause'; i++) {
    live = await ok(`/workflow-instances/${id}/metrics`);
    if (live.currentState !== 'pause') await new Promise((r) => setTimeout(r, 100));
  }
  expect(live).toMatchObject({ status: 'waiting', currentState: 'pause', stepsRemaining: 1, healthStatus: 'healthy' });
  expect(Date.parse(live.nextTimeout)).toBeGreaterThan(Date.now());
  await t.api('DELETE', `/api/v1/workflow-instances/${id}`);
});

test('bad query parameters and unknown workflows are refused with problem+json naming the path', async () => {
  const days = await t.api('GET', '/api/v1/analytics/overview?days=0');
  expect(days.status).toBe(400);
  expect(days.headers.get('content-type')).toContain('application/problem+json');
  expect(days.body).toMatchObject({ code: 'INVALID_REQUEST', errors: [expect.objectContaining({ path: '/days' })] });
  const version = await t.api('GET', `/api/v1/workflows/${ordersId}/analytics?version=latest&color=red`);
  expect(version.status).toBe(400);
  expect(version.body.errors.map((e: any) => e.path).sort()).toEqual(['/color', '/version'].sort());
  const limit = await t.api('GET', `/api/v1/workflows/${ordersId}/nodes/check/errors?limit=100000`);
  expect(limit.body.errors).toEqual([expect.objectContaining({ path: '/limit' })]);
  expect((await t.api('GET', '/api/v1/workflows/nope/error-stats')).body.code).toBe('WORKFLOW_NOT_FOUND');
  expect((await t.api('GET', '/api/v1/workflow-instances/nope/metrics')).body.code).toBe('INSTANCE_NOT_FOUND');
});
