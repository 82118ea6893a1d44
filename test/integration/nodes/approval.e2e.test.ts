/**
 * Approvals on real Temporal and a real database: an APPROVAL node with a two-step chain, the
 * decision rules (self-approval, eligibility, once per step), escalation and auto-approval on
 * durable timers, out-of-office delegation, request-changes and resubmission, 50 concurrent
 * decisions on one quorum step, API-only requests, signals, the inbox and stats.
 */
import { sql } from 'drizzle-orm';
import { executeRows } from '../../../src/db';
import { decideSignal } from '../../../src/workflows/approval-types';
import { publishGraph, requestApproval, startTestWeft, waitForInstance, type TestWeft } from '../../support/harness';

jest.setTimeout(120_000);

let t: TestWeft;
const tok: Record<string, string> = {};
const as = (user: string) => ({ token: tok[user] ?? (tok[user] = t.token(['approver'], user)) });

beforeAll(async () => {
  t = await startTestWeft();
  const users: Array<[string, string[]]> = [
    ['rita', ['manager', 'operator']],
    ['lead', ['manager']],
    ['r1', ['approver']],
    ['r2', ['approver']],
    ['r3', ['approver']],
    ['olga', ['operator']],
    ['slow', ['approver']],
    ['dana', ['approver']],
    ['dave', ['approver']],
  ];
  for (const [id, roles] of users) expect((await t.api('POST', '/api/v1/users', { id, name: id, roles })).status).toBe(201);
  expect((await t.api('POST', '/api/v1/groups', { id: 'reviewers', name: 'Reviewers' })).status).toBe(201);
  expect((await t.api('PUT', '/api/v1/groups/reviewers/members', { add: ['r1', 'r2', 'r3'] })).status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The open step of a request, once the workflow has opened it. */
async function openStep(requestId: string, stepId: string) {
  const open = (r: { currentStepId: string | null; pendingApprovers: string[] } | undefined) => r?.currentStepId === stepId && r.pendingApprovers.length > 0;
  const live = await until(`step ${stepId} of ${requestId}`, async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${encodeURIComponent(requestId)}`);
    return r.status === 200 && open(r.body) ? r.body : undefined;
  });
  // The view above is the workflow's live state; inboxes and lists read the row it stores just
  // after, so wait for that too.
  await until(`stored step ${stepId} of ${requestId}`, async () => {
    const r = await t.api('GET', '/api/v1/approval-requests?status=pending&limit=500');
    return open(r.body.items.find((i: { id: string }) => i.id === requestId));
  });
  return live;
}

/** An API approval request by rita with an inline chain; its id once created. */
const requestByRita = (type: string, title: string, chain: unknown, data?: unknown) => requestApproval(t, 'rita', { type, title, chain, data });

async function decisionRows(requestId: string) {
  return executeRows<{ approver_id: string; action: string; step_id: string; on_behalf_of: string | null; round: number }>(
    t.weft.database.db,
    sql`select approver_id, action, step_id, on_behalf_of, round from approval_decisions where request_id = ${requestId} order by id`,
  );
}

test('an APPROVAL node: two steps, 2-of-3 quorum, refusals with codes, the graph goes on through "approved"', async () => {
  const defId = await publishGraph(t, {
    name: 'purchase',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'approve',
        type: 'APPROVAL',
        properties: {
          title: 'Purchase ${input.item}',
          data: { item: '${input.item}', amount: '${input.amount}' },
          chain: {
            steps: [
              { id: 'lead', approvers: [{ type: 'role', identifier: 'manager' }] },
              { id: 'review', approvers: [{ type: 'group', identifier: 'reviewers' }], minimumApprovals: 2, requireComments: true },
            ],
          },
        },
      },
      { id: 'ok', type: 'END', properties: { output: { status: 'nodes.approve.output.status', n: '$count(nodes.approve.output.decisions)' } } },
      { id: 'no', type: 'END', properties: { output: { status: "'rejected'" } } },
    ],
    edges: [
      { source: 'start', target: 'approve' },
      { source: 'approve', sourcePort: 'approved', target: 'ok' },
      { source: 'approve', sourcePort: 'rejected', target: 'no' },
    ],
  });
  const started = await t.api(
    'POST',
    `/api/v1/workflows/${defId}/instances`,
    { input: { item: 'lathe', amount: 900 } },
    { token: t.token(['operator'], 'rita') },
  );
  expect(started.status).toBe(202);
  const exec = started.body.id as string;
  const requestId = `${exec}:approval:approve:0`;

  const first = await openStep(requestId, 'lead');
  expect(first).toMatchObject({
    type: 'workflow_node',
    executionId: exec,
    nodeId: 'approve',
    requestedBy: 'rita',
    title: 'Purchase lathe',
    data: { item: 'lathe', amount: 900 },
  });
  expect(first.pendingApprovers.sort()).toEqual(['lead', 'rita']);
  expect((await t.api('GET', `/api/v1/workflow-instances/${exec}`)).body.status).toBe('waiting');

  // The requester holds the role, but may not approve their own request.
  const self = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, as('rita'));
  expect(self.status).toBe(403);
  expect(self.body.code).toBe('SELF_APPROVAL');
  const outsider = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, as('olga'));
  expect(outsider.status).toBe(403);
  expect(outsider.body.code).toBe('NOT_AN_APPROVER');
  const wrongStep = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, { stepId: 'review' }, as('lead'));
  expect(wrongStep.status).toBe(409);
  expect(wrongStep.body.code).toBe('STEP_NOT_OPEN');
  const ok = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, { stepId: 'lead', comments: 'fine' }, as('lead'));
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ stepId: 'lead', stepStatus: 'approved', onBehalfOf: null });

  await openStep(requestId, 'review');
  // The inbox shows it to each reviewer, not to the lead.
  expect((await t.api('GET', '/api/v1/me/approvals', undefined, as('r3'))).body.items.map((r: any) => r.id)).toContain(requestId);
  expect((await t.api('GET', '/api/v1/users/lead/approvals')).body.items.map((r: any) => r.id)).not.toContain(requestId);
  // Someone else's inbox is for managers and admins only.
  expect((await t.api('GET', '/api/v1/users/r3/approvals', undefined, { token: t.token(['manager'], 'lead') })).body.items.map((r: any) => r.id)).toContain(
    requestId,
  );
  const peek = await t.api('GET', '/api/v1/users/r3/approvals', undefined, as('r1'));
  expect(peek.status).toBe(403);
  expect(peek.body.code).toBe('PERMISSION_DENIED');

  const noComment = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, as('r1'));
  expect(noComment.status).toBe(422);
  expect(noComment.body.code).toBe('COMMENTS_REQUIRED');
  expect((await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, { comments: 'yes' }, as('r1'))).status).toBe(200);
  const twice = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, { comments: 'yes again' }, as('r1'));
  expect(twice.status).toBe(409);
  expect(twice.body.code).toBe('ALREADY_DECIDED');
  // r1 decided: no longer in r1's inbox.
  expect((await t.api('GET', '/api/v1/me/approvals', undefined, as('r1'))).body.items.map((r: any) => r.id)).not.toContain(requestId);
  const second = await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, { comments: 'ok' }, as('r2'));
  expect(second.status).toBe(200);
  expect(second.body.stepStatus).toBe('approved');

  const done = await waitForInstance(t, exec, 60_000);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({ status: 'approved', n: 3 });
  const rows = await decisionRows(requestId);
  expect(rows.map((r) => [r.step_id, r.approver_id, r.action])).toEqual([
    ['lead', 'lead', 'approve'],
    ['review', 'r1', 'approve'],
    ['review', 'r2', 'approve'],
  ]);
  const listed = await t.api('GET', `/api/v1/workflow-instances/${exec}/approvals`);
  expect(listed.body.items).toHaveLength(1);
  expect(listed.body.items[0]).toMatchObject({ id: requestId, status: 'approved', decisions: expect.any(Array) });
  // Too late now.
  const late = await t.api('POST', `/api/v1/approval-requests/${encodeURIComponent(requestId)}/approve`, { comments: 'x' }, as('r3'));
  expect(late.status).toBe(409);
});

test('a timeout escalates to the managers: the instance shows "escalated", then the escalated approver decides', async () => {
  const defId = await publishGraph(t, {
    name: 'escalating',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'gate',
        type: 'APPROVAL',
        properties: {
          title: 'Change',
          chain: {
            steps: [
              {
                id: 'only',
                approvers: [{ type: 'user', identifier: 'slow' }],
                escalation: [{ after: '1s', action: 'escalate', target: 'role:manager' }],
              },
            ],
          },
        },
      },
      { id: 'end', type: 'END' },
      { id: 'rejected', type: 'END', properties: { output: { rejected: 'true' } } },
    ],
    edges: [
      { source: 'start', target: 'gate' },
      { source: 'gate', sourcePort: 'approved', target: 'end' },
      { source: 'gate', sourcePort: 'rejected', target: 'rejected' },
    ],
  });
  const started = await t.api('POST', `/api/v1/workflows/${defId}/instances`, { input: {} });
  const exec = started.body.id as string;
  await until('escalated', async () => (await t.api('GET', `/api/v1/workflow-instances/${exec}`)).body.status === 'escalated');
  // The stored summary says so too, so operators find it in the list of escalated instances.
  await until('listed as escalated', async () =>
    ((await t.api('GET', '/api/v1/workflow-instances?status=escalated')).body.items as { id: string }[]).some((i) => i.id === exec),
  );
  const req = (await t.api('GET', `/api/v1/workflow-instances/${exec}/approvals`)).body.items[0];
  expect(req.escalated).toBe(true);
  expect(req.pendingApprovers.sort()).toEqual(['lead', 'rita', 'slow']);
  expect((await t.api('POST', `/api/v1/workflow-instances/${exec}/approve`, {}, as('lead'))).status).toBe(200);
  const done = await waitForInstance(t, exec, 60_000);
  expect(done.status).toBe('completed');
  const rows = await decisionRows(req.id);
  expect(rows.map((r) => [r.approver_id, r.action])).toEqual([
    ['system:escalation:0', 'escalate'],
    ['lead', 'approve'],
  ]);
});

test('settings.stateTimeouts reach an APPROVAL node: escalated past its limit, then cancelled together with its approval', async () => {
  const defId = await publishGraph(t, {
    name: 'gate-with-limit',
    settings: {
      stateTimeouts: {
        gate: {
          after: '1s',
          actions: [
            { type: 'escalate', target: 'role:manager' },
            { type: 'cancel', delay: '2s', message: 'nobody decided' },
          ],
        },
      },
    },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'gate', type: 'APPROVAL', properties: { title: 'Gate', chain: { steps: [{ id: 's', approvers: [{ type: 'user', identifier: 'slow' }] }] } } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'gate' },
      { source: 'gate', sourcePort: 'approved', target: 'end' },
    ],
  });
  const exec = (await t.api('POST', `/api/v1/workflows/${defId}/instances`, { input: {} })).body.id as string;
  await until('escalated', async () => (await t.api('GET', `/api/v1/workflow-instances/${exec}`)).body.status === 'escalated');
  const done = await waitForInstance(t, exec);
  expect(done.status).toBe('cancelled');
  expect(done.error).toMatchObject({ code: 'STATE_TIMEOUT', nodeId: 'gate', message: 'nobody decided' });
  const requestId = `${exec}:approval:gate:0`;
  await until('approval cancelled', async () => (await t.api('GET', `/api/v1/approval-requests/${encodeURIComponent(requestId)}`)).body.status === 'cancelled');
  const late = await t.api('POST', `/api/v1/approval-requests/${encodeURIComponent(requestId)}/approve`, {}, as('slow'));
  expect(late.status).toBe(409);
});

test('a step timeout with onTimeout auto_approve approves an API request by itself', async () => {
  const id = await requestByRita('configuration_change', 'Raise limit', {
    steps: [{ id: 's', approvers: [{ type: 'user', identifier: 'slow' }], timeout: '1s' }],
    onTimeout: 'auto_approve',
  });
  const done = await until('auto approval', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    return r.body.status === 'approved' ? r.body : undefined;
  });
  expect(done.decisions.map((d: any) => [d.approverId, d.action])).toEqual([['system:timeout', 'auto_approve']]);
});

test('unanimousRequired: every eligible approver of the step must approve, whatever minimumApprovals says', async () => {
  const id = await requestByRita('configuration_change', 'Change the recipe', {
    steps: [{ id: 'all', approvers: [{ type: 'group', identifier: 'reviewers' }], minimumApprovals: 1, unanimousRequired: true }],
  });
  await openStep(id, 'all');
  for (const [user, left] of [
    ['r1', ['r2', 'r3']],
    ['r2', ['r3']],
  ] as const) {
    expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as(user))).status).toBe(200);
    const still = await until(`${user} counted`, async () => {
      const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
      return r.body.pendingApprovers.length === left.length ? r.body : undefined;
    });
    expect(still.status).toBe('pending');
    expect([...still.pendingApprovers].sort()).toEqual(left);
  }
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('r3'))).status).toBe(200);
  await until('approved', async () => (await t.api('GET', `/api/v1/approval-requests/${id}`)).body.status === 'approved');
  expect((await decisionRows(id)).map((r) => r.approver_id)).toEqual(['r1', 'r2', 'r3']);
});

test('a reassign rule hands the step to its target after the delay: the first approver may no longer decide', async () => {
  const id = await requestByRita('configuration_change', 'Reassigned', {
    steps: [{ id: 's', approvers: [{ type: 'user', identifier: 'slow' }], escalation: [{ after: '1s', action: 'reassign', target: 'user:dave' }] }],
  });
  await openStep(id, 's');
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('dave'))).body.code).toBe('NOT_AN_APPROVER');
  await until('reassigned to dave', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    return r.body.pendingApprovers.join() === 'dave';
  });
  const late = await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('slow'));
  expect(late.status).toBe(403);
  expect(late.body.code).toBe('NOT_AN_APPROVER');
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('dave'))).status).toBe(200);
  await until('approved', async () => (await t.api('GET', `/api/v1/approval-requests/${id}`)).body.status === 'approved');
  expect((await decisionRows(id)).map((r) => [r.approver_id, r.action])).toEqual([['dave', 'approve']]);
});

test('out of office: the delegate approves in the named approver’s place, recorded on their behalf', async () => {
  const policy = await t.api('POST', '/api/v1/approval-policies', {
    id: 'rollouts',
    name: 'Rollouts',
    requestType: 'rollout',
    chain: { steps: [{ id: 'owner', approvers: [{ type: 'user', identifier: 'dana' }] }] },
  });
  expect(policy.status).toBe(201);
  const created = await t.api('POST', '/api/v1/approval-requests', { type: 'rollout', title: 'Roll out 2.0', data: { version: '2.0.0' } }, as('rita'));
  expect(created.status).toBe(201);
  expect(created.body.policyId).toBe('rollouts');
  const id = created.body.id as string;
  await openStep(id, 'owner');
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('dave'))).body.code).toBe('NOT_AN_APPROVER');

  const away = await t.api(
    'PUT',
    '/api/v1/users/dana/out-of-office',
    { delegateTo: 'dave', awayUntil: new Date(Date.now() + 86_400_000).toISOString() },
    as('dana'),
  );
  expect(away.status).toBe(200);
  expect((await t.api('GET', '/api/v1/me/approvals', undefined, as('dave'))).body.items.map((r: any) => r.id)).toContain(id);
  const ok = await t.api('POST', `/api/v1/approval-requests/${id}/approve`, { comments: 'for Dana' }, as('dave'));
  expect(ok.status).toBe(200);
  expect(ok.body.onBehalfOf).toBe('dana');
  await until('approved', async () => (await t.api('GET', `/api/v1/approval-requests/${id}`)).body.status === 'approved');
  expect((await decisionRows(id)).map((r) => [r.approver_id, r.on_behalf_of, r.action])).toEqual([['dave', 'dana', 'approve']]);
  await t.api('DELETE', '/api/v1/users/dana/out-of-office', undefined, as('dana'));
});

test('request changes, then the requester resubmits with new data: a second round approves', async () => {
  const id = await requestByRita(
    'version_activation',
    'Activate 3.1',
    { steps: [{ id: 'check', approvers: [{ type: 'user', identifier: 'lead' }] }] },
    { v: 1 },
  );
  await openStep(id, 'check');
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/request-changes`, { comments: 'add the changelog' }, as('lead'))).status).toBe(200);
  await until('changes_requested', async () => (await t.api('GET', `/api/v1/approval-requests/${id}`)).body.status === 'changes_requested');
  const notMine = await t.api('POST', `/api/v1/approval-requests/${id}/resubmit`, { data: { v: 2 } }, as('lead'));
  expect(notMine.status).toBe(403);
  expect(notMine.body.code).toBe('NOT_REQUESTER');
  const resub = await t.api('POST', `/api/v1/approval-requests/${id}/resubmit`, { data: { v: 2 }, comments: 'added' }, as('rita'));
  expect(resub.status).toBe(200);
  expect(resub.body.round).toBe(2);
  const again = await until('round 2', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    return r.body.round === 2 && r.body.currentStepId === 'check' ? r.body : undefined;
  });
  expect(again.data).toEqual({ v: 2 });
  // Deciding in round 1 does not count as deciding in round 2.
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('lead'))).status).toBe(200);
  await until('approved', async () => (await t.api('GET', `/api/v1/approval-requests/${id}`)).body.status === 'approved');
  expect((await decisionRows(id)).map((r) => [r.round, r.action])).toEqual([
    [1, 'request_changes'],
    [2, 'approve'],
  ]);
});

