/**
 * PostgreSQL going away for a while (a failover, a pooler restart, an idle timeout: every session
 * of Weft's database ended by the server) never takes a Weft process down. One real `npm start`
 * process (`src/main.ts`: API and worker together, against PostgreSQL and the test Temporal
 * server) runs executions whose nodes write to the database while a separate admin connection
 * ends all of that database's sessions in a loop for several seconds and clients keep calling
 * the API. The process must stay up, the API answer 503 with Retry-After (never 500) while the
 * database is unreachable, reconnect by itself, and every execution finish with the right output.
 *
 * This reproduces the defect of postgres.js 3.4.9 (porsager/postgres#1066, #1154, #1208): a write
 * deferred with setImmediate fired after the socket was closed and threw an uncaught
 * `TypeError: Cannot read properties of null (reading 'write')` that killed the process. Weft
 * carries the guard as `patches/postgres+3.4.9.patch`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { signToken } from '../../src/auth/tokens';
import { ADMIN_DATABASE_URL, createFreshDatabaseUrl, type FreshDatabase } from './db/fresh-database';
import { callApi, publishGraph, testTemporalAddress, waitForInstance, type ApiResponse, type WeftApi } from '../support/harness';
import { testBundlePath } from '../support/paths';
import { spawnWeftProcess } from '../../src/weft-process';

const CUT_FOR_MS = 6_000;
const STARTED_BEFORE = 12;

let fresh: FreshDatabase;
let dataDir: string;
let child: ChildProcess | undefined;
let output = '';
let weft: WeftApi;

beforeAll(async () => {
  fresh = await createFreshDatabaseUrl();
  dataDir = mkdtempSync(join(tmpdir(), 'weft-cut-'));
  const jwtSecret = randomBytes(32).toString('hex');
  const started = await spawnWeftProcess('main.ts', /API:\s+(http:\/\/\S+)\/api\/v1/, {
    PORT: '0',
    TEMPORAL_ADDRESS: testTemporalAddress(),
    DATABASE_URL: fresh.url,
    WEFT_TASK_QUEUE: `test-${randomUUID().slice(0, 8)}`,
    WEFT_DATA_DIR: dataDir,
    WEFT_JWT_SECRET: jwtSecret,
    WEFT_WORKFLOW_BUNDLE: testBundlePath(),
    LOG_LEVEL: 'warn',
  });
  child = started.child;
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = started.match[1] as string;
  const token = signToken(jwtSecret, { sub: 'admin-user', roles: ['admin'] });
  weft = { api: (method, path, body, o = {}) => callApi(url, o.token === undefined ? token : o.token, method, path, body, o.headers) };
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await fresh?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** An EVENT_PUBLISHER (a database write) with retries that outlast the outage: seconds, not for good. */
const publisher = (id: string) => ({
  id,
  type: 'EVENT_PUBLISHER',
  properties: { event: `cut.${id}`, correlationKey: '${input.n}', retry: { maxAttempts: 30, strategy: 'FIXED', initialIntervalMs: 500 } },
});

