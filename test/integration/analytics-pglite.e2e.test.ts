/**
 * The analytics SQL on the embedded default, PGlite (docs/analytics.md): the same figures as on
 * PostgreSQL — counts, success rate, percentile_cont percentiles, per-node failures — from
 * executions run on real Temporal.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { lineGraph } from '../support/line-graph';

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
