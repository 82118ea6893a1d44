/**
 * Approvals at scale: N graph instances (10,000; 500 in quick mode) wait at an APPROVAL node at
 * once on ONE worker process (Weft's own, `src/worker.ts`, as in production) and the dev server;
 * the worker's memory is read while they wait; then every one is approved through the API
 * (`POST /workflow-instances/{id}/approve`, C requests in flight). In the same run, the same load
 * against a hand-written workflow that waits for an `approve` update (bench/workflows.ts), decided
 * with a plain client: the ceiling this machine and dev server allow, which Weft's rates are
 * given as a ratio of.
 *
 * Needs PostgreSQL (the worker is its own process): a fresh database on DATABASE_URL's server
 * (default the local one) is created and dropped.
 * Run: npm run bench -- approvals [--quick] [N] [concurrency]
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { signToken } from '../src/auth/tokens';
import { executeRows } from '../src/db';
import { defaultMaxCachedWorkflows } from '../src/temporal/worker';
import { spawnWorker } from '../test/support/worker-process';
import { benchArgs, benchMode, pool, runBench, saveReport, type Figure } from './support/report';
import { publishDefinition, startWeftWorld } from './support/weft-world';

const mode = benchMode();
const [nArg, concurrencyArg] = benchArgs();
const N = Number(nArg ?? (mode === 'quick' ? 500 : 10_000));
const CONCURRENCY = Number(concurrencyArg ?? 32);
const BACKLOG = 8 * CONCURRENCY;

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase {
  startSeconds: number;
  decisionsPerSecond: number;
  /** From the first decision until the last instance completed. */
  allDoneSeconds: number;
  refused: number;
}

