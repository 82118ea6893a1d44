/**
 * Live execution events (docs/analytics.md#live-execution-events) on real Temporal and
 * PostgreSQL: a client sees an instance's events as they are committed (an operator's suspend
 * arrives while it waits), resumes after a disconnect with Last-Event-ID and gets every node of
 * the run in order, each once; a client connecting after the end gets the whole story; a
 * workflow's stream carries on without losing an event while every PostgreSQL session of Weft's
 * database — the LISTEN connection included — is ended under it.
 */
import postgres from 'postgres';
import { loadSettings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';
import { startWeft } from '../../src/runtime';
import { ADMIN_DATABASE_URL } from './db/fresh-database';
import { nodeHistory, publishGraph, startInstance, startTestWeft, testTemporalAddress, waitForInstance, type TestWeft } from '../support/harness';
import { startLoopbackServer, type LoopbackServer } from '../support/loopback-server';
import { openSse, type SseEvent } from '../support/sse-client';

let t: TestWeft;
let definitionId: string;
/** A peer that holds each request until the test releases its path. */
let peer: LoopbackServer;
const held = new Map<string, () => void>();

const graph = {
  name: 'live-events',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'prep', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'input.n * 2' } } },
    { id: 'hold', type: 'WAIT', properties: { duration: '1s' } },
    { id: 'after', type: 'DATA_TRANSFORMATION', properties: { assign: { m: 'vars.n + 1' } } },
    { id: 'end', type: 'END', properties: { output: { m: 'vars.m' } } },
  ],
  edges: [
    { source: 'start', target: 'prep' },
    { source: 'prep', target: 'hold' },
    { source: 'hold', target: 'after' },
    { source: 'after', target: 'end' },
  ],
};

const stream = (path: string, headers: Record<string, string> = {}) => openSse(`${t.url}/api/v1${path}`, t.token(), headers);

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The node events a run's history implies, in its order: started then completed, per node run. */
async function expectedNodeEvents(id: string): Promise<string[]> {
  return (await nodeHistory(t, id)).flatMap((n) => [`node.started:${n.nodeId}`, `node.${n.status}:${n.nodeId}`]);
}

const nodeEvents = (events: SseEvent[]) => events.filter((e) => e.event.startsWith('node.')).map((e) => `${e.event}:${e.data.nodeId}`);
const position = (id: string | undefined) => (id ?? '').split('-').map(Number) as [number, number];
const strictlyIncreasing = (ids: Array<string | undefined>) =>
  ids.every((id, i) => {
    if (i === 0) return true;
    const [s, k] = position(id);
    const [ps, pk] = position(ids[i - 1]);
    return s > ps || (s === ps && k > pk);
  });

beforeAll(async () => {
  peer = await startLoopbackServer((_req, url, _body, res) => {
    held.set(url.pathname, () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: url.pathname }));
    });
  });
  t = await startTestWeft({ database: 'postgres', allowedHosts: [peer.host] });
  definitionId = await publishGraph(t, graph);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await peer?.close();
});

test('a client sees events as they happen, resumes with Last-Event-ID, and gets every node of the run in order, once', async () => {
  const id = await startInstance(t, definitionId, { n: 20 });
  const first = await stream(`/workflow-instances/${id}/events`);
  expect(first.status).toBe(200);
  await first.waitFor((e) => e.event === 'execution.started');
  await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body.status === 'waiting');
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/suspend`, { reason: 'look' })).status).toBe(200);
  const suspended = await first.waitFor((e) => e.event === 'execution.suspended');
  expect(suspended.data).toMatchObject({ executionId: id, workflowId: definitionId, actor: 'admin-user' });
  first.close();
  const seenBefore = [...first.events];

  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/resume`, {})).status).toBe(200);
  expect((await waitForInstance(t, id)).output).toEqual({ m: 41 });

  const resumed = await stream(`/workflow-instances/${id}/events`, { 'Last-Event-ID': suspended.id as string });
  await resumed.ended; // the stream ends after the execution's final event
  const names = resumed.events.map((e) => e.event);
  // The execution records the resume before it answers it, so before the records of the run's end.
  expect(names).toContain('execution.resumed');
  const done = names.indexOf('execution.completed');
  expect(names.indexOf('execution.resumed')).toBeLessThan(done);
  const expected = await expectedNodeEvents(id);
  // A run's node events come with its end, just before it, in the order the nodes ran.
  expect(nodeEvents(resumed.events.slice(done - expected.length, done))).toEqual(expected);
  expect(nodeEvents(resumed.events)).toEqual(expected);
  expect(nodeEvents(resumed.events).filter((e) => e.startsWith('node.completed'))).toEqual(
    ['start', 'prep', 'hold', 'after', 'end'].map((n) => `node.completed:${n}`),
  );
  const hold = resumed.events.find((e) => e.event === 'node.completed' && e.data.nodeId === 'hold');
  expect(hold?.data.durationMs).toBeGreaterThanOrEqual(1000);
  expect(hold?.data.durationMs).toBe(
    Date.parse(hold?.data.at) - Date.parse(resumed.events.find((e) => e.event === 'node.started' && e.data.nodeId === 'hold')?.data.at),
  );

  const all = [...seenBefore, ...resumed.events];
  expect(strictlyIncreasing(all.map((e) => e.id))).toBe(true);
  expect(new Set(all.map((e) => e.id)).size).toBe(all.length);

  // After the end: the whole story, the same events with the same ids.
  const late = await stream(`/workflow-instances/${id}/events`);
  await late.ended;
  expect(late.events.map((e) => `${e.id} ${e.event}`)).toEqual(all.map((e) => `${e.id} ${e.event}`));
  // A client that had the final event already gets nothing more, and the stream ends.
  const after = await stream(`/workflow-instances/${id}/events`, { 'Last-Event-ID': all[all.length - 1]?.id as string });
  await after.ended;
  expect(after.events).toEqual([]);
});

