/**
 * A rollout survives its worker being killed with SIGKILL (issue 16): during a bake timer, and in
 * the middle of a deployment batch (one deployment held inside its transaction by a lock). A new
 * worker process resumes the rollout from Temporal's history; no site is deployed twice: one
 * pre_deployment recovery point and one audit entry per site.
 */
import type { ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { startTestWeft, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';
import { crashTestWorkers } from '../support/worker-process';

let t: TestWeft;
let sql: postgres.Sql;
const h = rolloutHelpers(() => t);
const SITES = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6'];
const workers = crashTestWorkers(() => t);
const startWorker = workers.start;

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(child.signalCode).toBe('SIGKILL');
}

/** Each site deployed once: one pre_deployment point, one `rollout.site_deployed` entry, attempt 1. */
async function expectDeployedOnce(id: string, done: any): Promise<void> {
  expect(done.deployments.map((d: any) => [d.siteId, d.status, d.attempt])).toEqual(SITES.map((s) => [s, 'success', 1]));
  const points = await sql<{ site_id: string; n: number }[]>`
    select site_id, count(*)::int as n from recovery_points where rollout_id = ${id} and kind = 'pre_deployment' group by site_id order by site_id`;
  expect(points.map((p) => [p.site_id, p.n])).toEqual(SITES.map((s) => [s, 1]));
  expect((await h.audit(id)).filter((a) => a === 'rollout.site_deployed')).toHaveLength(SITES.length);
  expect(await h.versionsAt(done.workflowId, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, '2.0.0'])));
}

beforeAll(async () => {
  // The workers run in other processes: the database must be one they all reach.
  t = await startTestWeft({ worker: false, database: 'postgres' });
  sql = postgres(t.databaseUrl as string, { max: 2, onnotice: () => undefined });
  await h.createSites(SITES.map((id) => ({ id, region: 'k' })));
});

afterAll(async () => {
  workers.killAll();
  await sql?.end();
  await t?.stop();
});

test('SIGKILL during a bake timer: a new worker resumes after the bake, no site deployed twice', async () => {
  const first = await startWorker();
  const wf = await h.twoVersions('crash-bake');
  const id = await h.stagedRollout(wf, [
    { stageNumber: 1, sitesOrRegions: ['k-1', 'k-2', 'k-3'], delay: '4s', validateBeforeNext: true },
    { stageNumber: 2, sitesOrRegions: ['k-4', 'k-5', 'k-6'], validateBeforeNext: false },
  ]);
  await h.act(id, 'start');
  await h.waitFor(id, (r) => r.waitingFor === 'delay');
  await kill(first);

  await startWorker();
  const done = await h.waitFor(id, h.ended, 90_000);
  expect(done.status).toBe('completed');
  await expectDeployedOnce(id, done);
}, 150_000);

test('SIGKILL in the middle of a deployment batch: the held deployment is retried by a new worker, the others are not redone', async () => {
  const first = await startWorker();
  const wf = await h.twoVersions('crash-batch');
  const id = (await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', config: { maxParallelSites: 3 } })).body.id as string;
  // Holds k-2's site version row: its deployment blocks inside its transaction until this one ends.
  const reserved = await sql.reserve();
  await reserved`begin`;
  await reserved`insert into site_versions (definition_id, site_id, version) values (${wf}, 'k-2', '1.0.0')`;
  try {
    await h.act(id, 'start');
    const during = await h.waitFor(id, (r) => r.deployments.filter((d: any) => d.status === 'success').length === 2);
    expect(during.deployments.map((d: any) => d.status)).toEqual(['success', 'pending', 'success', 'pending', 'pending', 'pending']);
    await kill(first);
  } finally {
    await reserved`rollback`;
    reserved.release();
  }

  await startWorker();
  const done = await h.waitFor(id, h.ended, 90_000);
  expect(done.status).toBe('completed');
  await expectDeployedOnce(id, done);
}, 150_000);
