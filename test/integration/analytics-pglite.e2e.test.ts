/**
 * Analytics and live events on the embedded default, PGlite (docs/analytics.md): the same
 * figures as on PostgreSQL — counts, success rate, percentile_cont percentiles, per-node
 * failures — from executions run on real Temporal, and event streams fed by PGlite's own
 * LISTEN/NOTIFY in process.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { lineGraph } from '../support/line-graph';
import { openSse } from '../support/sse-client';

let t: TestWeft;
let svc: FakeService;

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => json(res, req.url.includes('/fail') ? 422 : 200, {}));
  t = await startTestWeft({ database: 'pglite', allowedHosts: [svc.host] });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

test('overview and workflow analytics answer on PGlite', async () => {
  expect(t.databaseKind).toBe('pglite');
  const id = await publishGraph(
    t,
    lineGraph('pglite-figures', [{ id: 'call', type: 'API_CALL', properties: { url: `${svc.url}/{{input.path}}`, retry: { maxAttempts: 1 } } }]),
  );
  const runs = [];
  for (const path of ['ok', 'fail', 'ok']) runs.push(await waitForInstance(t, await startInstance(t, id, { path })));
  const overview = (await t.api('GET', '/api/v1/analytics/overview')).body;
  expect(overview.executions).toMatchObject({ total: 3, finished: 3, byStatus: { completed: 2, failed: 1 } });
  expect(overview.successRate).toBeCloseTo(2 / 3, 4);
  const sorted = runs.map((r) => r.durationMs as number).sort((a, b) => a - b);
  expect(overview.durationMs.p50).toBe(sorted[1]);
  const workflow = (await t.api('GET', `/api/v1/workflows/${id}/analytics?days=1`)).body;
  expect(workflow.nodes.find((n: any) => n.nodeId === 'call')).toMatchObject({ runs: 3, failed: 1, p50Ms: expect.any(Number) });
  const errors = (await t.api('GET', `/api/v1/workflows/${id}/error-stats`)).body;
  expect(errors.byCode).toEqual({ HTTP_422: 1 });
});

test('live events on PGlite: a workflow stream hears a run as it ends, a late client gets the whole story', async () => {
  const id = await publishGraph(
    t,
    lineGraph('pglite-live', [{ id: 'call', type: 'API_CALL', properties: { url: `${svc.url}/ok`, retry: { maxAttempts: 1 } } }]),
  );
  const watch = await openSse(`${t.url}/api/v1/workflows/${id}/events`, t.token());
  const run = await startInstance(t, id, {});
  await waitForInstance(t, run);
  await watch.waitFor((e) => e.event === 'execution.completed' && e.data.executionId === run);
  watch.close();
  const late = await openSse(`${t.url}/api/v1/workflow-instances/${run}/events`, t.token());
  await late.ended;
  expect(late.events.map((e) => (e.data.nodeId ? `${e.event}:${e.data.nodeId}` : e.event))).toEqual([
    'execution.started',
    'node.started:start',
    'node.completed:start',
    'node.started:call',
    'node.completed:call',
    'node.started:end',
    'node.completed:end',
    'execution.completed',
  ]);
  expect(watch.events.filter((e) => e.data.executionId === run).map((e) => e.id)).toEqual(late.events.map((e) => e.id));
});