test("a side-effecting node's start and end arrive while the execution runs, with the control nodes before it, each once", async () => {
  const calls = await publishGraph(t, {
    name: 'live-calls',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'prep', type: 'DATA_TRANSFORMATION', properties: { assign: { n: '1' } } },
      { id: 'first', type: 'API_CALL', properties: { url: `${peer.url}/first` } },
      { id: 'second', type: 'API_CALL', properties: { url: `${peer.url}/second` } },
      { id: 'end', type: 'END', properties: { output: { path: 'nodes.second.output.body.path' } } },
    ],
    edges: [
      { source: 'start', target: 'prep' },
      { source: 'prep', target: 'first' },
      { source: 'first', target: 'second' },
      { source: 'second', target: 'end' },
    ],
  });
  const id = await startInstance(t, calls);
  const live = await stream(`/workflow-instances/${id}/events`);
  expect(live.status).toBe(200);
  // The peer holds `first`: its start, and the control nodes traced before it, are already streamed.
  await live.waitFor((e) => e.event === 'node.started' && e.data.nodeId === 'first');
  await until(async () => held.has('/first'));
  expect(nodeEvents(live.events)).toEqual(['node.started:start', 'node.completed:start', 'node.started:prep', 'node.completed:prep', 'node.started:first']);
  expect(live.events.some((e) => e.event.startsWith('execution.') && e.event !== 'execution.started')).toBe(false);

  held.get('/first')?.();
  const completed = await live.waitFor((e) => e.event === 'node.completed' && e.data.nodeId === 'first');
  await live.waitFor((e) => e.event === 'node.started' && e.data.nodeId === 'second');
  // `second` is held: the execution has not ended, yet `first` ended with its duration.
  await until(async () => held.has('/second'));
  expect((await t.api('GET', `/api/v1/workflow-instances/${id}`)).body.status).toBe('running');
  const firstStarted = live.events.find((e) => e.event === 'node.started' && e.data.nodeId === 'first');
  expect(completed.data.durationMs).toBe(Date.parse(completed.data.at) - Date.parse(firstStarted?.data.at));
  expect(completed.data.durationMs).toBeGreaterThanOrEqual(0);

  held.get('/second')?.();
  await live.ended;
  expect((await waitForInstance(t, id)).output).toEqual({ path: '/second' });
  // The final record announces only what no activity did (END), so every node run is told once, in order.
  expect(nodeEvents(live.events)).toEqual(await expectedNodeEvents(id));
  expect(live.events[live.events.length - 1]?.event).toBe('execution.completed');
  expect(strictlyIncreasing(live.events.map((e) => e.id))).toBe(true);

  const late = await stream(`/workflow-instances/${id}/events`);
  await late.ended;
  expect(late.events.map((e) => `${e.id} ${e.event}`)).toEqual(live.events.map((e) => `${e.id} ${e.event}`));
});

