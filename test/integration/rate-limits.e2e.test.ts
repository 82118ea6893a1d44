/**
 * Rate limits (issue 17) on real Temporal and PostgreSQL: a user's budget holds across two API
 * processes sharing one database (429 with Retry-After, RateLimit and RateLimit-Policy), and a
 * workflow's maxConcurrentExecutions queues starts in order rather than failing them.
 */
import { loadSettings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';
import { startWeft, type RunningWeft } from '../../src/runtime';
import { callApi, publishGraph, startTestWeft, testTemporalAddress, type TestWeft } from '../support/harness';

const LIMITS = 'executions=4/min';

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
  other = await startWeft(
    loadSettings({
      PORT: '0',
      TEMPORAL_ADDRESS: testTemporalAddress(),
      WEFT_TASK_QUEUE: t.settings.taskQueue,
      WEFT_DATA_DIR: t.settings.dataDir,
      DATABASE_URL: t.databaseUrl as string,
      LOG_LEVEL: 'silent',
      WEFT_RATE_LIMITS: LIMITS,
    }),
    { api: true, worker: false, log: createLogger('silent') },
  );
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
