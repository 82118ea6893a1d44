/**
 * The production shape under faults (`npm run test:cluster`; it needs the Temporal server built
 * from the Go module proxy, so it is not part of `npm test`): a real Temporal server on
 * PostgreSQL, two Weft workers and two API processes. While executions with side effects run,
 * a worker is killed with SIGKILL and restarted, the Temporal server is killed and restarted, and
 * every session of Weft's database is ended for a few seconds. Every execution must complete
 * with the right output, each side effect must reach the peer under one idempotency key and be
 * applied once, and the API must answer 503 with Retry-After, never 500, while a dependency is away.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { signToken } from '../../src/auth/tokens';
import { TemporalClusterSetup } from '../../src/temporal/cluster-setup';
import { ADMIN_DATABASE_URL, createFreshDatabaseUrl, type FreshDatabase } from '../integration/db/fresh-database';
import { startFakeService, type FakeService } from '../support/fake-service';
import { callApi, type ApiResponse, type WeftApi } from '../support/harness';
import { testBundlePath } from '../support/paths';
import { portIsFree } from '../support/ports';
import { spawnWeftProcess } from '../support/worker-process';

jest.setTimeout(600_000);

const EXECUTIONS = 60;
const progress = (msg: string) => process.stderr.write(`faults ${new Date().toISOString()} ${msg}\n`);

let fresh: FreshDatabase;
let dir: string;
let temporal: TemporalClusterSetup;
let temporalDatabases: { main: string; visibility: string } | undefined;
let peer: FakeService;
let env: NodeJS.ProcessEnv;
const workers: ChildProcess[] = [];
const apiProcesses: ChildProcess[] = [];
const apis: WeftApi[] = [];
const statuses: number[] = [];
const unexplained: ApiResponse[] = [];

async function freePortRange(span: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all([0, 1, 2, 6, 10, 100, 101, 102, 106, 703, 767].filter((o) => o <= span).map((o) => portIsFree(base + o)));
    if (free.every(Boolean)) return base;
  }
}

async function startWorker(): Promise<ChildProcess> {
  return (await spawnWeftProcess('worker.ts', /worker running/, env)).child;
}

/** Calls an API process, retrying while a dependency is away (503), and keeps every status seen. */
async function call(i: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse> {
  for (;;) {
    const res = await apis[i % apis.length]!.api(method, path, body, { headers });
    statuses.push(res.status);
    if (res.status === 503) {
      if (!res.headers.get('retry-after')) unexplained.push(res);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (res.status >= 500) unexplained.push(res);
    return res;
  }
}

beforeAll(async () => {
  fresh = await createFreshDatabaseUrl('weft_cluster');
  dir = mkdtempSync(join(tmpdir(), 'weft-cluster-'));
  const suffix = randomBytes(4).toString('hex');
  temporal = new TemporalClusterSetup({
    databaseUrl: fresh.url,
    dir,
    frontendPort: await freePortRange(767),
    namespace: 'default',
    databases: (temporalDatabases = { main: `temporal_t_${suffix}`, visibility: `temporal_tv_${suffix}` }),
    log: () => undefined,
  });
  await temporal.prepare();
  const address = await temporal.start();
  peer = await startFakeService();
  const applied = new Set<string>();
  peer.handle((req, res) => {
    const key = String(req.headers['idempotency-key']);
    const fresh = !applied.has(key);
    applied.add(key);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, applied: fresh }));
  });
  const jwtSecret = randomBytes(32).toString('hex');
  env = {
    TEMPORAL_ADDRESS: address,
    DATABASE_URL: fresh.url,
    WEFT_JWT_SECRET: jwtSecret,
    WEFT_SECRETS_KEY: randomBytes(32).toString('hex'),
    WEFT_WORKFLOW_BUNDLE: testBundlePath(),
    WEFT_HTTP_ALLOWED_HOSTS: peer.host,
    // Info: the processes announce themselves ("worker running", "api listening") at that level.
    LOG_LEVEL: 'info',
  };
  for (let i = 0; i < 2; i++) workers.push(await startWorker());
  const token = signToken(jwtSecret, { sub: 'admin-user', roles: ['admin'] });
  for (let i = 0; i < 2; i++) {
    const started = await spawnWeftProcess('server.ts', /"url":"(http:\/\/[^"]+)"/, { ...env, PORT: '0' });
    apiProcesses.push(started.child);
    const url = started.match[1] as string;
    apis.push({ api: (method, path, body, o = {}) => callApi(url, token, method, path, body, o.headers) });
  }
}, 600_000);

