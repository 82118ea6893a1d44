/**
 * Rate limits (issue 17) on real Temporal and PostgreSQL: a user's budget holds across two API
 * processes sharing one database (429 with Retry-After, RateLimit and RateLimit-Policy), and a
 * workflow's maxConcurrentExecutions queues starts in order rather than failing them; webhook
 * deliveries have a budget per trigger.
 */
import { signWebhook } from '../../src/domain/webhook-signature';
import type { RunningWeft } from '../../src/runtime';
import { callApi, nodeHistory, publishGraph, startSecondApi, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const LIMITS = 'executions=4/min,webhookDeliveries=2/min';

let t: TestWeft;
let other: RunningWeft;

const startToEnd = {
  name: 'limited',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'end', type: 'END' },
  ],
  edges: [{ source: 'start', target: 'end' }],
};

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres', env: { WEFT_RATE_LIMITS: LIMITS } });
  // A second API process on the same database (and the same data folder, so the same token secret).
  other = await startSecondApi(t, { WEFT_RATE_LIMITS: LIMITS });
});

afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

test('a user’s execution budget holds across two API processes: 429 with Retry-After and RateLimit headers, nothing started', async () => {
  const id = await publishGraph(t, startToEnd);
  const token = t.token(['operator'], 'busy-user');
  const start = (url: string) => callApi(url, token, 'POST', `/api/v1/workflows/${id}/instances`, { input: {} });
  const urls = [t.url, other.apiUrl as string, t.url, other.apiUrl as string];

  const remaining: string[] = [];
  for (const url of urls) {
    const res = await start(url);
    expect(res.status).toBe(202);
    expect(res.headers.get('ratelimit-policy')).toBe('"executions";q=4;w=60');
    remaining.push(res.headers.get('ratelimit')!.split(';')[1]!);
  }
  expect(remaining).toEqual(['r=3', 'r=2', 'r=1', 'r=0']);

  for (const url of urls.slice(0, 2)) {
    const refused = await start(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(refused.body.detail).toMatch(/4 executions per 60 s/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15);
    expect(refused.headers.get('ratelimit')).toMatch(/^"executions";r=0;t=\d+$/);
    expect(refused.headers.get('ratelimit-policy')).toBe('"executions";q=4;w=60');
  }
  const listed = await t.api('GET', `/api/v1/workflows/${id}/instances`);
  expect(listed.body.total).toBe(4);

  // Another user has a budget of their own; reads are not limited.
  expect((await callApi(other.apiUrl as string, t.token(['operator'], 'calm-user'), 'POST', `/api/v1/workflows/${id}/instances`, { input: {} })).status).toBe(
    202,
  );
  expect((await callApi(t.url, token, 'GET', `/api/v1/workflows/${id}/instances`)).status).toBe(200);
});

test('webhook deliveries are counted per trigger across API processes: over the budget 429 with Retry-After, nothing started; forged ones spend nothing', async () => {
  const id = await publishGraph(t, { ...startToEnd, name: 'hooked' });
  const trigger = async () => (await t.api('POST', `/api/v1/workflows/${id}/triggers`, { type: 'webhook' })).body as { id: string; secret: string };
  const [busy, calm] = [await trigger(), await trigger()];
  let n = 0;
  const deliver = (url: string, hook: { id: string; secret: string }, secret = hook.secret) => {
    const body = JSON.stringify({ n: ++n });
    const ts = Math.floor(Date.now() / 1000);
    return fetch(`${url}/api/v1/webhooks/${hook.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(ts), 'x-weft-signature': signWebhook(secret, ts, body) },
      body,
    });
  };

  // A forged delivery is refused for its signature and spends nothing of the budget.
  expect((await deliver(t.url, busy, 'whsec_forged')).status).toBe(401);
  for (const url of [t.url, other.apiUrl as string]) {
    const res = await deliver(url, busy);
    expect(res.status).toBe(202);
    expect(res.headers.get('ratelimit-policy')).toBe('"webhookDeliveries";q=2;w=60');
  }
  const refused = await deliver(other.apiUrl as string, busy);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(((await refused.json()) as any).code).toBe('RATE_LIMITED');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(refused.headers.get('ratelimit')).toMatch(/^"webhookDeliveries";r=0;t=\d+$/);
  // Another trigger has a budget of its own.
  expect((await deliver(t.url, calm)).status).toBe(202);
  await until(async () => (await t.api('GET', `/api/v1/workflows/${id}/instances`)).body.total === 3);
});

describe('per-workflow limits', () => {
  const holdOneSecond = (name: string, settings: Record<string, number>) => ({
    name,
    settings,
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'hold', type: 'WAIT', properties: { duration: '1s' } },
      { id: 'end', type: 'END', properties: { output: { n: 'input.n' } } },
    ],
    edges: [
      { source: 'start', target: 'hold' },
      { source: 'hold', target: 'end' },
    ],
  });
  // Each start by its own user: this file's per-user budget is small.
  const startAs = (user: string, workflowId: string, body: Record<string, unknown>) =>
    callApi(t.url, t.token(['operator'], user), 'POST', `/api/v1/workflows/${workflowId}/instances`, body);

  test('maxConcurrentExecutions 2 with 5 starts: never more than 2 run, the rest wait queued, all 5 finish in start order', async () => {
    const id = await publishGraph(t, holdOneSecond('two-at-a-time', { maxConcurrentExecutions: 2 }));
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await startAs(`starter-${n}`, id, { input: { n } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${ids[4]}`)).body.status === 'queued');

    // A caller that would rather not wait is refused, and nothing starts for it.
    const refused = await startAs('impatient', id, { input: { n: 99 }, onLimit: 'reject' });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('WORKFLOW_LIMIT_REACHED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const done = await Promise.all(ids.map((i) => waitForInstance(t, i, 60_000)));
    expect(done.map((d) => d.status)).toEqual(Array(5).fill('completed'));
    const byCompletion = [...done].sort((a, b) => a.completedAt.localeCompare(b.completedAt) || a.output.n - b.output.n);
    expect(byCompletion.map((d) => d.output.n)).toEqual([0, 1, 2, 3, 4]);

    // Each run, from its first node's start to its last node's end, against the others.
    const spans = await Promise.all(
      ids.map(async (i) => {
        const nodes = await nodeHistory(t, i);
        return { from: Date.parse(nodes[0].startedAt), to: Date.parse(nodes[nodes.length - 1].endedAt) };
      }),
    );
    const edges = spans.flatMap((s) => [
      { at: s.from, step: 1 },
      { at: s.to, step: -1 },
    ]);
    // Ends before starts at the same instant: a slot freed and taken at once is not an overlap.
    edges.sort((a, b) => a.at - b.at || a.step - b.step);
    let running = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (running += e.step));
    expect(most).toBe(2);
    expect((await t.api('GET', `/api/v1/workflows/${id}/instances`)).body.total).toBe(5);
  });

  test('maxStartsPerMinute: a start over it with onLimit "reject" is refused with Retry-After', async () => {
    const id = await publishGraph(t, holdOneSecond('two-a-minute', { maxStartsPerMinute: 2 }));
    expect((await startAs('m-1', id, { input: { n: 1 }, onLimit: 'reject' })).status).toBe(202);
    expect((await startAs('m-2', id, { input: { n: 2 }, onLimit: 'reject' })).status).toBe(202);
    const refused = await startAs('m-3', id, { input: { n: 3 }, onLimit: 'reject' });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('WORKFLOW_LIMIT_REACHED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await t.api('GET', `/api/v1/workflows/${id}/instances`)).body.total).toBe(2);
  });

  test('limits are checked when the definition is written', async () => {
    const bad = await t.api('POST', '/api/v1/workflows', holdOneSecond('bad-limits', { maxConcurrentExecutions: 0 }));
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.path)).toContain('/settings/maxConcurrentExecutions');
  });
});

