/**
 * A what-if survives its worker: a worker process killed with SIGKILL in the middle of a what-if
 * over 100 recorded executions leaves it to the next worker, which finishes it with every
 * execution reported exactly once. The workers are the real `src/worker.ts` entry.
 */
import { sql } from 'drizzle-orm';
import { executeRows } from '../../src/db';
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { crashTestWorkers } from '../support/worker-process';

jest.setTimeout(300_000);

let t: TestWeft;
let svc: FakeService;
const workers = crashTestWorkers(
  () => t,
  () => ({ WEFT_HTTP_ALLOWED_HOSTS: svc.host }),
);
const startWorker = workers.start;

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => json(res, 200, { v: Number(/\/item\/(\d+)/.exec(req.url)?.[1]) * 3 }));
  // The worker runs in another process, so the database must be one both can reach.
  t = await startTestWeft({ worker: false, database: 'postgres' });
});

afterAll(async () => {
  workers.killAll();
  await t?.stop();
  await svc?.close();
});

/** START → lookup (API_CALL) → a LOOP of 40 sums → END: some 80 node runs an execution, so the what-if takes a while. */
const graph = () => ({
  name: 'long-sums',
  variables: { total: { type: 'number', value: 0 } },
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'lookup', type: 'API_CALL', properties: { url: `${svc.url}/item/{{input.n}}` } },
    { id: 'each', type: 'LOOP', properties: { items: '[1..40]' } },
    { id: 'sum', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.total + loop.item' } } },
    { id: 'end', type: 'END', properties: { output: { total: 'vars.total', v: 'nodes.lookup.output.body.v' } } },
  ],
  edges: [
    { source: 'start', target: 'lookup' },
    { source: 'lookup', target: 'each' },
    { source: 'each', sourcePort: 'body', target: 'sum' },
    { source: 'sum', target: 'each' },
    { source: 'each', sourcePort: 'done', target: 'end' },
  ],
});

test('SIGKILL during a what-if: the next worker finishes it, every execution reported once', async () => {
  let worker = await startWorker();
  const definitionId = await publishGraph(t, graph());
  const ids: string[] = [];
  for (let n = 0; n < 100; n++) {
    const res = await t.api('POST', `/api/v1/workflows/${definitionId}/instances`, { input: { n } });
    ids.push(res.body.id);
  }
  for (const id of ids) expect((await waitForInstance(t, id, 120_000)).output.total).toBe(820);
  const asked = svc.requests.length;

  const v2 = await t.api('PUT', `/api/v1/workflows/${definitionId}`, { ...graph(), version: '2.0.0' });
  expect(v2.status).toBe(200);
  const started = await t.api('POST', `/api/v1/workflows/${definitionId}/versions/2.0.0/what-if`, { sample: { limit: 100 } });
  expect(started.status).toBe(202);
  const report = () => t.api('GET', `/api/v1/what-if/${started.body.id}?limit=1000`);

  // Killed once some executions are stored and most are not.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { processed } = (await report()).body.progress;
    if (processed >= 25) {
      expect(processed).toBeLessThan(75);
      break;
    }
    if (Date.now() > deadline) throw new Error('the what-if never got going');
    await new Promise((r) => setTimeout(r, 50));
  }
  worker.kill('SIGKILL');
  await new Promise((r) => worker.once('exit', r));
  expect(worker.signalCode).toBe('SIGKILL');
  const atKill = (await report()).body;
  expect(atKill.status).toBe('running');

  worker = await startWorker();
  const done = await (async () => {
    for (const end = Date.now() + 180_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      const body = (await report()).body;
      if (body.status !== 'running') return body;
    }
    throw new Error('the what-if did not finish after the restart');
  })();
  expect(done).toMatchObject({ status: 'completed', progress: { processed: 100, total: 100 } });
  expect(done.summary.counts.same).toBe(100);
  const reported = done.executions.items.map((e: any) => e.executionId);
  expect(reported).toHaveLength(100);
  expect(new Set(reported)).toEqual(new Set(ids));
  const rows = await executeRows<{ execution_id: string }>(
    t.weft.database.db,
    sql`select execution_id from what_if_results where what_if_id = ${started.body.id} and category is not null`,
  );
  expect(rows).toHaveLength(100);
  const ended = await executeRows<{ n: number }>(
    t.weft.database.db,
    sql`select count(*)::int as n from audit_log where resource_id = ${started.body.id} and action = 'what_if.completed'`,
  );
  expect(ended[0]?.n).toBe(1);
  expect(svc.requests.length).toBe(asked);
});