afterAll(async () => {
  for (const child of [...apiProcesses, ...workers]) if (child.exitCode === null) child.kill('SIGKILL');
  await temporal?.stop();
  await peer?.close();
  await fresh?.drop();
  // Temporal's databases of this run.
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  for (const name of Object.values(temporalDatabases ?? {})) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

test('a worker killed, the Temporal server killed and the database cut: every execution completes right, each side effect applied once, never a 500', async () => {
  const created = await call(0, 'POST', '/api/v1/workflows', {
    name: 'faults',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'charge', type: 'API_CALL', properties: { method: 'POST', url: `${peer.url}/charge/\${input.n}`, retry: { maxAttempts: 50, strategy: 'FIXED', initialIntervalMs: 500 } } },
      { id: 'pause', type: 'WAIT', properties: { duration: '2s' } },
      { id: 'ship', type: 'API_CALL', properties: { method: 'POST', url: `${peer.url}/ship/\${input.n}`, retry: { maxAttempts: 50, strategy: 'FIXED', initialIntervalMs: 500 } } },
      { id: 'end', type: 'END', properties: { output: { n: 'input.n', charged: 'nodes.charge.output.body.path', shipped: 'nodes.ship.output.body.path' } } },
    ],
    edges: [
      { source: 'start', target: 'charge' },
      { source: 'charge', target: 'pause' },
      { source: 'pause', target: 'ship' },
      { source: 'ship', target: 'end' },
    ],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call(1, 'POST', `/api/v1/workflows/${id}/publish`, {})).status).toBe(200);

  const ids: string[] = [];
  const startBatch = async (from: number, to: number) => {
    for (let n = from; n < to; n++) {
      // An Idempotency-Key, so a start retried after a 503 is the same execution.
      const res = await call(n, 'POST', `/api/v1/workflows/${id}/instances`, { input: { n } }, { 'idempotency-key': `fault-${n}` });
      expect(res.status).toBe(202);
      ids[n] = res.body.id as string;
    }
  };

  await startBatch(0, EXECUTIONS / 3);
  progress('phase: first third started');
  // 1. A worker dies mid-flight and comes back.
  workers[0]!.kill('SIGKILL');
  await startBatch(EXECUTIONS / 3, (2 * EXECUTIONS) / 3);
  workers[0] = await startWorker();
  progress('phase: worker restarted');

  // 2. The Temporal server dies and comes back.
  await temporal.crash();
  const whileDown = await apis[0]!.api('GET', `/api/v1/workflow-instances/${ids[0]}`);
  statuses.push(whileDown.status);
  await temporal.start();
  progress('phase: temporal restarted');
  await startBatch((2 * EXECUTIONS) / 3, EXECUTIONS);

  // 3. Every session of Weft's database is ended, again and again, for 4 s, while clients call.
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  const dbName = new URL(fresh.url).pathname.slice(1);
  const until = Date.now() + 4_000;
  let cut = 0;
  const cutting = (async () => {
    while (Date.now() < until) {
      const [row] = await admin`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
      cut += row?.n ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  let i = 0;
  while (Date.now() < until) await call(i++, 'GET', `/api/v1/workflow-instances/${ids[i % EXECUTIONS]}`);
  await cutting;
  progress('phase: cuts done');
  await admin.end();
  expect(cut).toBeGreaterThan(0);

  // Every execution completes with its own output, read through either API process.
  const deadline = Date.now() + 240_000;
  for (let n = 0; n < EXECUTIONS; n++) {
    let inst: ApiResponse;
    for (;;) {
      inst = await call(n, 'GET', `/api/v1/workflow-instances/${ids[n]}`);
      if (['completed', 'failed', 'cancelled'].includes(inst.body?.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(inst.body).toMatchObject({ status: 'completed', output: { n, charged: `/charge/${n}`, shipped: `/ship/${n}` } });
  }

  // Each side effect reached the peer under one key per execution and node; a crash may deliver
  // a request twice, and the key is what lets the peer apply it once.
  const keys = new Map<string, string[]>();
  for (const r of peer.requests) keys.set(String(r.headers['idempotency-key']), [...(keys.get(String(r.headers['idempotency-key'])) ?? []), r.url]);
  expect(keys.size).toBe(2 * EXECUTIONS);
  for (const urls of keys.values()) expect(new Set(urls).size).toBe(1);

  expect(unexplained.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
  expect(statuses.filter((s) => s === 500)).toEqual([]);
  console.log(
    `faults: ${EXECUTIONS} executions completed; ${peer.requests.length} requests for ${keys.size} side effects; ` +
      `${cut} database sessions cut; ${statuses.filter((s) => s === 503).length} of ${statuses.length} API answers were 503`,
  );
});