test('50 approvers decide at once on a 30-of-50 step: one outcome, every accepted decision recorded', async () => {
  const ids = Array.from({ length: 50 }, (_, i) => `m${String(i).padStart(2, '0')}`);
  for (const id of ids) expect((await t.api('POST', '/api/v1/users', { id, name: id, roles: ['approver'] })).status).toBe(201);
  expect((await t.api('POST', '/api/v1/groups', { id: 'board', name: 'Board' })).status).toBe(201);
  expect((await t.api('PUT', '/api/v1/groups/board/members', { add: ids })).status).toBe(200);
  const created = await t.api(
    'POST',
    '/api/v1/approval-requests',
    { type: 'rollout', title: 'Big one', chain: { steps: [{ id: 'vote', approvers: [{ type: 'group', identifier: 'board' }], minimumApprovals: 30 }] } },
    as('rita'),
  );
  const id = created.body.id as string;
  await openStep(id, 'vote');
  const answers = await Promise.all(ids.map((u) => t.api('POST', `/api/v1/approval-requests/${id}/approve`, { stepId: 'vote' }, as(u))));
  const accepted = answers.filter((a) => a.status === 200);
  const refused = answers.filter((a) => a.status !== 200);
  expect(accepted).toHaveLength(30);
  expect(refused.every((a) => a.status === 409 && ['STEP_NOT_OPEN', 'APPROVAL_NOT_PENDING'].includes(a.body.code))).toBe(true);
  expect(accepted.filter((a) => a.body.stepStatus === 'approved')).toHaveLength(1);
  const final = await until('approved', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    return r.body.status === 'approved' ? r.body : undefined;
  });
  expect(final.decisions).toHaveLength(30);
  const rows = await decisionRows(id);
  expect(rows).toHaveLength(30);
  expect(new Set(rows.map((r) => r.approver_id)).size).toBe(30);
  expect(rows.map((r) => r.approver_id).sort()).toEqual(accepted.map((a) => ids[answers.indexOf(a)]).sort());
});

