/**
 * A worker killed with SIGKILL while approvals wait loses nothing: a decision accepted before
 * the crash still counts after it, a timer that fell due while no worker ran still fires, and
 * no decision is stored twice. The worker is the real `src/worker.ts` in its own process.
 */
import type { ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { executeRows } from '../../../src/db';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../../support/harness';
import { startWorkerProcess } from '../../support/worker-process';

jest.setTimeout(150_000);

let t: TestWeft;
const children: ChildProcess[] = [];

async function startWorker(): Promise<ChildProcess> {
  const child = await startWorkerProcess(t);
  children.push(child);
  return child;
}

beforeAll(async () => {
  // The worker runs in another process, so the database must be one both can reach.
  t = await startTestWeft({ worker: false, database: 'postgres' });
  for (const id of ['req', 'a1', 'a2', 'a3', 'slow']) expect((await t.api('POST', '/api/v1/users', { id, name: id, roles: ['approver'] })).status).toBe(201);
  expect((await t.api('POST', '/api/v1/groups', { id: 'trio', name: 'Trio' })).status).toBe(201);
  expect((await t.api('PUT', '/api/v1/groups/trio/members', { add: ['a1', 'a2', 'a3'] })).status).toBe(200);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await t?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test('SIGKILL while two approvals wait: the decision made before counts after, a due timer fires, nothing doubles', async () => {
  const first = await startWorker();
  const defId = await publishGraph(t, {
    name: 'crash-approval',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'gate',
        type: 'APPROVAL',
        properties: { title: 'Gate', chain: { steps: [{ id: 'vote', approvers: [{ type: 'group', identifier: 'trio' }], minimumApprovals: 2 }] } },
      },
      { id: 'end', type: 'END', properties: { output: { status: 'nodes.gate.output.status', who: 'nodes.gate.output.decisions.approverId' } } },
    ],
    edges: [
      { source: 'start', target: 'gate' },
      { source: 'gate', sourcePort: 'approved', target: 'end' },
    ],
  });
  const started = await t.api('POST', `/api/v1/workflows/${defId}/instances`, { input: {} }, { token: t.token(['operator'], 'req') });
  const exec = started.body.id as string;
  const requestId = `${exec}:approval:gate:0`;
  const timed = await t.api(
    'POST',
    '/api/v1/approval-requests',
    {
      type: 'rollout',
      title: 'Timed',
      chain: { steps: [{ id: 's', approvers: [{ type: 'user', identifier: 'slow' }], escalation: [{ after: '3s', action: 'auto_approve' }] }] },
    },
    { token: t.token(['operator'], 'req') },
  );
  expect(timed.status).toBe(201);

  await until('the vote to open', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${encodeURIComponent(requestId)}`);
    return r.status === 200 && r.body.currentStepId === 'vote' ? r.body : undefined;
  });
  const a1 = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, { token: t.token(['approver'], 'a1') });
  expect(a1.status).toBe(200);

  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect(first.signalCode).toBe('SIGKILL');
  // Let the auto-approval timer fall due while no worker runs.
  await new Promise((r) => setTimeout(r, 4_000));

  await startWorker();
  // a1's decision survived: a1 is refused a second one, and one more approval reaches the quorum.
  const again = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, { token: t.token(['approver'], 'a1') });
  expect(again.status).toBe(409);
  expect(again.body.code).toBe('ALREADY_DECIDED');
  expect((await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, { token: t.token(['approver'], 'a2') })).status).toBe(200);
  const done = await waitForInstance(t, exec, 60_000);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({ status: 'approved', who: ['a1', 'a2'] });

  const timedDone = await until('the timed request', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${timed.body.id}`);
    return r.body.status === 'approved' ? r.body : undefined;
  });
  expect(timedDone.decisions.map((d: any) => d.action)).toEqual(['auto_approve']);

  const rows = await executeRows<{ request_id: string; approver_id: string }>(
    t.weft.database.db,
    sql`select request_id, approver_id from approval_decisions order by id`,
  );
  expect(rows.filter((r) => r.request_id === requestId).map((r) => r.approver_id)).toEqual(['a1', 'a2']);
  expect(rows.filter((r) => r.request_id === timed.body.id)).toHaveLength(1);
});
