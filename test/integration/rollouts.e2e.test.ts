/**
 * Rollouts (issue 16) on real Temporal and PostgreSQL, across six production sites: immediate and
 * staged rollouts end to end, a stage that misses its criterion rolls back, operator actions and
 * their refusals (updates through the API, signals from a raw client), one active rollout per
 * (workflow, site), a rollback after the end, and starts at a site running its deployed version.
 */
import { startTestWeft, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';

let t: TestWeft;
const h = rolloutHelpers(() => t);
const SITES = ['eu-1', 'eu-2', 'eu-3', 'us-1', 'us-2', 'us-3'];

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await h.createSites(SITES.map((id) => ({ id, region: id.slice(0, 2) })));
  await h.createSites([{ id: 'lab-1', region: 'eu', environment: 'staging' }]);
});

afterAll(async () => {
  await t?.stop();
});

test('immediate: every active production site, two at a time; starts there run the new version from then on', async () => {
  const wf = await h.twoVersions('immediate');
  const created = await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', config: { maxParallelSites: 2 } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'pending', waitingFor: 'start', targetSites: SITES, strategy: 'immediate' });
  const id = created.body.id as string;
  expect(await h.versionAt(wf, 'eu-1')).toBe('1.0.0');

  expect((await h.act(id, 'start')).status).toBe(200);
  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(done.deployments.map((d: any) => [d.siteId, d.status, d.fromVersion])).toEqual(SITES.map((s) => [s, 'success', '1.0.0']));
  for (const d of done.deployments) expect(d.duration).toEqual(expect.any(Number));
  expect(done.progressPercentage).toBe(100);
  expect(done.metrics).toMatchObject({ totalDeployments: 6, successfulDeployments: 6, failedDeployments: 0, successRate: 100 });

  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '2.0.0'])));
  // Not a target (staging), and a start naming its version: the active one, and the named one.
  expect(await h.versionAt(wf, 'lab-1')).toBe('1.0.0');
  const named = await h.ok('POST', `/workflows/${wf}/instances`, { input: {}, site: 'eu-1', version: '1.0.0' }, 202);
  expect((await h.ok('GET', `/workflow-instances/${named.id}`)).version).toBe('1.0.0');

  const actions = await h.audit(id);
  expect(actions.filter((a) => a === 'rollout.site_deployed')).toHaveLength(6);
  expect(actions[0]).toBe('rollout.created');
  expect(actions).toContain('rollout.start');
  expect(actions[actions.length - 1]).toBe('rollout.completed');
});

test('staged: stages by site and region, a bake delay between them shown as waitingFor delay', async () => {
  const wf = await h.twoVersions('staged');
  const id = await h.stagedRollout(wf, [
    { stageNumber: 1, sitesOrRegions: ['eu-1'], delay: '2s', validateBeforeNext: true },
    { stageNumber: 2, sitesOrRegions: ['eu'], delayHours: 0, validateBeforeNext: false },
    { stageNumber: 3, sitesOrRegions: ['us'], validateBeforeNext: false, successCriteriaPercentage: 50, maxParallelSites: 1 },
  ]);
  await h.act(id, 'start');
  const baking = await h.waitFor(id, (r) => r.waitingFor === 'delay');
  expect(baking).toMatchObject({ status: 'in_progress', stage: 1 });
  expect(baking.deployments.filter((d: any) => d.status === 'success').map((d: any) => d.siteId)).toEqual(['eu-1']);
  expect(await h.versionsAt(wf, ['eu-1', 'eu-2', 'us-1'])).toEqual({ 'eu-1': '2.0.0', 'eu-2': '1.0.0', 'us-1': '1.0.0' });
  expect(baking.estimatedTimeRemaining).toEqual(expect.any(Number));

  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '2.0.0'])));
});

test('staged: a stage that misses its success criterion stops the rollout and rolls back what it deployed', async () => {
  const wf = await h.twoVersions('staged-fails');
  const id = await h.stagedRollout(wf, [
    { stageNumber: 1, sitesOrRegions: ['eu-1'], validateBeforeNext: false },
    { stageNumber: 2, sitesOrRegions: ['eu-2', 'eu-3'], delay: '1s', validateBeforeNext: false },
    { stageNumber: 3, sitesOrRegions: ['us'], validateBeforeNext: false },
  ]);
  // eu-3 closes after the rollout was planned: its deployment is refused (CONFIG_INVALID), stage 2 has 50% < 100%.
  await h.ok('POST', '/sites/eu-3/deactivate', { reason: 'refit' });
  try {
    await h.act(id, 'start');
    const done = await h.waitFor(id, h.ended);
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toMatch(/stage 2: 1 of 2 sites succeeded/);
    const bySite = Object.fromEntries(done.deployments.map((d: any) => [d.siteId, d]));
    expect(bySite['eu-1'].status).toBe('rolled_back');
    expect(bySite['eu-2'].status).toBe('rolled_back');
    expect(bySite['eu-3']).toMatchObject({ status: 'failed', error: expect.stringMatching(/^CONFIG_INVALID: site eu-3 is inactive/) });
    expect(bySite['us-1'].status).toBe('pending');
  } finally {
    await h.ok('POST', '/sites/eu-3/activate', {});
  }
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '1.0.0'])));
  const actions = await h.audit(id);
  expect(actions.filter((a) => a === 'rollout.site_rolled_back')).toHaveLength(2);
  expect(actions).toContain('rollout.rolled_back');
});