test('a decision sent as a signal follows the same rules: a refused one is recorded and changes nothing', async () => {
  const id = await requestByRita('rollout', 'Signalled', {
    steps: [
      {
        id: 's',
        approvers: [
          { type: 'user', identifier: 'lead' },
          { type: 'user', identifier: 'rita' },
        ],
      },
    ],
  });
  await openStep(id, 's');
  const handle = t.temporal.workflow.getHandle(id);
  await handle.signal(decideSignal, { userId: 'olga', action: 'approve' });
  await handle.signal(decideSignal, { userId: 'rita', action: 'approve' });
  const seen = await until('refusals', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    return r.body.live?.refused?.length === 2 ? r.body : undefined;
  });
  expect(seen.live.refused.map((x: any) => x.code)).toEqual(['NOT_AN_APPROVER', 'SELF_APPROVAL']);
  expect(seen.status).toBe('pending');
  await handle.signal(decideSignal, { userId: 'lead', action: 'reject', comments: 'no' });
  const done = await until('rejected', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    return r.body.status === 'rejected' ? r.body : undefined;
  });
  expect(done.reason).toBe('no');
  // The accepted signal has its audit record, written with the decision; the refused ones have none.
  const decisions = (await t.api('GET', `/api/v1/audit?resourceType=approval_request&resourceId=${id}&limit=100`)).body.items.filter((e: any) =>
    ['approval.approve', 'approval.reject'].includes(e.action),
  );
  expect(decisions.map((e: any) => `${e.action} by ${e.actor}`)).toEqual(['approval.reject by lead']);
  expect(decisions[0].details).toMatchObject({ stepId: 's', round: 1, comments: 'no' });
});

