/**
 * A worker killed with SIGKILL in the middle of MATERIAL_CONSUME leaves the ledger consumed
 * exactly once. A LOOP consumes one unit per item; mid-loop the test holds the lot's row lock,
 * so the worker's next consumption is caught inside its database transaction, and the worker
 * (the real `src/worker.ts` process) is killed right there. A new worker retries that node run
 * and finishes the loop: one movement per node run, the stock down by exactly the items.
 */
import type { ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { listLots, listMovements } from '../../../src/db';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../../support/harness';
import { startWorkerProcess } from '../../support/worker-process';

const ITEMS = 20;

let t: TestWeft;
let sql: postgres.Sql;
const children: ChildProcess[] = [];

async function startWorker(): Promise<ChildProcess> {
  const child = await startWorkerProcess(t);
  children.push(child);
  return child;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  // The worker runs in another process, so the database must be one both can reach.
  t = await startTestWeft({ worker: false, database: 'postgres' });
  sql = postgres(t.databaseUrl as string, { max: 2, onnotice: () => undefined });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sql?.end();
  await t?.stop();
});

test('SIGKILL inside MATERIAL_CONSUME: a restarted worker finishes, every node run consumed exactly once', async () => {
  const receipt = await t.api('POST', '/api/v1/inventory/receipts', { material: 'granulate', lot: 'G1', location: 'LINE-1', quantity: 100, unit: 'kg' });
  expect(receipt.status).toBe(201);
  const id = await publishGraph(t, {
    name: 'consume-many',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'each', type: 'LOOP', properties: { items: 'input.items' } },
      {
        id: 'take',
        type: 'MATERIAL_CONSUME',
        properties: {
          material: 'granulate',
          lot: 'G1',
          location: 'LINE-1',
          quantity: '${loop.item}',
          unit: 'kg',
          // A lost attempt is retried after this bound rather than the 30 s default.
          timeoutMs: 2_000,
          retry: { maxAttempts: 50, strategy: 'FIXED', initialIntervalMs: 200 },
        },
      },
      { id: 'end', type: 'END', properties: { output: { results: 'nodes.each.output.results' } } },
    ],
    edges: [
      { source: 'start', target: 'each' },
      { source: 'each', sourcePort: 'body', target: 'take' },
      { source: 'take', target: 'each' },
      { source: 'each', sourcePort: 'done', target: 'end' },
    ],
  });

  const first = await startWorker();
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { items: Array.from({ length: ITEMS }, () => 1) } });
  expect(started.status).toBe(202);
  const executionId = started.body.id as string;
  const db = t.weft.database.db;
  await until('a few consumptions', async () => (await listMovements(db, { executionId })).length >= 5);

  let consumedAtKill = -1;
  await sql.begin(async (tx) => {
    // Hold the lot: the worker's next consumption blocks inside its transaction, mid-flight.
    await tx`select quantity from inventory_lots where material = 'granulate' and lot = 'G1' for update`;
    await until('the worker to wait on the lot lock', async () => {
      const [row] = await sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
      return (row?.n as number) > 0;
    });
    consumedAtKill = (await listMovements(db, { executionId })).length;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
  });
  expect(first.signalCode).toBe('SIGKILL');
  expect(consumedAtKill).toBeGreaterThanOrEqual(5);
  expect(consumedAtKill).toBeLessThan(ITEMS);

  await startWorker();
  const done = await waitForInstance(t, executionId, 90_000);
  expect(done.status).toBe('completed');

  const movements = await listMovements(db, { executionId });
  expect(movements.map((m) => m.idempotencyKey).sort()).toEqual(Array.from({ length: ITEMS }, (_, i) => `${executionId}:take:${i}`).sort());
  expect(movements.every((m) => m.delta === '-1')).toBe(true);
  const [lot] = await listLots(db, 'granulate');
  expect(Number(lot!.quantity)).toBe(100 - ITEMS);
  // Each run's output is its own movement: remaining stock 99, 98, … without gaps or repeats.
  const remaining = (done.output.results as Array<{ remaining: number; movementId: string }>).map((r) => r.remaining);
  expect(remaining).toEqual(Array.from({ length: ITEMS }, (_, i) => 99 - i));
}, 150_000);