test('operator actions: pause holds the bake (paused time does not count), refusals carry codes, abort keeps deployed sites', async () => {
  const wf = await h.twoVersions('operated');
  const body = {
    workflowId: wf,
    version: '2.0.0',
    strategy: 'staged',
    targetSites: ['eu-1', 'eu-2'],
    config: {
      stages: [
        { stageNumber: 1, sitesOrRegions: ['eu-1'], delay: '3s', validateBeforeNext: false },
        { stageNumber: 2, sitesOrRegions: ['eu-2'], validateBeforeNext: false },
      ],
    },
  };
  const id = (await h.createRollout(body)).body.id as string;
  const pendingPause = await h.act(id, 'pause');
  expect([pendingPause.status, pendingPause.body.code]).toEqual([409, 'ROLLOUT_NOT_RUNNING']);

  // A second rollout on a site of the first, same workflow: refused while the first is active.
  const second = await h.createRollout({ ...body, targetSites: ['eu-2', 'us-1'], strategy: 'immediate', config: {} });
  expect([second.status, second.body.code]).toEqual([409, 'ROLLOUT_CONFLICT']);
  expect(second.body.detail).toMatch(/eu-2/);

  await h.act(id, 'start');
  expect((await h.act(id, 'start')).body.code).toBe('ROLLOUT_ALREADY_STARTED');
  await h.waitFor(id, (r) => r.waitingFor === 'delay');
  expect((await h.act(id, 'promote')).body.code).toBe('ROLLOUT_NOT_WAITING');
  expect((await h.act(id, 'resume')).body.code).toBe('ROLLOUT_NOT_PAUSED');

  const operator = t.token(['operator'], 'olga');
  expect((await h.act(id, 'resume', undefined, operator)).status).toBe(403);
  const paused = await h.act(id, 'pause', 'line stop', operator);
  expect(paused.status).toBe(200);
  expect(paused.body).toMatchObject({ status: 'paused', waitingFor: 'resume' });
  // Longer than the whole bake: stage 2 must still not start while paused, nor at once after.
  await new Promise((r) => setTimeout(r, 4_000));
  expect((await h.ok('GET', `/rollouts/${id}`)).deployments[1].status).toBe('pending');
  expect((await h.act(id, 'resume', 'line runs')).status).toBe(200);
  // The rest of the bake follows: stage 2 is still not deployed.
  const resumed = await h.waitFor(id, (r) => r.status === 'in_progress' && r.waitingFor === 'delay');
  expect(resumed.deployments[1].status).toBe('pending');

  const aborted = await h.act(id, 'abort', 'wrong build', operator);
  expect(aborted.status).toBe(200);
  const done = await h.waitFor(id, h.ended);
  expect(done).toMatchObject({ status: 'failed', failureReason: 'aborted by olga: wrong build' });
  expect(await h.versionsAt(wf, ['eu-1', 'eu-2'])).toEqual({ 'eu-1': '2.0.0', 'eu-2': '1.0.0' });
  expect((await h.act(id, 'resume')).body.code).toBe('ROLLOUT_FINISHED');

  // The sites are free again.
  const third = await h.createRollout({ ...body, targetSites: ['eu-2'], strategy: 'immediate', config: {} });
  expect(third.status).toBe(201);
  await h.act(third.body.id, 'abort', 'not needed');
  const actions = await h.audit(id);
  expect(actions).toEqual(expect.arrayContaining(['rollout.created', 'rollout.start', 'rollout.pause', 'rollout.resume', 'rollout.abort', 'rollout.failed']));
  expect(actions.filter((a) => a === 'rollout.promote')).toHaveLength(0);
  // Each accepted action once, by whom and through which request; the abort before the end it caused.
  expect(actions.filter((a) => a === 'rollout.abort')).toHaveLength(1);
  expect(actions.indexOf('rollout.abort')).toBeLessThan(actions.indexOf('rollout.failed'));
  const abortRecord = (await h.auditEntries(id)).find((e) => e.action === 'rollout.abort');
  expect(abortRecord).toMatchObject({ actor: 'olga', requestId: aborted.headers.get('x-request-id'), details: { reason: 'wrong build' } });
  expect(abortRecord?.before).toMatchObject({ status: 'in_progress', waitingFor: 'delay' });
});