test('policies are validated with JSON paths; APPROVAL properties too; stats count by status', async () => {
  const bad = await t.api('POST', '/api/v1/approval-policies', {
    name: 'Bad',
    chain: { steps: [{ id: 'a', approvers: [], minimumApprovals: 0, escalation: [{ after: 'soon', action: 'escalate' }] }] },
  });
  expect(bad.status).toBe(422);
  const paths = bad.body.errors.map((e: any) => e.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/chain/steps/0/approvers',
      '/chain/steps/0/minimumApprovals',
      '/chain/steps/0/escalation/0/after',
      '/chain/steps/0/escalation/0/target',
    ]),
  );
  expect(
    (
      await t.api(
        'POST',
        '/api/v1/approval-policies',
        { name: 'x', chain: { steps: [{ id: 'a', approvers: [{ type: 'user', identifier: 'lead' }] }] } },
        as('r1'),
      )
    ).status,
  ).toBe(403);

  const graph = await t.api('POST', '/api/v1/workflows', {
    name: 'bad-approval',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'a', type: 'APPROVAL', properties: { title: 't', chain: { steps: [{ id: 's', approvers: [{ type: 'dynamic', identifier: 'data.(' }] }] } } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'a' },
      { source: 'a', sourcePort: 'approved', target: 'end' },
    ],
  });
  expect(graph.status).toBe(422);
  expect(graph.body.errors.map((e: any) => e.path)).toContain('/nodes/1/properties/chain/steps/0/approvers/0/identifier');

  // Stats count stored rows, which a workflow writes just after its live state (what the request
  // view shows) changed: the last test's rejection may take a moment to be counted.
  const stats = await until('stats with the rejection', async () => {
    const r = await t.api('GET', '/api/v1/approvals/stats');
    return r.status === 200 && r.body.rejected >= 1 ? r : undefined;
  });
  expect(stats.body.total).toBeGreaterThanOrEqual(7);
  expect(stats.body.approved).toBeGreaterThanOrEqual(5);
  expect(stats.body.rejected).toBeGreaterThanOrEqual(1);
  expect(stats.body.averageDecisionMs).toBeGreaterThan(0);
});