/** A graph whose nodes write to the database on both sides of two short timers. */
const graph = {
  name: 'survives-session-cuts',
  nodes: [
    { id: 'start', type: 'START' },
    publisher('announce'),
    { id: 'hold', type: 'WAIT', properties: { duration: '1s' } },
    { id: 'double', type: 'DATA_TRANSFORMATION', properties: { assign: { doubled: 'input.n * 2' } } },
    publisher('confirm'),
    { id: 'hold2', type: 'WAIT', properties: { duration: '1s' } },
    { id: 'end', type: 'END', properties: { output: { n: 'input.n', doubled: 'vars.doubled' } } },
  ],
  edges: [
    { source: 'start', target: 'announce' },
    { source: 'announce', target: 'hold' },
    { source: 'hold', target: 'double' },
    { source: 'double', target: 'confirm' },
    { source: 'confirm', target: 'hold2' },
    { source: 'hold2', target: 'end' },
  ],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

test('ending every session of its database in a loop under load: the process stays up, the API answers 503 with Retry-After (never 500), reconnects by itself, every execution finishes right', async () => {
  const definitionId = await publishGraph(weft, graph);
  const responses: Array<{ what: string; res: ApiResponse }> = [];
  const refused: string[] = [];
  /** One API call, kept for the assertions; a call the process did not answer is kept as status 0. */
  const call = async (what: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    let res: ApiResponse;
    try {
      res = await weft.api(method, path, body, { headers });
    } catch (err) {
      refused.push(`${what}: ${(err as Error).message}`);
      res = { status: 0, headers: new Headers(), body: undefined };
    }
    responses.push({ what, res });
    return res;
  };

  /**
   * Starts execution `n` the way a careful client does: with an Idempotency-Key, and again after
   * the Retry-After of a 503 (or anything else but 202, which the assertions below catch), until
   * it is accepted or the process is gone.
   */
  const startExecution = async (n: number): Promise<string | undefined> => {
    const deadline = Date.now() + CUT_FOR_MS + 30_000;
    while (alive() && Date.now() < deadline) {
      const res = await call('start', 'POST', `/api/v1/workflows/${definitionId}/instances`, { input: { n } }, { 'Idempotency-Key': `cut-${n}` });
      if (res.status === 202) return res.body.id as string;
      await sleep(Math.min(Number(res.headers.get('retry-after') ?? '1') * 1000, 1000));
    }
    return undefined;
  };

  const executions = new Map<number, string | undefined>();
  for (let n = 1; n <= STARTED_BEFORE; n++) executions.set(n, await startExecution(n));

  // The outage: an admin session on another database ends every session of Weft's, again and again.
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  let sessionsCut = 0;
  let rounds = 0;
  const cutUntil = Date.now() + CUT_FOR_MS;
  const cutter = (async () => {
    while (Date.now() < cutUntil && alive()) {
      const [row] = await admin<{ cut: number }[]>`
        select count(*) filter (where pg_terminate_backend(pid))::int as cut
        from pg_stat_activity where datname = ${fresh.name} and pid <> pg_backend_pid()`;
      sessionsCut += row?.cut ?? 0;
      rounds++;
      await sleep(20 + Math.floor(Math.random() * 60));
    }
  })();

  // Meanwhile clients read and start executions (each new start retried after its 503s).
  let nextN = STARTED_BEFORE + 1;
  const client = async (k: number) => {
    while (Date.now() < cutUntil && alive()) {
      const id = executions.get(1 + (rounds % STARTED_BEFORE)) ?? 'none';
      const reads: Array<[string, string]> = [
        ['definition', `/api/v1/workflows/${definitionId}`],
        ['instance', `/api/v1/workflow-instances/${id}`],
        ['instances', `/api/v1/workflows/${definitionId}/instances`],
        ['events', '/api/v1/events?name=cut.announce'],
        ['ready', '/ready'],
      ];
      const [what, path] = reads[(rounds + k) % reads.length] as [string, string];
      await call(what, 'GET', path);
      if (k === 0) {
        const n = nextN++;
        executions.set(n, await startExecution(n));
      }
    }
  };
  await Promise.all([cutter, client(0), client(1), client(2)]).finally(() => admin.end({ timeout: 5 }));

  // The process lived through it.
  expect({ alive: alive(), exit: child?.exitCode, signal: child?.signalCode, output: alive() ? '' : output.slice(-4000) }).toEqual({
    alive: true,
    exit: null,
    signal: null,
    output: '',
  });
  expect(refused).toEqual([]);
  expect(sessionsCut).toBeGreaterThan(20);

  // No 500 (nor anything but 200/202 and 503); every 503 is problem+json with Retry-After.
  const unexpected = responses
    .filter(({ res }) => ![200, 202, 503].includes(res.status))
    .map(({ what, res }) => ({ what, status: res.status, body: res.body }));
  expect(unexpected).toEqual([]);
  const unavailable = responses.filter(({ res }) => res.status === 503);
  for (const { what, res } of unavailable) {
    expect({ what, retryAfter: Number(res.headers.get('retry-after')) > 0 }).toEqual({ what, retryAfter: true });
    if (what !== 'ready') {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    }
  }

  // It reconnects by itself: no restart, the API answers 200 again.
  const deadline = Date.now() + 15_000;
  while ((await weft.api('GET', `/api/v1/workflows/${definitionId}`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the API never answered 200 again');
    await sleep(200);
  }
  expect((await weft.api('GET', '/ready')).status).toBe(200);

  // Every execution finishes, with the right output, each event published once.
  expect([...executions].filter(([, id]) => id === undefined)).toEqual([]);
  const done = await Promise.all([...executions].map(async ([n, id]) => ({ n, done: await waitForInstance(weft, id as string, 90_000) })));
  expect(done.filter(({ done: d }) => d.status !== 'completed').map(({ n, done: d }) => ({ n, status: d.status, error: d.error }))).toEqual([]);
  for (const { n, done: d } of done) expect(d.output).toEqual({ n, doubled: n * 2 });
  for (const name of ['cut.announce', 'cut.confirm']) {
    const events = await weft.api('GET', `/api/v1/events?name=${name}&limit=200`);
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { correlationKey: string }) => Number(e.correlationKey)).sort((a: number, b: number) => a - b)).toEqual(
      [...executions.keys()].sort((a, b) => a - b),
    );
  }
  expect(alive()).toBe(true);

  // The activities that lost the database were retried by Temporal (the worker did not crash):
  // an attempt after the first records the failure before it, DATABASE_UNAVAILABLE.
  const connection = await Connection.connect({ address: testTemporalAddress() });
  let retriedAfterOutage = 0;
  try {
    const temporal = new Client({ connection });
    for (const id of executions.values()) {
      const history = await temporal.workflow.getHandle(id as string).fetchHistory();
      for (const event of history.events ?? []) {
        const started = event.activityTaskStartedEventAttributes;
        if ((started?.attempt ?? 1) > 1 && started?.lastFailure?.applicationFailureInfo?.type === 'DATABASE_UNAVAILABLE') retriedAfterOutage++;
      }
    }
  } finally {
    await connection.close();
  }
  expect(retriedAfterOutage).toBeGreaterThan(0);

  process.stdout.write(
    `postgres sessions cut: ${sessionsCut} in ${rounds} rounds over ${CUT_FOR_MS} ms; ${responses.length} API responses, ` +
      `${unavailable.length} of them 503; ${done.length} executions completed; ${retriedAfterOutage} activities retried by Temporal after DATABASE_UNAVAILABLE\n`,
  );
}, 240_000);