test('a signal from a raw Temporal client is checked by the same rules: a refused one is recorded and changes nothing', async () => {
  const wf = await h.twoVersions('signalled');
  const id = (await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: ['us-1'], config: {} })).body.id as string;
  const handle = t.temporal.workflow.getHandle(id);
  await handle.signal('promote', { by: 'raw-client' });
  await handle.signal('start', { by: 'raw-client' });
  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(done.refused).toEqual([expect.objectContaining({ action: 'promote', by: 'raw-client', code: 'ROLLOUT_NOT_WAITING' })]);
  // The accepted signal is in the audit trail as an update would be; the refused one is not.
  const records = (await h.auditEntries(id)).filter((e) => e.actor === 'raw-client');
  expect(records.map((e) => e.action)).toEqual(['rollout.start']);
});

test('rollback after the end takes every deployed site back to its recovery point', async () => {
  const wf = await h.twoVersions('rolled-back-later');
  const id = (await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: ['us-2', 'us-3'], config: {} })).body.id as string;
  await h.act(id, 'start');
  expect((await h.waitFor(id, h.ended)).status).toBe('completed');
  expect(await h.versionsAt(wf, ['us-2', 'us-3'])).toEqual({ 'us-2': '2.0.0', 'us-3': '2.0.0' });

  // Another rollout of the workflow holds us-2: taking it back now would race that one.
  const next = (await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: ['us-2'], config: {} })).body.id as string;
  const conflict = await h.act(id, 'rollback', 'too early');
  expect(conflict.status).toBe(409);
  expect(conflict.body.code).toBe('ROLLOUT_CONFLICT');
  expect(conflict.body.detail).toMatch(/us-2/);
  expect((await h.act(next, 'abort', 'not now')).status).toBe(200);
  await h.waitFor(next, h.ended);

  const rollback = await h.act(id, 'rollback', 'customer complaint');
  expect(rollback.status).toBe(200);
  const done = await h.waitFor(id, (r) => r.status === 'rolled_back');
  expect(done.failureReason).toBe('rolled back by admin-user: customer complaint');
  expect(done.deployments.map((d: any) => d.status)).toEqual(['rolled_back', 'rolled_back']);
  expect(await h.versionsAt(wf, ['us-2', 'us-3'])).toEqual({ 'us-2': '1.0.0', 'us-3': '1.0.0' });
  expect((await h.act(id, 'rollback', 'again')).body.code).toBe('ROLLOUT_FINISHED');
  const rollbacks = (await h.auditEntries(id)).filter((e) => e.action === 'rollout.rollback');
  expect(rollbacks).toEqual([expect.objectContaining({ requestId: rollback.headers.get('x-request-id'), before: { status: 'completed', waitingFor: null } })]);
  // The rollback run released the sites it took.
  expect((await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: ['us-2', 'us-3'], config: {} })).status).toBe(201);
});

test('bad requests: unknown sites, a stage naming nothing, a draft version, a malformed duration', async () => {
  const wf = await h.twoVersions('bad-requests');
  const unknown = await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: ['eu-1', 'nowhere'], config: {} });
  expect(unknown.status).toBe(422);
  expect(unknown.body.errors).toEqual([expect.objectContaining({ path: '/targetSites/1' })]);
  const stage = await h.createRollout({
    workflowId: wf,
    version: '2.0.0',
    strategy: 'staged',
    config: { stages: [{ stageNumber: 1, sitesOrRegions: ['eu', 'mars'], validateBeforeNext: false }] },
  });
  expect(stage.status).toBe(422);
  expect(stage.body.errors[0].path).toBe('/config/stages/0/sitesOrRegions/1');
  const duration = await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'canary', config: { canaryPercentage: 10, canaryDuration: 'soon' } });
  expect(duration.status).toBe(400);
  expect(duration.body.errors[0].path).toBe('/config/canaryDuration');
  await h.ok('POST', `/workflows/${wf}/versions`, { graph: h.labelled('bad-requests', 'three'), version: '3.0.0' }, 201);
  const draft = await h.createRollout({ workflowId: wf, version: '3.0.0', strategy: 'immediate', config: {} });
  expect([draft.status, draft.body.code]).toEqual([409, 'VERSION_NOT_PUBLISHED']);
  expect((await t.api('GET', '/api/v1/rollouts/rollout-none')).body.code).toBe('ROLLOUT_NOT_FOUND');
  const listed = await h.ok('GET', `/rollouts?workflowId=${wf}`);
  expect(listed.items).toEqual([]);
});