test('in turn: approvers are asked one after another; a vote handed on with "delegate" is decided by the delegate', async () => {
  const created = await t.api(
    'POST',
    '/api/v1/approval-requests',
    {
      type: 'rollout',
      title: 'In turn',
      chain: {
        steps: [
          {
            id: 'seq',
            parallel: false,
            minimumApprovals: 2,
            approvers: [
              { type: 'user', identifier: 'r1' },
              { type: 'user', identifier: 'r2' },
            ],
          },
        ],
      },
    },
    as('rita'),
  );
  const id = created.body.id as string;
  await openStep(id, 'seq');
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('r2'))).body.code).toBe('NOT_AN_APPROVER');
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('r1'))).status).toBe(200);
  await until('r2 in turn', async () => (await t.api('GET', '/api/v1/me/approvals', undefined, as('r2'))).body.items.some((r: any) => r.id === id));
  const badDelegate = await t.api('POST', `/api/v1/approval-requests/${id}/delegate`, { delegateTo: 'nobody' }, as('r2'));
  expect(badDelegate.status).toBe(422);
  expect(badDelegate.body.code).toBe('INVALID_DELEGATION');
  const handed = await t.api('POST', `/api/v1/approval-requests/${id}/delegate`, { delegateTo: 'r3', comments: 'on leave' }, as('r2'));
  expect(handed.status).toBe(200);
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('r2'))).status).toBe(403);
  const ok = await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('r3'));
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ onBehalfOf: 'r2', stepStatus: 'approved' });
  await until('approved', async () => (await t.api('GET', `/api/v1/approval-requests/${id}`)).body.status === 'approved');
  expect((await decisionRows(id)).map((r) => [r.approver_id, r.action, r.on_behalf_of])).toEqual([
    ['r1', 'approve', null],
    ['r2', 'delegate', null],
    ['r3', 'approve', 'r2'],
  ]);
});

