/**
 * State timeouts end to end: an instance that waits in a state longer than
 * settings.stateTimeouts allows is escalated (and still advances), cancelled, or someone is
 * notified through a real webhook on loopback — on durable workflow timers.
 */
import { json, type FakeService } from '../support/fake-service';
import { publishGraph, startInstance, startWeftWithService, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, svc, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

beforeEach(() => {
  svc.requests.length = 0;
  svc.handle((_req, res) => json(res, 200, { ok: true }));
});

/** A purchase request that waits in `review` for `approve`. */
function request(stateTimeouts: Record<string, unknown>, extraNodes: unknown[] = []) {
  return {
    name: 'purchase-request',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'review', type: 'DATA_TRANSFORMATION', properties: { assign: { state: '"in_review"' } } },
      { id: 'approved', type: 'END', properties: { output: { state: '"approved"', by: 'vars.by' } } },
      ...extraNodes,
    ],
    edges: [
      { source: 'start', target: 'review' },
      { source: 'review', target: 'approved', trigger: 'approve' },
    ],
    variables: { by: { type: 'string', value: 'nobody' } },
    settings: { stateTimeouts },
  };
}

async function statusOf(id: string): Promise<string> {
  return (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body.status as string;
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('an instance waiting too long is escalated, keeps waiting, and an advance completes it', async () => {
  const id = await startInstance(
    t,
    await publishGraph(t, request({ review: { after: '300ms', actions: [{ type: 'escalate', target: 'role:manager', message: 'review overdue' }] } })),
  );
  await until(async () => (await statusOf(id)) === 'escalated');
  // The row says so too: escalated instances can be listed.
  const listed = await t.api('GET', '/api/v1/workflow-instances?status=escalated');
  expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(id);
  // Data can still change while it waits, escalated.
  expect((await t.api('PUT', `/api/v1/workflow-instances/${id}`, { variables: { by: 'manager' } })).status).toBe(200);

  const advanced = await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' });
  expect(advanced.status).toBe(200);
  const done = await waitForInstance(t, id);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({ state: 'approved', by: 'manager' });
  const history = (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes;
  expect(history.find((n: { nodeType: string }) => n.nodeType === 'STATE_TIMEOUT')).toMatchObject({
    nodeId: 'review',
    output: { rule: 'escalate', target: 'role:manager', message: 'review overdue', after: '300ms' },
  });
});

test('an instance answered in time is never escalated', async () => {
  const id = await startInstance(t, await publishGraph(t, request({ '*': { after: '20s', actions: [{ type: 'cancel' }] } })));
  await until(async () => (await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' })).status === 200);
  const done = await waitForInstance(t, id);
  expect(done.status).toBe('completed');
});

test('a cancel rule ends the instance as cancelled with STATE_TIMEOUT', async () => {
  const id = await startInstance(t, await publishGraph(t, request({ '*': { after: '300ms', actions: [{ type: 'cancel', message: 'nobody reviewed it' }] } })));
  const done = await waitForInstance(t, id);
  expect(done.status).toBe('cancelled');
  expect(done.error).toMatchObject({ code: 'STATE_TIMEOUT', nodeId: 'review', message: 'nobody reviewed it' });
  const late = await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' });
  expect(late.status).toBe(409);
  expect(late.body.code).toBe('INSTANCE_NOT_RUNNING');
});

test('a notify rule posts to a webhook, then a later rule escalates', async () => {
  const pingOps = {
    id: 'pingOps',
    type: 'NOTIFICATION',
    properties: {
      channels: ['webhook'],
      subject: 'stuck in {{stateTimeout.nodeId}}',
      message: '{{stateTimeout.message}} ({{execution.id}})',
      webhookUrl: `${svc.url}/hooks/ops`,
      data: { after: '${stateTimeout.after}' },
      retry: { maxAttempts: 1 },
    },
  };
  const graph = request(
    {
      review: {
        after: '300ms',
        actions: [
          { type: 'notify', target: 'pingOps', message: 'still waiting for a reviewer' },
          { type: 'escalate', delay: '500ms' },
        ],
      },
    },
    [pingOps],
  );
  const id = await startInstance(t, await publishGraph(t, graph));
  await until(async () => svc.requests.length > 0);
  expect(svc.requests[0]?.url).toBe('/hooks/ops');
  expect(JSON.parse(svc.requests[0]!.body)).toMatchObject({
    subject: 'stuck in review',
    message: `still waiting for a reviewer (${id})`,
    data: { after: '300ms' },
    nodeId: 'pingOps',
  });
  await until(async () => (await statusOf(id)) === 'escalated');
  await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' });
  expect((await waitForInstance(t, id)).status).toBe('completed');
  expect(svc.requests).toHaveLength(1);
});

test('a WAIT that outlasts its state timeout is escalated and then goes on by itself', async () => {
  const id = await startInstance(
    t,
    await publishGraph(t, {
      name: 'cooling',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'cool', type: 'WAIT', properties: { duration: '3s' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'cool' },
        { source: 'cool', target: 'end' },
      ],
      settings: { stateTimeouts: { cool: { after: '300ms', actions: [{ type: 'escalate' }] } } },
    }),
  );
  await until(async () => (await statusOf(id)) === 'escalated');
  expect((await waitForInstance(t, id)).status).toBe('completed');
});

test('state timeouts name waiting nodes, NOTIFICATION targets and valid durations', async () => {
  const graph = request(
    {
      start: { after: '1s', actions: [{ type: 'escalate' }] },
      review: { after: 'soon', actions: [{ type: 'notify', target: 'approved' }] },
      ghost: { after: '1s', actions: [{ type: 'notify' }] },
    },
    [],
  );
  const res = await t.api('POST', '/api/v1/workflows', graph);
  expect(res.status).toBe(422);
  const paths = res.body.errors.map((i: { path: string }) => i.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/settings/stateTimeouts/start',
      '/settings/stateTimeouts/review/after',
      '/settings/stateTimeouts/review/actions/0/target',
      '/settings/stateTimeouts/ghost',
      '/settings/stateTimeouts/ghost/actions/0/target',
    ]),
  );
});
