/**
 * Canary rollouts (issue 16) on real Temporal and PostgreSQL, across six production sites: the
 * analysis measures real executions of the new version at the canary sites against the
 * baseline. A passing canary promotes itself; a canary whose new version calls a peer answering
 * 500 rolls back on its own (the other sites untouched, a running execution finishing on its own
 * version); a canary without enough executions pauses for an operator, never a silent pass.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';

let t: TestWeft;
let svc: FakeService;
const h = rolloutHelpers(() => t);
const SITES = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'];

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => json(res, req.url.startsWith('/fail') ? 500 : 200, { path: req.url }));
  t = await startTestWeft({ database: 'postgres', allowedHosts: [svc.host] });
  await h.createSites(SITES.map((id, i) => ({ id, region: i < 3 ? 'north' : 'south' })));
});

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

/** Starts `n` executions at each site (their version: the site's) and waits for them to end. */
async function run(workflowId: string, sites: string[], n: number, input: unknown = {}): Promise<any[]> {
  const ids: string[] = [];
  for (const site of sites) for (let i = 0; i < n; i++) ids.push((await h.ok('POST', `/workflows/${workflowId}/instances`, { input, site }, 202)).id);
  return Promise.all(ids.map((id) => waitForInstance(t, id)));
}

const canaryConfig = (extra: Record<string, unknown>) => ({
  canaryPercentage: 30,
  canaryDuration: '4s',
  analysisInterval: '2s',
  metricsToMonitor: ['error_rate', 'failure_count'],
  errorThresholdPercentage: 20,
  performanceThresholdPercentage: 50,
  minSampleSize: 4,
  ...extra,
});

test('a canary whose executions succeed is promoted on its own after the canary duration', async () => {
  const wf = await h.twoVersions('canary-pass');
  const created = await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'canary', config: canaryConfig({ autoPromoteIfSuccessful: true }) });
  expect(created.status).toBe(201);
  const canaries: string[] = created.body.canarySites;
  expect(canaries).toHaveLength(2);
  const id = created.body.id as string;
  await h.act(id, 'start');
  await h.waitFor(id, (r) => r.waitingFor === 'analysis');
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, canaries.includes(s) ? '2.0.0' : '1.0.0'])));
  const finished = await run(wf, canaries, 2);
  expect(finished.map((e) => e.status)).toEqual(finished.map(() => 'completed'));

  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(done.analyses.length).toBeGreaterThanOrEqual(1);
  expect(done.analyses[done.analyses.length - 1]).toMatchObject({ verdict: 'pass' });
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '2.0.0'])));
  // The same rollout id always picks the same canaries; the API showed them before it started.
  expect(done.canarySites).toEqual(canaries);
});

test('a canary whose new version fails at the canary sites rolls back on its own; other sites untouched, running executions keep their version', async () => {
  // 2.0.0 calls a peer that answers 500; with `slow` it waits first, so it is still running at the rollback.
  const wf = await h.twoVersions('canary-fail', {
    name: 'canary-fail',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'slow', type: 'IF_THEN_ELSE', properties: { condition: 'input.slow = true' } },
      { id: 'hold', type: 'WAIT', properties: { duration: '12s' } },
      { id: 'call', type: 'API_CALL', properties: { method: 'GET', url: `${svc.url}/fail`, retry: { maxAttempts: 1 } } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'slow' },
      { source: 'slow', sourcePort: 'true', target: 'hold' },
      { source: 'slow', sourcePort: 'false', target: 'call' },
      { source: 'hold', target: 'call' },
      { source: 'call', target: 'end' },
    ],
  });
  const created = await h.createRollout({
    workflowId: wf,
    version: '2.0.0',
    strategy: 'canary',
    config: canaryConfig({ canaryDuration: '20s', autoPromoteIfSuccessful: true }),
  });
  const id = created.body.id as string;
  const canaries: string[] = created.body.canarySites;
  const others = SITES.filter((s) => !canaries.includes(s));
  await h.act(id, 'start');
  await h.waitFor(id, (r) => r.waitingFor === 'analysis');

  const slow = (await h.ok('POST', `/workflows/${wf}/instances`, { input: { slow: true }, site: canaries[0] }, 202)).id as string;
  const [atCanaries, atOthers] = await Promise.all([run(wf, canaries, 3), run(wf, others, 1)]);
  expect(atCanaries.map((e) => [e.version, e.status])).toEqual(atCanaries.map(() => ['2.0.0', 'failed']));
  expect(atOthers.map((e) => [e.version, e.status])).toEqual(atOthers.map(() => ['1.0.0', 'completed']));

  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('rolled_back');
  expect(done.failureReason).toMatch(/canary analysis .*:a\d+ failed: canary error rate 100% exceeds the baseline's 0% by 100 points \(threshold 20\)/);
  const last = done.analyses[done.analyses.length - 1];
  // However many of the six canary executions had ended by then: at least the minimum sample, none completed.
  expect(last).toMatchObject({ verdict: 'fail', measured: { canary: { completed: 0 } } });
  expect(last.measured.canary.failed).toBeGreaterThanOrEqual(4);
  const bySite = Object.fromEntries(done.deployments.map((d: any) => [d.siteId, d.status]));
  expect(bySite).toEqual(Object.fromEntries(SITES.map((s) => [s, canaries.includes(s) ? 'rolled_back' : 'pending'])));
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '1.0.0'])));

  // Started on 2.0.0 before the rollback, it ends on 2.0.0: a rollout never touches a running execution.
  expect((await h.ok('GET', `/workflow-instances/${slow}`)).status).toBe('waiting');
  const slowDone = await waitForInstance(t, slow);
  expect(slowDone.version).toBe('2.0.0');
  expect((await h.audit(id)).filter((a) => a === 'rollout.site_rolled_back')).toHaveLength(canaries.length);
});

test('an inconclusive canary pauses for promotion instead of passing; promote goes on', async () => {
  const wf = await h.twoVersions('canary-inconclusive');
  const id = (
    await h.createRollout({
      workflowId: wf,
      version: '2.0.0',
      strategy: 'canary',
      config: canaryConfig({ canaryDuration: '3s', analysisInterval: '1s', autoPromoteIfSuccessful: true }),
    })
  ).body.id as string;
  await h.act(id, 'start');
  const waiting = await h.waitFor(id, (r) => r.waitingFor === 'promotion');
  expect(waiting.status).toBe('paused');
  expect(waiting.analyses.length).toBe(3);
  expect(waiting.analyses.every((a: any) => a.verdict === 'inconclusive')).toBe(true);
  expect(waiting.analyses[0].reasons[0]).toMatch(/fewer than the minimum sample of 4/);
  // Its approvers are told, with why (no rollout policy here: whoever created it); no mail server is set, so not delivered.
  const notices = await h.ok('GET', `/audit?resourceId=${id}&eventTypes=rollout.approvers_notified`);
  expect(notices.items).toHaveLength(1);
  expect(notices.items[0].details).toMatchObject({ gate: 'canary', recipients: [{ type: 'user', identifier: 'admin-user' }], delivered: false });
  expect(notices.items[0].details.reason).toMatch(/inconclusive/);
  expect((await h.act(id, 'resume')).body.code).toBe('ROLLOUT_AWAITS_PROMOTION');
  expect((await h.act(id, 'pause')).body.code).toBe('ROLLOUT_NOT_RUNNING');

  expect((await h.act(id, 'promote', 'looked at the dashboards')).status).toBe(200);
  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '2.0.0'])));
  expect(await h.audit(id)).toContain('rollout.promote');
});
