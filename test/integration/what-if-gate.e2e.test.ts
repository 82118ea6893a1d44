/**
 * A rollout's what-if gate (issue 20) on real Temporal and PostgreSQL: the rollout runs a what-if
 * of its version over recorded executions before it touches a site, starts only when it passes,
 * links the report, and a refused start names the executions that broke the gate.
 */
import { startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { rolloutHelpers, type Json } from '../support/rollouts';

jest.setTimeout(180_000);

let t: TestWeft;
const h = rolloutHelpers(() => t);
let workflowId: string;
const recorded: string[] = [];

/** START → IF `input.n >= threshold` → big / small; the condition may be given whole. */
const sizer = (threshold: number, condition = `input.n >= ${threshold}`) => ({
  name: 'sizer',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'check', type: 'IF_THEN_ELSE', properties: { condition } },
    { id: 'big', type: 'END', properties: { output: { size: '"big"' } } },
    { id: 'small', type: 'END', properties: { output: { size: '"small"' } } },
  ],
  edges: [
    { source: 'start', target: 'check' },
    { source: 'check', sourcePort: 'true', target: 'big' },
    { source: 'check', sourcePort: 'false', target: 'small' },
  ],
});

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await h.createSites([{ id: 'gate-1', region: 'eu' }]);
  const created = await h.ok('POST', '/workflows', sizer(5), 201);
  workflowId = created.id;
  await h.ok('POST', `/workflows/${workflowId}/publish`, {});
  // Version 2 moves the threshold (n = 5, 6, 7 flip); version 3's condition fails on every input.
  for (const [version, graph] of [
    ['2.0.0', sizer(8)],
    ['3.0.0', sizer(0, '$number("n" & input.n) > 0')],
  ] as const) {
    await h.ok('POST', `/workflows/${workflowId}/versions`, { graph, version }, 201);
    await h.ok('POST', `/workflows/${workflowId}/versions/${version}/publish`, {});
  }
  for (let n = 0; n < 10; n++) recorded.push((await h.ok('POST', `/workflows/${workflowId}/instances`, { input: { n } }, 202)).id);
  for (const id of recorded) expect((await waitForInstance(t, id)).status).toBe('completed');
});

afterAll(async () => {
  await t?.stop();
});

async function gatedRollout(version: string, whatIf: Json): Promise<Json> {
  const created = await h.createRollout({ workflowId, version, strategy: 'immediate', targetSites: ['gate-1'], whatIf });
  expect(created.status).toBe(201);
  expect((await h.act(created.body.id, 'start')).status).toBe(200);
  return h.waitFor(created.body.id, h.ended, 90_000);
}

test('too many changed executions: the rollout never starts, and says which executions broke the gate', async () => {
  const ended = await gatedRollout('2.0.0', { sample: { limit: 10 }, maxChangedPercentage: 10 });
  expect(ended.status).toBe('failed');
  const flipped = [recorded[5], recorded[6], recorded[7]] as string[];
  for (const id of flipped) expect(ended.failureReason).toContain(`${id} (path_changed)`);
  for (const id of recorded.filter((r) => !flipped.includes(r))) expect(ended.failureReason).not.toContain(id);
  expect(ended.failureReason).toMatch(/30% of 10 executions changed, more than the 10% allowed/);
  expect(ended.deployments.every((d: Json) => d.status === 'pending')).toBe(true);

  expect(ended.whatIf).toMatchObject({ status: 'completed', href: `/api/v1/what-if/${ended.whatIf.id}` });
  const report = await h.ok('GET', `/what-if/${ended.whatIf.id}`);
  expect(report).toMatchObject({ rolloutId: ended.id, version: '2.0.0', summary: { counts: { path_changed: 3, same: 7 } } });
});

test('executions that now fail refuse the start even when any change is allowed', async () => {
  const ended = await gatedRollout('3.0.0', { sample: { limit: 10 }, maxChangedPercentage: 100 });
  expect(ended.status).toBe('failed');
  expect(ended.failureReason).toMatch(/executions that completed now fail/);
  expect(ended.failureReason).toContain('(now_fails)');
});

test('a what-if within the gate: the rollout starts and deploys, the report linked', async () => {
  const ended = await gatedRollout('2.0.0', { sample: { fromVersion: '1.0.0', limit: 10 }, maxChangedPercentage: 30 });
  expect(ended.status).toBe('completed');
  expect(ended.deployments).toEqual([expect.objectContaining({ siteId: 'gate-1', status: 'success' })]);
  expect((await h.ok('GET', ended.whatIf.href.replace('/api/v1', ''))).summary.changedPercentage).toBe(30);
  expect(await h.versionAt(workflowId, 'gate-1')).toBe('2.0.0');
});

test('a gate with a bad sample is refused at creation with code and path', async () => {
  const res = await h.createRollout({
    workflowId,
    version: '2.0.0',
    strategy: 'immediate',
    targetSites: ['gate-1'],
    whatIf: { sample: { limit: 6000 }, maxChangedPercentage: 10 },
  });
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: Json) => e.path)).toContain('/whatIf/sample/limit');
  const unknown = await h.createRollout({
    workflowId,
    version: '2.0.0',
    strategy: 'immediate',
    targetSites: ['gate-1'],
    whatIf: { sample: { fromVersion: '9.0.0', limit: 5 }, maxChangedPercentage: 10 },
  });
  expect(unknown.status).toBe(404);
  expect(unknown.body).toMatchObject({ code: 'VERSION_NOT_FOUND', errors: [{ path: '/whatIf/sample/fromVersion' }] });
});