/**
 * Publishes a workflow that runs one execution at a time, each waiting an hour, and returns a
 * start as a given user (so per-user rate limits stay out of the way).
 */
async function oneAtATime(name: string): Promise<(user: string) => Promise<string>> {
  const id = await publishGraph(t, {
    name,
    settings: { maxConcurrentExecutions: 1 },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'hold', type: 'WAIT', properties: { duration: '1h' } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'hold' },
      { source: 'hold', target: 'end' },
    ],
  });
  return async (user: string) =>
    (await callApi(t.url, t.token(['operator'], user), 'POST', `/api/v1/workflows/${id}/instances`, { input: {} })).body.id as string;
}

test('a slot held by an execution terminated in Temporal (which never released it) is freed for the next in line', async () => {
  const start = await oneAtATime('one-at-a-time');
  const first = await start('holder');
  await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${first}`)).body.status === 'waiting');
  const second = await start('next-in-line');
  await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${second}`)).body.status === 'queued');
  await t.temporal.workflow.getHandle(first).terminate('stopped by hand in the Web UI');
  await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${second}`)).body.status === 'waiting', 45_000);
  await t.temporal.workflow.getHandle(second).terminate('test over');
});

test('an execution cancelled while queued leaves the queue, and a cancelled running one frees its slot', async () => {
  const start = await oneAtATime('one-at-a-time-cancelled');
  const status = async (execution: string) => (await t.api('GET', `/api/v1/workflow-instances/${execution}`)).body.status as string;
  const first = await start('c-1');
  await until(async () => (await status(first)) === 'waiting');
  const second = await start('c-2');
  await until(async () => (await status(second)) === 'queued');
  expect((await t.api('DELETE', `/api/v1/workflow-instances/${second}`)).status).toBe(202);
  expect((await waitForInstance(t, second)).status).toBe('cancelled');

  const third = await start('c-3');
  await until(async () => (await status(third)) === 'queued');
  expect((await t.api('DELETE', `/api/v1/workflow-instances/${first}`)).status).toBe(202);
  await until(async () => (await status(third)) === 'waiting');
  await t.api('DELETE', `/api/v1/workflow-instances/${third}`);
  expect((await waitForInstance(t, third)).status).toBe('cancelled');
});