test('dynamic approvers come from the request data (with a fallback); SLA warning and breach are recorded; the requester cancels', async () => {
  const created = await t.api(
    'POST',
    '/api/v1/approval-requests',
    {
      type: 'configuration_change',
      title: 'Dynamic',
      data: { owners: ['r3', 'ghost'] },
      chain: {
        steps: [
          {
            id: 'own',
            approvers: [{ type: 'dynamic', identifier: 'data.missing', fallback: [{ type: 'dynamic', identifier: 'data.owners' }] }],
            sla: { target: '1s', warningPercent: 50 },
          },
        ],
      },
    },
    as('rita'),
  );
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const open = await openStep(id, 'own');
  // `ghost` is no user: only r3 remains.
  expect(open.pendingApprovers).toEqual(['r3']);
  const withSla = await until('SLA events', async () => {
    const r = await t.api('GET', `/api/v1/approval-requests/${id}`);
    const types = (r.body.live?.events ?? []).map((e: any) => e.type);
    return types.includes('sla_breach') ? types : undefined;
  });
  expect(withSla).toEqual(['sla_warning', 'sla_breach']);
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/cancel`, {}, as('r3'))).body.code).toBe('PERMISSION_DENIED');
  const cancelled = await t.api('POST', `/api/v1/approval-requests/${id}/cancel`, { reason: 'not needed' }, as('rita'));
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'not needed' });
  const late = await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, as('r3'));
  expect(late.status).toBe(409);
  expect(late.body.code).toBe('APPROVAL_NOT_PENDING');
  expect((await t.api('GET', '/api/v1/approval-requests?status=cancelled&type=configuration_change')).body.items.map((r: any) => r.id)).toEqual([id]);
});
