/**
 * Operators acting on running instances over the API, on the real Temporal dev server:
 * suspend/resume, advance (state machines), changing data while waiting, retrying failures,
 * the dead-letter list and the timeline.
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

const start = async (graph: unknown, input: unknown = {}) => startInstance(t, await publishGraph(t, graph), input);

async function statusOf(id: string): Promise<any> {
  return (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const holdThenEnd = (duration: string) => ({
  name: 'hold',
  variables: { label: { type: 'string', value: 'original' } },
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'hold', type: 'WAIT', properties: { duration } },
    { id: 'after', type: 'DATA_TRANSFORMATION', properties: { assign: { seen: 'vars.label' } } },
    { id: 'end', type: 'END', properties: { output: { label: 'vars.label', seen: 'vars.seen' } } },
  ],
  edges: [
    { source: 'start', target: 'hold' },
    { source: 'hold', target: 'after' },
    { source: 'after', target: 'end' },
  ],
});

test('a suspended instance starts no new node until resumed; the timeline shows both', async () => {
  const id = await start(holdThenEnd('500ms'));
  await until(async () => (await statusOf(id)).status === 'waiting');
  const suspended = await t.api('POST', `/api/v1/workflow-instances/${id}/suspend`, { reason: 'line stop' });
  expect(suspended.status).toBe(200);
  expect(suspended.body).toEqual({ status: 'suspended' });
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/suspend`, {})).body.code).toBe('INVALID_TRANSITION');

  // The timer fires meanwhile, but the next node must not start.
  await new Promise((r) => setTimeout(r, 1500));
  expect((await statusOf(id)).status).toBe('suspended');
  const trace = (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes;
  expect(trace.map((n: any) => n.nodeId)).toEqual(['start', 'hold']);

  const resumed = await t.api('POST', `/api/v1/workflow-instances/${id}/resume`, {});
  expect(resumed.body).toEqual({ status: 'running' });
  const done = await waitForInstance(t, id);
  expect(done.output).toEqual({ label: 'original', seen: 'original' });
  const again = await t.api('POST', `/api/v1/workflow-instances/${id}/resume`, {});
  expect(again.status).toBe(409);
  expect(again.body.code).toBe('INSTANCE_NOT_RUNNING');

  // The completion event is written just after the result is stored, so it may lag a moment.
  let kinds: string[] = [];
  await until(async () => {
    const timeline = (await t.api('GET', `/api/v1/workflow-instances/${id}/timeline`)).body.events;
    kinds = timeline.map((e: any) => (e.name ? `${e.type}:${e.name}` : e.nodeId ? `${e.type}:${e.nodeId}` : e.type));
    return kinds.includes('execution.completed');
  });
  const order = ['execution.started', 'update:suspend', 'update:resume', 'node.started:after', 'execution.completed'].map((k) => kinds.indexOf(k));
  expect(order.every((i: number) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});

test('instance data changes while it waits, with declared types enforced', async () => {
  const id = await start(holdThenEnd('2s'));
  await until(async () => (await statusOf(id)).status === 'waiting');
  const wrongType = await t.api('PUT', `/api/v1/workflow-instances/${id}`, { variables: { label: 42 } });
  expect(wrongType.status).toBe(422);
  expect(wrongType.body.code).toBe('INVALID_VARIABLE_TYPE');
  const changed = await t.api('PUT', `/api/v1/workflow-instances/${id}`, { variables: { label: 'changed', extra: [1, 2] } });
  expect(changed.status).toBe(200);
  expect(changed.body.variables).toMatchObject({ label: 'changed', extra: [1, 2] });
  const done = await waitForInstance(t, id);
  expect(done.output).toEqual({ label: 'changed', seen: 'changed' });
  const late = await t.api('PUT', `/api/v1/workflow-instances/${id}`, { variables: { label: 'late' } });
  expect(late.body.code).toBe('INSTANCE_NOT_RUNNING');
});

test('advance drives a state machine along triggered edges; wrong triggers are refused and change nothing', async () => {
  const id = await start({
    name: 'purchase-request',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'draft', type: 'DATA_TRANSFORMATION', properties: { assign: { state: '"draft"' } } },
      { id: 'review', type: 'DATA_TRANSFORMATION', properties: { assign: { state: '"in_review"' } } },
      { id: 'approved', type: 'END', properties: { output: { state: '"approved"' } } },
      { id: 'escalated', type: 'END', properties: { output: { state: '"escalated"' } } },
      { id: 'rejected', type: 'END', properties: { output: { state: '"rejected"' } } },
    ],
    edges: [
      { source: 'start', target: 'draft' },
      { source: 'draft', target: 'review', trigger: 'submit' },
      { source: 'review', target: 'escalated', trigger: 'approve', condition: 'event.data.amount >= 10000', priority: 1 },
      { source: 'review', target: 'approved', trigger: 'approve' },
      { source: 'review', target: 'rejected', trigger: 'reject' },
    ],
  });
  await until(async () => (await statusOf(id)).status === 'waiting');
  const early = await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' });
  expect(early.status).toBe(409);
  expect(early.body.code).toBe('INVALID_TRANSITION');

  // A signal the instance is not waiting for is recorded and ignored.
  await t.temporal.workflow.getHandle(id).signal('advance', { trigger: 'reject' });
  const submitted = await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'submit' });
  expect(submitted.body).toEqual({ accepted: true, trigger: 'submit' });
  await until(async () => {
    const s = await t.temporal.workflow.getHandle(id).query<any>('status');
    return s.awaitingTriggers.includes('approve');
  });
  const status = await t.temporal.workflow.getHandle(id).query<any>('status');
  expect(status.refusedEvents.map((e: any) => e.trigger)).toEqual(['reject']);
  expect((await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes.at(-1).output).toEqual({ state: 'in_review' });

  await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve', data: { amount: 250 } });
  expect((await waitForInstance(t, id)).output).toEqual({ state: 'approved' });
});

test('every accepted action has one audit record, written by the workflow, whoever sent it; a refused one has none', async () => {
  const id = await start({
    name: 'audited-operations',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'draft', type: 'DATA_TRANSFORMATION', properties: { assign: { state: '"draft"' } } },
      { id: 'review', type: 'DATA_TRANSFORMATION', properties: { assign: { state: '"in_review"' } } },
      { id: 'done', type: 'END', properties: { output: { state: 'vars.state' } } },
    ],
    edges: [
      { source: 'start', target: 'draft' },
      { source: 'draft', target: 'review', trigger: 'submit' },
      { source: 'review', target: 'done', trigger: 'approve' },
    ],
  });
  const handle = t.temporal.workflow.getHandle(id);
  const operations = async () =>
    ((await t.api('GET', `/api/v1/audit?resourceType=execution&resourceId=${id}&limit=100`)).body.items as any[])
      .filter((e) => ['execution.suspended', 'execution.resumed', 'execution.advanced', 'execution.data_updated'].includes(e.action))
      .sort((a, b) => a.seq - b.seq)
      .map((e) => `${e.action} by ${e.actor}${e.details?.via ? ` via ${e.details.via}` : ''}`);
  await until(async () => (await statusOf(id)).status === 'waiting');

  // Refused: by the API (not waiting for approve, not suspended) and by a bare signal (recorded in the status only).
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' })).status).toBe(409);
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/resume`, {})).status).toBe(409);
  await handle.signal('advance', { trigger: 'approve' });
  await until(async () => (await handle.query<any>('status')).refusedEvents.length === 1);
  expect(await operations()).toEqual([]);

  // Through the API: one record each, with the request's context.
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/suspend`, { reason: 'check' })).status).toBe(200);
  expect((await t.api('PUT', `/api/v1/workflow-instances/${id}`, { variables: { note: 'x' } })).status).toBe(200);
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/resume`, {})).status).toBe(200);
  // Straight to Temporal, as the temporal CLI would: an update and a signal without a sender.
  await handle.executeUpdate('suspend', { args: [{ reason: 'from the CLI' }] });
  await handle.executeUpdate('resume');
  await handle.signal('advance', { trigger: 'submit' });
  await until(async () => (await handle.query<any>('status')).awaitingTriggers.includes('approve'));
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' })).status).toBe(200);
  expect((await waitForInstance(t, id)).output).toEqual({ state: 'in_review' });

  expect(await operations()).toEqual([
    'execution.suspended by admin-user',
    'execution.data_updated by admin-user',
    'execution.resumed by admin-user',
    'execution.suspended by temporal',
    'execution.resumed by temporal',
    'execution.advanced by temporal via signal',
    'execution.advanced by admin-user',
  ]);
  const suspended = (await t.api('GET', `/api/v1/audit?resourceType=execution&resourceId=${id}&eventTypes=execution.suspended`)).body.items;
  expect(suspended.find((e: any) => e.actor === 'admin-user')).toMatchObject({ details: { reason: 'check' }, before: { status: 'waiting' } });
  expect(suspended.find((e: any) => e.actor === 'temporal')?.details.reason).toBe('from the CLI');
});

test('a failed execution is in the dead-letter list and retries from the failed node with its state', async () => {
  let healthy = false;
  svc.handle((_req, res) => (healthy ? json(res, 200, { booked: true }) : json(res, 500, { error: 'down' })));
  const graph = {
    name: 'retry-me',
    variables: { runs: { type: 'number', value: 0 } },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'count', type: 'DATA_TRANSFORMATION', properties: { assign: { runs: 'vars.runs + 1', ref: 'input.ref' } } },
      { id: 'book', type: 'API_CALL', properties: { url: `${svc.url}/book`, retry: { maxAttempts: 1 } } },
      { id: 'end', type: 'END', properties: { output: { runs: 'vars.runs', ref: 'vars.ref', booked: 'nodes.book.output.body.booked' } } },
    ],
    edges: [
      { source: 'start', target: 'count' },
      { source: 'count', target: 'book' },
      { source: 'book', target: 'end' },
    ],
  };
  const id = await start(graph, { ref: 'R-1' });
  const failed = await waitForInstance(t, id);
  expect(failed.status).toBe('failed');
  const deadLetters = await t.api('GET', '/api/v1/workflow-instances?status=failed');
  expect(deadLetters.body.items.map((i: any) => i.id)).toContain(id);

  healthy = true;
  const fromFailed = await t.api('POST', `/api/v1/workflow-instances/${id}/retry`, { from: 'failed' });
  expect(fromFailed.body.retryOf).toBe(id);
  const resumed = await waitForInstance(t, fromFailed.body.id);
  // `count` did not run again: runs is still 1, and the input-derived variable survived.
  expect(resumed.output).toEqual({ runs: 1, ref: 'R-1', booked: true });
  const resumedTrace = (await t.api('GET', `/api/v1/workflow-instances/${fromFailed.body.id}/history`)).body.nodes;
  expect(resumedTrace.map((n: any) => n.nodeId)).toEqual(['book', 'end']);

  const fromStart = await t.api('POST', `/api/v1/workflow-instances/${id}/retry`, { from: 'start' });
  expect((await waitForInstance(t, fromStart.body.id)).output).toEqual({ runs: 1, ref: 'R-1', booked: true });
  const notFailed = await t.api('POST', `/api/v1/workflow-instances/${fromStart.body.id}/retry`, {});
  expect(notFailed.status).toBe(409);
  expect(notFailed.body.code).toBe('INSTANCE_NOT_FAILED');
});
