/**
 * A long rollout stays bounded: with WEFT_ROLLOUT_HISTORY_LIMIT low, the rollout workflow
 * continues as new between deployment batches, carrying its state — every site is deployed once,
 * an operator's pause and resume reach whichever run is current, and the rollout ends once.
 */
import { startTestWeft, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';

let t: TestWeft;
const h = rolloutHelpers(() => t);
const SITES = Array.from({ length: 12 }, (_, i) => `plant-${String(i + 1).padStart(2, '0')}`);
const HISTORY_LIMIT = 200;

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres', env: { WEFT_ROLLOUT_HISTORY_LIMIT: String(HISTORY_LIMIT) } });
  await h.createSites(SITES.map((id) => ({ id, region: 'eu' })));
});

afterAll(async () => {
  await t?.stop();
});

/** Event counts of the rollout's runs, first run first. */
async function runSizes(id: string): Promise<number[]> {
  const sizes: number[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await t.temporal.workflow.getHandle(id, runId).fetchHistory();
    sizes.unshift(history.events?.length ?? 0);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) return sizes;
  }
}

test('a rollout of twelve sites one at a time continues as new, deploys each site once, and obeys a pause in a later run', async () => {
  const wf = await h.twoVersions('long-rollout');
  const id = (await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: SITES, config: { maxParallelSites: 1 } })).body
    .id as string;
  const firstRun = (await t.temporal.workflow.getHandle(id).describe()).runId;
  expect((await h.act(id, 'start')).status).toBe(200);

  // Once a later run is current, pause it: the pause reaches that run and holds.
  const deadline = Date.now() + 60_000;
  while ((await t.temporal.workflow.getHandle(id).describe()).runId === firstRun) {
    if (Date.now() > deadline) throw new Error('the rollout never continued as new');
    await new Promise((r) => setTimeout(r, 200));
  }
  expect((await h.act(id, 'pause', 'shift change')).status).toBe(200);
  await h.waitFor(id, (r) => r.status === 'paused' && r.waitingFor === 'resume');
  // The deployment in flight when the pause came finishes; after it, nothing moves.
  const deployed = async () => (await h.ok('GET', `/rollouts/${id}`)).deployments.filter((d: any) => d.status !== 'pending').length as number;
  let settled = await deployed();
  for (let before = -1; settled !== before;) {
    before = settled;
    await new Promise((r) => setTimeout(r, 1_500));
    settled = await deployed();
  }
  expect(settled).toBeLessThan(SITES.length);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await deployed()).toBe(settled);
  expect((await h.act(id, 'resume', 'shift started')).status).toBe(200);

  const done = await h.waitFor(id, h.ended, 90_000);
  expect(done.status).toBe('completed');
  expect(done.deployments.map((d: any) => [d.siteId, d.status, d.attempt])).toEqual(SITES.map((s) => [s, 'success', 1]));

  const sizes = await runSizes(id);
  expect(sizes.length).toBeGreaterThan(1);
  // A run goes past the limit by at most one batch and its gate's few events.
  for (const size of sizes) expect(size).toBeLessThan(HISTORY_LIMIT + 60);

  const actions = await h.audit(id);
  expect(actions.filter((a) => a === 'rollout.site_deployed')).toHaveLength(SITES.length);
  expect(actions.filter((a) => a === 'rollout.completed')).toHaveLength(1);
  expect(actions.filter((a) => a === 'rollout.pause' || a === 'rollout.resume')).toEqual(['rollout.pause', 'rollout.resume']);
  expect(await h.versionsAt(wf, SITES.slice(0, 2))).toEqual({ [SITES[0]!]: '2.0.0', [SITES[1]!]: '2.0.0' });
});
