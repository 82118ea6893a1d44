/**
 * Approvals at scale: N graph instances (default 10,000) wait at an APPROVAL node at once on one
 * worker process and the dev server; the worker's memory is sampled while they wait; then every
 * one is approved through the API (`POST /workflow-instances/{id}/approve`, `concurrency`
 * requests in flight): decisions per second and time until every instance completed.
 *
 * Needs PostgreSQL (the worker is its own process, like production): DATABASE_URL names an
 * admin connection; a fresh database is created and dropped.
 * Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/approvals.ts [N] [concurrency]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { signToken } from '../src/auth/tokens';
import { loadSettings } from '../src/config/settings';
import { executeRows } from '../src/db';
import { createLogger } from '../src/logger';
import { startWeft } from '../src/runtime';
import { startDevServer } from '../src/temporal/dev-server';
import { defaultMaxCachedWorkflows } from '../src/temporal/worker';
import { createFreshDatabaseUrl } from '../test/integration/db/fresh-database';
import { spawnWorker } from '../test/support/worker-process';

const N = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
// Each instance is two workflows (the graph and its approval); unset = the worker's default cache.
const MAX_CACHED = process.env.WEFT_MAX_CACHED_WORKFLOWS;
const BACKLOG = 8 * CONCURRENCY;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

async function main() {
  const server = await startDevServer();
  const fresh = await createFreshDatabaseUrl('weft_bench');
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const settings = loadSettings({
    PORT: '0',
    TEMPORAL_ADDRESS: server.address,
    WEFT_TASK_QUEUE: taskQueue,
    WEFT_DATA_DIR: dataDir,
    DATABASE_URL: fresh.url,
    LOG_LEVEL: 'silent',
  });
  const weft = await startWeft(settings, { api: true, worker: false, log: createLogger('silent') });
  const worker = await spawnWorker(
    {
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: fresh.url,
      WEFT_TASK_QUEUE: taskQueue,
      ...(MAX_CACHED ? { WEFT_MAX_CACHED_WORKFLOWS: MAX_CACHED } : {}),
    },
    ['--expose-gc'],
  );
  const pid = worker.pid as number;
  const admin = signToken(weft.jwtSecret, { sub: 'admin-user', roles: ['admin'] });
  const boss = signToken(weft.jwtSecret, { sub: 'boss', roles: ['approver'] });
  const api = async (method: string, path: string, body: unknown, token = admin) => {
    const res = await fetch(`${weft.apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const db = weft.database.db;
  const count = async (q: ReturnType<typeof sql>) => Number((await executeRows<{ n: string }>(db, q))[0]?.n ?? 0);

  try {
    await api('POST', '/users', { id: 'boss', name: 'Boss', roles: ['approver'] });
    const created = await api('POST', '/workflows', {
      name: 'bench-approval',
      nodes: [
        { id: 'start', type: 'START' },
        {
          id: 'gate',
          type: 'APPROVAL',
          properties: { title: 'Bench ${input.i}', chain: { steps: [{ id: 's', approvers: [{ type: 'user', identifier: 'boss' }] }] } },
        },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'gate' },
        { source: 'gate', sourcePort: 'approved', target: 'end' },
      ],
    });
    await api('POST', `/workflows/${created.body.id}/publish`, {});
    const rssIdle = rssMb(pid);

    const ids: string[] = [];
    const t0 = performance.now();
    await pool(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        // Paced: at most BACKLOG instances started but not yet waiting, so the figure is the
        // steady rate of the worker and server rather than a start storm that thrashes the cache.
        while (ids.length - (await count(sql`select count(*) as n from approval_requests`)) > BACKLOG) {
          await new Promise((r) => setTimeout(r, 250));
        }
        const r = await api('POST', `/workflows/${created.body.id}/instances`, { input: { i } });
        if (r.status !== 202) throw new Error(`start ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        ids.push(r.body.id);
        if (ids.length % 1000 === 0) {
          console.log(`  ${ids.length} started after ${((performance.now() - t0) / 1000).toFixed(0)} s, worker RSS ${rssMb(pid).toFixed(0)} MB`);
        }
      },
    );
    const startMs = performance.now() - t0;
    let peak = 0;
    for (;;) {
      const open = await count(sql`select count(*) as n from approval_requests where status = 'pending' and current_step = 0`);
      peak = Math.max(peak, rssMb(pid));
      if (open >= N) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const waitingMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5000));
    const rssWaiting = rssMb(pid);

    const t1 = performance.now();
    let refused = 0;
    await pool(ids, CONCURRENCY, async (id) => {
      const r = await api('POST', `/workflow-instances/${id}/approve`, {}, boss);
      if (r.status !== 200) refused++;
    });
    const decideMs = performance.now() - t1;
    for (;;) {
      const done = await count(sql`select count(*) as n from executions where status = 'completed'`);
      peak = Math.max(peak, rssMb(pid));
      if (done >= N) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const allDoneMs = performance.now() - t1;

    console.log(
      `approvals bench: ${N} instances waiting at an APPROVAL node, 1 worker process (caching ${MAX_CACHED ?? `${defaultMaxCachedWorkflows()} (the default for this heap)`} workflows), dev server, PostgreSQL, ${CONCURRENCY} API requests in flight`,
    );
    console.log(`  started ${N} instances in ${(startMs / 1000).toFixed(1)} s; all ${N} approvals open after ${(waitingMs / 1000).toFixed(1)} s`);
    console.log(
      `  worker RSS: idle ${rssIdle.toFixed(0)} MB, ${N} waiting ${rssWaiting.toFixed(0)} MB (${(rssWaiting / rssIdle).toFixed(2)}x idle), peak ${peak.toFixed(0)} MB`,
    );
    console.log(`  decisions: ${N - refused} accepted, ${refused} refused, ${((N / decideMs) * 1000).toFixed(1)} decisions/s through the API`);
    console.log(`  all ${N} instances completed ${(allDoneMs / 1000).toFixed(1)} s after the first decision`);
  } finally {
    worker.kill('SIGTERM');
    await weft.stop();
    await fresh.drop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