test("a workflow's stream loses nothing while every session of the database, its LISTEN included, is ended", async () => {
  const watch = await stream(`/workflows/${definitionId}/events?heartbeatSeconds=1`);
  expect(watch.status).toBe(200);
  const id = await startInstance(t, definitionId, { n: 1 });
  await watch.waitFor((e) => e.event === 'execution.started' && e.data.executionId === id);

  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  const database = new URL(t.databaseUrl as string).pathname.slice(1);
  try {
    const cut =
      await admin`select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()) s`;
    expect(cut[0]?.n).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }

  await waitForInstance(t, id);
  const done = await watch.waitFor((e) => e.event === 'execution.completed' && e.data.executionId === id);
  const mine = watch.events.filter((e) => e.data.executionId === id);
  expect(nodeEvents(mine)).toEqual(await expectedNodeEvents(id));
  expect(mine[mine.length - 1]).toBe(done);
  expect(strictlyIncreasing(watch.events.map((e) => e.id))).toBe(true);

  // A second run after the cut arrives too: listening resumed.
  const next = await startInstance(t, definitionId, { n: 2 });
  await waitForInstance(t, next);
  await watch.waitFor((e) => e.event === 'execution.completed' && e.data.executionId === next);
  await until(async () => watch.comments.some((c) => c.startsWith('heartbeat')));
  watch.close();
});

test('approval requests and decisions of an APPROVAL node arrive as they are made', async () => {
  expect((await t.api('POST', '/api/v1/users', { id: 'boss', name: 'Boss', roles: ['manager'] })).status).toBe(201);
  const approvals = await publishGraph(t, {
    name: 'live-approval',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'sign',
        type: 'APPROVAL',
        properties: { title: 'Sign off', chain: { steps: [{ id: 'boss', approvers: [{ type: 'role', identifier: 'manager' }] }] } },
      },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'sign' },
      { source: 'sign', sourcePort: 'approved', target: 'end' },
    ],
  });
  const id = await startInstance(t, approvals);
  const live = await stream(`/workflow-instances/${id}/events`);
  const requested = await live.waitFor((e) => e.event === 'approval.requested');
  expect(requested.data).toMatchObject({ executionId: id, workflowId: approvals, nodeId: 'sign', requestId: `${id}:approval:sign:0` });
  await until(async () => (await t.api('GET', '/api/v1/me/approvals', undefined, { token: t.token(['approver'], 'boss') })).body.items.length > 0);
  const decided = await t.api('POST', `/api/v1/workflow-instances/${id}/approve`, { comments: 'go' }, { token: t.token(['approver'], 'boss') });
  expect(decided.status).toBe(200);
  await live.ended;
  const names = live.events.map((e) => e.event);
  expect(names.indexOf('approval.requested')).toBeLessThan(names.indexOf('approval.approve'));
  expect(live.events.find((e) => e.event === 'approval.approve')?.data).toMatchObject({ actor: 'boss', executionId: id });
  expect(nodeEvents(live.events)).toEqual(await expectedNodeEvents(id));
  expect(names).toContain('execution.completed');
});

test('another API process serves the events of executions it neither started nor ran', async () => {
  const other = await startWeft(
    loadSettings({
      PORT: '0',
      TEMPORAL_ADDRESS: testTemporalAddress(),
      WEFT_TASK_QUEUE: t.settings.taskQueue,
      WEFT_DATA_DIR: t.settings.dataDir,
      DATABASE_URL: t.databaseUrl as string,
      LOG_LEVEL: 'silent',
    }),
    { api: true, worker: false, log: createLogger('silent') },
  );
  try {
    const watch = await openSse(`${other.apiUrl as string}/api/v1/workflows/${definitionId}/events`, t.token());
    expect(watch.status).toBe(200);
    const id = await startInstance(t, definitionId, { n: 3 });
    await waitForInstance(t, id);
    await watch.waitFor((e) => e.event === 'execution.completed' && e.data.executionId === id);
    expect(nodeEvents(watch.events)).toEqual(await expectedNodeEvents(id));
    watch.close();
  } finally {
    await other.stop();
  }
});

test('bad positions and unknown resources are refused with problem+json', async () => {
  const bad = await stream(`/workflow-instances/nope/events`, { 'Last-Event-ID': 'yesterday' });
  expect(bad.status).toBe(400);
  expect(bad.problem).toMatchObject({ code: 'INVALID_REQUEST', errors: [expect.objectContaining({ path: '/headers/last-event-id' })] });
  expect((await stream(`/workflow-instances/nope/events`)).problem.code).toBe('INSTANCE_NOT_FOUND');
  expect((await stream(`/workflows/nope/events`)).problem.code).toBe('WORKFLOW_NOT_FOUND');
  const query = await stream(`/workflows/${definitionId}/events?heartbeatSeconds=0`);
  expect(query.problem.errors).toEqual([expect.objectContaining({ path: '/heartbeatSeconds' })]);
});
