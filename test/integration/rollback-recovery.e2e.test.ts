/**
 * Recovery (real Temporal, real PostgreSQL): a manual recovery point, a rollback plan with
 * ordered steps, dependencies and an estimate, executed as its own workflow with one site whose
 * configuration no longer validates — the execution ends `partial` with each site's status, the
 * other sites point back at the target version (audited once each), and a second run completes.
 */
import { eq } from 'drizzle-orm';
import { siteVersions } from '../../src/db/schema';
import { startTestWeft, type TestWeft } from '../support/harness';
import { createSites, ok, twoVersions, versionGraph } from '../support/rollout-fixtures';

let t: TestWeft;
let definitionId: string;
let pointId: string;
const sites = ['rb-1', 'rb-2', 'rb-3', 'rb-4'];

async function finished(executionId: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await ok(t, 'GET', `/rollback-executions/${executionId}`);
    if (!['pending', 'in_progress'].includes(row.status)) return row;
    if (Date.now() > deadline) throw new Error(`rollback ${executionId} still ${row.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await createSites(t, sites);
  definitionId = await twoVersions(t, versionGraph('rb-flow'), versionGraph('rb-flow', { waitMs: 5 }));
  // Every site must set its line speed; rb-4 does not, so it cannot be pointed anywhere.
  await ok(t, 'POST', '/config/parameters', { key: 'lineSpeed', name: 'Line speed', type: 'number', requiredAtLevel: 'site' }, 201);
  for (const s of sites.slice(0, 3)) await ok(t, 'PUT', `/sites/${s}/config/lineSpeed`, { value: 40, reason: 'commissioning' }, 201);
  await ok(t, 'PUT', '/sites/rb-1/health-checks/config', { smoke: { input: {} } });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

test('a manual recovery point keeps the version, the effective configuration and the deployment state', async () => {
  const point = await ok(t, 'POST', '/rollouts/ro-rb/recovery-points', { workflowId: definitionId, siteId: 'rb-1', description: 'before line change' }, 201);
  pointId = point.id;
  expect(point).toMatchObject({
    rolloutId: 'ro-rb',
    siteId: 'rb-1',
    kind: 'manual',
    version: '1.1.0',
    configSnapshot: { lineSpeed: { value: 40, scope: 'site' } },
    variableSnapshot: null,
    deploymentState: { siteVersion: null, activeVersion: '1.1.0', description: 'before line change' },
    createdBy: 'admin-user',
  });
  expect((await ok(t, 'GET', '/rollouts/ro-rb/recovery-points')).items.map((p: any) => p.id)).toEqual([pointId]);
  expect((await ok(t, 'GET', `/audit?resourceType=recovery_point&resourceId=${pointId}`)).items).toHaveLength(1);
});

test('plans are refused with a code and path when they do not fit', async () => {
  const plan = { rolloutId: 'ro-rb', recoveryPointId: pointId, reason: 'r', targetVersion: '1.0.0', affectedSites: ['rb-1'] };
  const cases: Array<[unknown, number, string, string?]> = [
    [{ ...plan, affectedSites: ['rb-1', 'nowhere'] }, 422, 'VALIDATION_ERROR', '/affectedSites/1'],
    [{ ...plan, rolloutId: 'ro-other' }, 422, 'VALIDATION_ERROR', '/recoveryPointId'],
    [{ ...plan, recoveryPointId: 'rp-missing' }, 404, 'RECOVERY_POINT_NOT_FOUND'],
    [{ ...plan, targetVersion: '9.9.9' }, 404, 'VERSION_NOT_FOUND'],
    [{ ...plan, affectedSites: [] }, 400, 'INVALID_REQUEST', '/affectedSites'],
  ];
  for (const [body, status, code, path] of cases) {
    const res = await t.api('POST', '/api/v1/rollback-plans', body);
    expect([res.status, res.body.code]).toEqual([status, code]);
    if (path) expect(res.body.errors.map((e: any) => e.path)).toContain(path);
  }
  expect((await t.api('POST', '/api/v1/rollback-plans', plan, { token: t.token(['operator']) })).status).toBe(403);
});

test('a plan executed with one site failing ends partial, with each step and site status; a second run completes', async () => {
  const plan = await ok(
    t,
    'POST',
    '/rollback-plans',
    { rolloutId: 'ro-rb', recoveryPointId: pointId, reason: 'line 4 errors', targetVersion: '1.0.0', affectedSites: sites },
    201,
  );
  expect(plan.steps.map((s: any) => [s.stepNumber, s.action, s.dependencies])).toEqual([
    [1, 'verify_recovery_point', []],
    [2, 'revert_sites', [1]],
    [3, 'verify_site_versions', [2]],
  ]);
  expect(plan.estimatedDurationMs).toBe(plan.steps.reduce((sum: number, s: any) => sum + s.estimatedTimeMs, 0));

  const started = await t.api('POST', `/api/v1/rollback-plans/${plan.id}/execute`, {});
  expect(started.status).toBe(202);
  expect(started.headers.get('location')).toBe(`/api/v1/rollback-executions/${started.body.id}`);
  const again = await t.api('POST', `/api/v1/rollback-plans/${plan.id}/execute`, {});
  expect([again.status, again.body.code]).toEqual([409, 'ROLLBACK_IN_PROGRESS']);

  const done = await finished(started.body.id);
  expect(done.status).toBe('partial');
  expect(done.steps).toMatchObject({ 1: { status: 'success' }, 2: { status: 'partial' }, 3: { status: 'success' } });
  for (const s of ['rb-1', 'rb-2', 'rb-3']) {
    expect(done.sites[s]).toMatchObject({ status: 'success', result: { previousVersion: null, version: '1.0.0', changed: true } });
  }
  expect(done.sites['rb-1'].result.health).toMatchObject({ status: 'healthy', checks: [{ name: 'smoke_execution', status: 'pass' }] });
  expect(done.sites['rb-4']).toMatchObject({
    status: 'failed',
    error: expect.stringMatching(/CONFIG_INVALID: the configuration of site rb-4 does not validate/),
  });
  expect(done.durationMs).toBeGreaterThan(0);
  expect(done.plan.id).toBe(plan.id);

  const rows = await t.weft.database.db.select().from(siteVersions).where(eq(siteVersions.definitionId, definitionId));
  expect(Object.fromEntries(rows.map((r) => [r.siteId, r.version]))).toEqual({ 'rb-1': '1.0.0', 'rb-2': '1.0.0', 'rb-3': '1.0.0' });
  expect((await ok(t, 'GET', '/audit?eventTypes=site_version.rolled_back')).items).toHaveLength(3);
  expect((await ok(t, 'GET', `/audit?resourceType=rollback_execution&resourceId=${started.body.id}`)).items.map((a: any) => a.action).sort()).toEqual([
    'rollback.finished',
    'rollback.started',
  ]);
  expect((await ok(t, 'GET', '/sites/rb-1/health-checks')).items[0]).toMatchObject({ rolloutId: 'ro-rb', version: '1.0.0', status: 'healthy' });

  // rb-4 fixed: the same plan again moves it; the others are already there and are not recorded twice.
  await ok(t, 'PUT', '/sites/rb-4/config/lineSpeed', { value: 35, reason: 'fixed' }, 201);
  const second = await finished((await ok(t, 'POST', `/rollback-plans/${plan.id}/execute`, {}, 202)).id);
  expect(second.status).toBe('success');
  expect(second.sites['rb-1'].result).toMatchObject({ previousVersion: '1.0.0', changed: false });
  expect(second.sites['rb-4'].result).toMatchObject({ previousVersion: null, changed: true });
  expect((await ok(t, 'GET', '/audit?eventTypes=site_version.rolled_back')).items).toHaveLength(4);

  const stats = await ok(t, 'GET', '/recovery/stats');
  expect(stats).toMatchObject({
    totalRecoveryPoints: 1,
    totalRollbacks: 2,
    successfulRollbacks: 1,
    partialRollbacks: 1,
    failedRollbacks: 0,
    pendingRollbacks: 0,
  });
  expect(stats.averageRollbackDurationMs).toBeGreaterThan(0);

  // The next plan's revert step is estimated from the sites these two runs moved (the slow tail of one
  // site); the single steps ran only twice, too few to measure, and keep their defaults.
  const measured = [...Object.values(done.sites), ...Object.values(second.sites)]
    .filter((s: any) => s.status === 'success')
    .map((s: any) => Date.parse(s.completedAt) - Date.parse(s.startedAt))
    .sort((a, b) => a - b);
  expect(measured).toHaveLength(7);
  const next = await ok(
    t,
    'POST',
    '/rollback-plans',
    { rolloutId: 'ro-rb', recoveryPointId: pointId, reason: 'again', targetVersion: '1.0.0', affectedSites: sites },
    201,
  );
  expect(next.steps.map((s: any) => s.estimatedTimeMs)).toEqual([200, measured[Math.floor(0.9 * measured.length)], 200]);
  expect(next.estimatedDurationMs).toBe(400 + measured[6]!);
});

test('unknown plans and executions answer 404 with their codes', async () => {
  expect((await t.api('GET', '/api/v1/rollback-executions/rbx-missing')).body.code).toBe('ROLLBACK_EXECUTION_NOT_FOUND');
  expect((await t.api('POST', '/api/v1/rollback-plans/rbp-missing/execute', {})).body.code).toBe('ROLLBACK_PLAN_NOT_FOUND');
});
