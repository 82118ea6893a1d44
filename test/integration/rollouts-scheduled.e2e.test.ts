/**
 * Scheduled rollouts and the approval gate (issue 16) on real Temporal and PostgreSQL: a
 * scheduled rollout waits for its start time, deploys a site only inside the maintenance window
 * of the site's own time zone, and past its end time pauses saying which sites remain; with a
 * `rollout` approval policy, a started rollout waits for the approval before it deploys.
 */
import { startTestWeft, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';

let t: TestWeft;
const h = rolloutHelpers(() => t);
// Four sites on UTC, two six hours ahead (no daylight saving time in either).
const UTC_SITES = ['z-1', 'z-2', 'z-3', 'z-4'];
const EAST_SITES = ['e-1', 'e-2'];
const SITES = [...EAST_SITES, ...UTC_SITES];

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await h.createSites([
    ...UTC_SITES.map((id) => ({ id, region: 'west', timeZone: 'UTC' })),
    ...EAST_SITES.map((id) => ({ id, region: 'east', timeZone: 'Etc/GMT-6' })),
  ]);
});

afterAll(async () => {
  await t?.stop();
});

test('scheduled: waits for its start, deploys only where the maintenance window is open, pauses at its end naming the sites left', async () => {
  const wf = await h.twoVersions('scheduled');
  const hour = new Date().getUTCHours();
  // Open from an hour ago to two hours ahead on UTC: six hours later in the east, it is closed there.
  const maintenanceWindow = { startHour: (hour + 23) % 24, endHour: (hour + 2) % 24, daysOfWeek: [0, 1, 2, 3, 4, 5, 6] };
  const now = Date.now();
  const created = await h.createRollout({
    workflowId: wf,
    version: '2.0.0',
    strategy: 'scheduled',
    config: { startTime: now + 4_000, endTime: new Date(now + 11_000).toISOString(), maxParallelSites: 2, maintenanceWindow },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await h.act(id, 'start');
  const early = await h.waitFor(id, (r) => r.waitingFor === 'schedule_start' || r.deployments.some((d: any) => d.status !== 'pending'));
  expect(early.waitingFor).toBe('schedule_start');
  expect(early.deployments.every((d: any) => d.status === 'pending')).toBe(true);

  const inWindow = await h.waitFor(id, (r) => r.waitingFor === 'window');
  expect(inWindow.status).toBe('in_progress');
  expect(inWindow.remainingSites).toEqual(EAST_SITES);
  const bySite = Object.fromEntries(inWindow.deployments.map((d: any) => [d.siteId, d.status]));
  expect(bySite).toEqual(Object.fromEntries(SITES.map((s) => [s, UTC_SITES.includes(s) ? 'success' : 'pending'])));
  expect(new Date(inWindow.deployments.find((d: any) => d.siteId === 'z-1').startedAt).getTime()).toBeGreaterThanOrEqual(now + 4_000);

  const ended = await h.waitFor(id, (r) => r.waitingFor === 'schedule_end');
  expect(ended).toMatchObject({ status: 'paused', remainingSites: EAST_SITES });
  expect(await h.versionsAt(wf, SITES)).toEqual(Object.fromEntries(SITES.map((s) => [s, UTC_SITES.includes(s) ? '2.0.0' : '1.0.0'])));

  // Resumed past its end, it goes on waiting for the east's window (hours away): no end time any more.
  expect((await h.act(id, 'resume', 'keep going overnight')).status).toBe(200);
  const again = await h.waitFor(id, (r) => r.waitingFor === 'window');
  expect(again.status).toBe('in_progress');
  await h.act(id, 'abort', 'done for this week');
  expect((await h.waitFor(id, h.ended)).status).toBe('failed');
});

test('with a rollout approval policy, a started rollout waits for the approval, then deploys', async () => {
  await h.ok('POST', '/users', { id: 'rita', name: 'Rita Release', roles: ['approver'] }, 201);
  const chain = { steps: [{ id: 'release', approvers: [{ type: 'user', identifier: 'rita' }] }] };
  await h.ok('POST', '/approval-policies', { id: 'rollout-gate', name: 'Rollout gate', requestType: 'rollout', chain }, 201);
  const wf = await h.twoVersions('gated');
  const created = await h.createRollout({ workflowId: wf, version: '2.0.0', strategy: 'immediate', targetSites: UTC_SITES, config: {} });
  expect(created.body).toMatchObject({ status: 'pending', waitingFor: 'start' });
  const id = created.body.id as string;
  const asked = await h.waitFor(id, (r) => r.approvalRequestId !== null && r.waitingFor === 'start');
  const requestId = asked.approvalRequestId as string;

  await h.act(id, 'start');
  await h.waitFor(id, (r) => r.waitingFor === 'approval');
  expect(await h.versionsAt(wf, ['z-1'])).toEqual({ 'z-1': '1.0.0' });
  const request = await h.ok('GET', `/approval-requests/${encodeURIComponent(requestId)}`);
  expect(request).toMatchObject({ type: 'rollout', data: expect.objectContaining({ rolloutId: id, version: '2.0.0' }) });
  const deadline = Date.now() + 10_000;
  while (!(await h.ok('GET', `/approval-requests/${encodeURIComponent(requestId)}`)).pendingApprovers?.includes('rita')) {
    if (Date.now() > deadline) throw new Error('the approval never opened');
    await new Promise((r) => setTimeout(r, 100));
  }
  const approved = await t.api(
    'POST',
    `/api/v1/approval-requests/${encodeURIComponent(requestId)}/approve`,
    { comments: 'go' },
    { token: t.token(['approver'], 'rita') },
  );
  expect(approved.status).toBe(200);

  const done = await h.waitFor(id, h.ended);
  expect(done.status).toBe('completed');
  expect(await h.versionsAt(wf, UTC_SITES)).toEqual(Object.fromEntries(UTC_SITES.map((s) => [s, '2.0.0'])));
});