/** Starts N, paced so that at most BACKLOG are started but not yet waiting; then decides them all. */
async function phase(opts: {
  start: (i: number) => Promise<string>;
  waiting: () => Promise<number>;
  decide: (id: string) => Promise<boolean>;
  completed: () => Promise<number>;
  whileWaiting?: () => Promise<void>;
  sample?: () => void;
}): Promise<Phase> {
  const ids: string[] = [];
  const t0 = performance.now();
  let waitingNow = 0;
  await pool(
    Array.from({ length: N }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      while (ids.length - waitingNow > BACKLOG) {
        await sleep(250);
        waitingNow = await opts.waiting();
      }
      ids.push(await opts.start(i));
      if (ids.length % 1000 === 0) console.log(`  ${ids.length} started after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    },
  );
  while ((await opts.waiting()) < N) {
    opts.sample?.();
    await sleep(500);
  }
  const startSeconds = (performance.now() - t0) / 1000;
  await opts.whileWaiting?.();
  const t1 = performance.now();
  let refused = 0;
  await pool(ids, CONCURRENCY, async (id) => {
    if (!(await opts.decide(id))) refused++;
  });
  const decideMs = performance.now() - t1;
  while ((await opts.completed()) < N) {
    opts.sample?.();
    await sleep(250);
  }
  return { startSeconds, decisionsPerSecond: (N / decideMs) * 1000, allDoneSeconds: (performance.now() - t1) / 1000, refused };
}

async function main() {
  const world = await startWeftWorld({ worker: false, database: 'postgresql' });
  let worker: ChildProcess | undefined;
  try {
    worker = await spawnWorker(world.workerEnv);
    const pid = worker.pid as number;
    const db = world.weft.database.db;
    const count = async (q: ReturnType<typeof sql>) => Number((await executeRows<{ n: string }>(db, q))[0]?.n ?? 0);
    const boss = signToken(world.weft.jwtSecret, { sub: 'boss', roles: ['approver'] });
    await world.api('POST', '/users', { id: 'boss', name: 'Boss', roles: ['approver'] }, 201);
    const definitionId = await publishDefinition(world, {
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
    await sleep(2000);
    const rssIdle = rssMb(pid);
    let peak = rssIdle;
    let rssWaiting = 0;
    const sample = () => {
      peak = Math.max(peak, rssMb(pid));
    };

    const weft = await phase({
      start: async (i) => (await world.api<{ id: string }>('POST', `/workflows/${definitionId}/instances`, { input: { i } }, 202)).id,
      waiting: () => count(sql`select count(*) as n from approval_requests where status = 'pending'`),
      decide: async (id) => {
        const res = await fetch(`${world.weft.apiUrl}/api/v1/workflow-instances/${id}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${boss}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await res.arrayBuffer();
        return res.status === 200;
      },
      completed: () => count(sql`select count(*) as n from executions where status = 'completed'`),
      whileWaiting: async () => {
        await sleep(5000);
        rssWaiting = rssMb(pid);
        peak = Math.max(peak, rssWaiting);
      },
      sample,
    });

    const { client, taskQueue } = world;
    const handCount = async (status: 'Running' | 'Completed') =>
      (await client.workflow.count(`WorkflowType="handWrittenApproval" AND TaskQueue="${taskQueue}" AND ExecutionStatus="${status}"`)).count;
    const hand = await phase({
      start: async (i) => {
        const id = `hand-approval-${i}-${randomUUID().slice(0, 8)}`;
        await client.workflow.start('handWrittenApproval', { taskQueue, workflowId: id, args: [`Bench ${i}`] });
        return id;
      },
      // Running in visibility is "waiting" for this workflow: it does nothing else.
      waiting: () => handCount('Running'),
      decide: async (id) => {
        await client.workflow.getHandle(id).executeUpdate('approve', { args: ['boss'] });
        return true;
      },
      completed: () => handCount('Completed'),
      sample,
    });

    const cache = Number(world.workerEnv.WEFT_MAX_CACHED_WORKFLOWS ?? defaultMaxCachedWorkflows());
    const figures: Figure[] = [
      { key: 'rss.waiting', label: `worker RSS with ${N} instances waiting`, value: rssWaiting, unit: 'MB', goal: { op: '<=', value: 1024 } },
      { key: 'rss.idle', label: '  worker RSS idle', value: rssIdle, unit: 'MB' },
      { key: 'rss.peak', label: '  worker RSS peak (both phases)', value: peak, unit: 'MB', goal: { op: '<=', value: 1024 } },
      { key: 'weft.startSeconds', label: `Weft: all ${N} started and waiting after`, value: weft.startSeconds, unit: 's' },
      { key: 'weft.decisionsPerSecond', label: '  decisions accepted per second (API)', value: weft.decisionsPerSecond, unit: '/s' },
      { key: 'weft.allDoneSeconds', label: '  all completed after the first decision', value: weft.allDoneSeconds, unit: 's', goal: { op: '<=', value: 600 } },
      { key: 'weft.refused', label: '  decisions refused', value: weft.refused, unit: '' },
      { key: 'hand.startSeconds', label: `hand-written: all ${N} started and waiting after`, value: hand.startSeconds, unit: 's' },
      { key: 'hand.decisionsPerSecond', label: '  decisions per second (plain client update)', value: hand.decisionsPerSecond, unit: '/s' },
      { key: 'hand.allDoneSeconds', label: '  all completed after the first decision', value: hand.allDoneSeconds, unit: 's' },
      {
        key: 'ratio.completion',
        label: 'decision-to-completion rate Weft/hand-written',
        value: hand.allDoneSeconds / weft.allDoneSeconds,
        unit: 'x',
        goal: { op: '>=', value: 0.9 },
      },
      { key: 'ratio.decisions', label: 'decisions per second Weft/hand-written', value: weft.decisionsPerSecond / hand.decisionsPerSecond, unit: 'x' },
    ];
    saveReport({
      bench: 'approvals',
      mode,
      params: { instances: N, concurrency: CONCURRENCY, workerProcesses: 1, maxCachedWorkflows: cache, database: 'postgresql' },
      figures,
    });
  } finally {
    worker?.kill('SIGTERM');
    await world.close();
  }
}

runBench(main);
