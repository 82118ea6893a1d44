/**
 * A site whose deployment failed is deployed again as a new attempt when an operator asks
 * (`POST /rollouts/{id}/retry`), here after its configuration was fixed during the bake delay:
 * at once, not after the wait, keeping the version it ran before the rollout as the one to go back to.
 */
import { startTestWeft, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';

let t: TestWeft;
const h = rolloutHelpers(() => t);

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await h.createSites(['line-1', 'line-2', 'line-3'].map((id) => ({ id, region: 'eu' })));
  // Every site must set its line speed; line-2 does not yet, so a deployment there is refused.
  await h.ok('POST', '/config/parameters', { key: 'lineSpeed', name: 'Line speed', type: 'number', requiredAtLevel: 'site' }, 201);
  for (const s of ['line-1', 'line-3']) await h.ok('PUT', `/sites/${s}/config/lineSpeed`, { value: 40, reason: 'commissioning' }, 201);
});

afterAll(async () => {
  await t?.stop();
});

test('a failed site retried during the bake is deployed again at once as attempt 2, and the rollout completes', async () => {
  const wf = await h.twoVersions('retried');
  const id = await h.stagedRollout(wf, [
    { stageNumber: 1, sitesOrRegions: ['line-1', 'line-2'], delay: '10s', successCriteriaPercentage: 50 },
    { stageNumber: 2, sitesOrRegions: ['line-3'] },
  ]);
  const nothingYet = await h.act(id, 'retry');
  expect([nothingYet.status, nothingYet.body.code]).toEqual([409, 'ROLLOUT_NOT_RUNNING']);
  await h.act(id, 'start');
  const baking = await h.waitFor(id, (r) => r.waitingFor === 'delay');
  expect(baking.deployments.map((d: any) => [d.siteId, d.status, d.attempt])).toEqual([
    ['line-1', 'success', 1],
    ['line-2', 'failed', 1],
    ['line-3', 'pending', 0],
  ]);
  expect(baking.deployments[1].error).toMatch(/CONFIG_INVALID/);

  // Only failed sites are retried.
  const notFailed = await t.api('POST', `/api/v1/rollouts/${id}/retry`, { sites: ['line-1'] });
  expect([notFailed.status, notFailed.body.code]).toEqual([409, 'ROLLOUT_NOTHING_TO_RETRY']);
  expect(notFailed.body.detail).toMatch(/line-1/);
  const badBody = await t.api('POST', `/api/v1/rollouts/${id}/retry`, { sites: [] });
  expect(badBody.status).toBe(400);

  await h.ok('PUT', '/sites/line-2/config/lineSpeed', { value: 35, reason: 'fixed' }, 201);
  const retried = await t.api('POST', `/api/v1/rollouts/${id}/retry`, { sites: ['line-2'], reason: 'line speed set' });
  expect(retried.status).toBe(200);
  // Deployed during the bake (the next stage has not begun), not after it.
  const redeployed = await h.waitFor(id, (r) => r.deployments[1].status === 'success', 8_000);
  expect(redeployed.deployments[1]).toMatchObject({ attempt: 2, fromVersion: '1.0.0', error: null });
  expect(redeployed.deployments[2].status).toBe('pending');
  expect(redeployed.waitingFor).toBe('delay');

  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(done.deployments.map((d: any) => [d.siteId, d.status, d.attempt])).toEqual([
    ['line-1', 'success', 1],
    ['line-2', 'success', 2],
    ['line-3', 'success', 1],
  ]);
  expect(await h.versionsAt(wf, ['line-1', 'line-2', 'line-3'])).toEqual({ 'line-1': '2.0.0', 'line-2': '2.0.0', 'line-3': '2.0.0' });
  expect((await h.act(id, 'retry')).body.code).toBe('ROLLOUT_FINISHED');

  const entries = await h.auditEntries(id);
  const retryRecord = entries.find((e) => e.action === 'rollout.retry');
  expect(retryRecord).toMatchObject({ requestId: retried.headers.get('x-request-id'), details: { sites: ['line-2'], reason: 'line speed set' } });
  const siteRecords = entries.filter((e) => e.action === 'rollout.site_failed' || e.action === 'rollout.site_deployed').map((e) => [e.action, e.details.site]);
  expect(siteRecords).toEqual(
    expect.arrayContaining([
      ['rollout.site_failed', 'line-2'],
      ['rollout.site_deployed', 'line-2'],
    ]),
  );
  expect(siteRecords.filter(([, site]) => site === 'line-2')).toHaveLength(2);

  // The way back is what the site ran before the rollout, not what an earlier attempt left.
  expect((await h.act(id, 'rollback', 'undo')).status).toBe(200);
  await h.waitFor(id, (r) => r.status === 'rolled_back');
  expect(await h.versionAt(wf, 'line-2')).toBe('1.0.0');
});
