/**
 * A worker killed with SIGKILL in the middle of an execution loses nothing: a new worker
 * process picks the execution up from Temporal's history and finishes it with the same output,
 * calling the downstream service exactly once. The worker is the real `src/worker.ts` entry.
 */
import { json, startFakeService, type FakeService } from '../support/fake-service';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { crashTestWorkers } from '../support/worker-process';

let t: TestWeft;
let svc: FakeService;
const workers = crashTestWorkers(
  () => t,
  () => ({ WEFT_HTTP_ALLOWED_HOSTS: svc.host }),
);
const startWorker = workers.start;

beforeAll(async () => {
  svc = await startFakeService();
  // The worker runs in another process, so the database must be one both can reach.
  t = await startTestWeft({ worker: false, database: 'postgres' });
});

afterAll(async () => {
  workers.killAll();
  await t?.stop();
  await svc?.close();
});

test('SIGKILL during a WAIT: a restarted worker finishes with the same output, side effect once', async () => {
  let calls = 0;
  svc.handle((req, res) => {
    calls++;
    json(res, 200, { confirmed: JSON.parse(req.body).order });
  });
  const id = await publishGraph(t, {
    name: 'crash-safe',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'prep', type: 'DATA_TRANSFORMATION', properties: { assign: { doubled: 'input.n * 2' } } },
      { id: 'hold', type: 'WAIT', properties: { duration: '4s' } },
      { id: 'confirm', type: 'API_CALL', properties: { method: 'POST', url: `${svc.url}/confirm`, body: { order: '${input.order}' } } },
      { id: 'end', type: 'END', properties: { output: { doubled: 'vars.doubled', confirmation: 'nodes.confirm.output.body.confirmed' } } },
    ],
    edges: [
      { source: 'start', target: 'prep' },
      { source: 'prep', target: 'hold' },
      { source: 'hold', target: 'confirm' },
      { source: 'confirm', target: 'end' },
    ],
  });

  const first = await startWorker();
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 21, order: 'SO-99' } });
  const deadline = Date.now() + 15_000;
  while ((await t.api('GET', `/api/v1/workflow-instances/${started.body.id}`)).body.status !== 'waiting') {
    if (Date.now() > deadline) throw new Error('never reached the WAIT');
    await new Promise((r) => setTimeout(r, 100));
  }
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect(first.signalCode).toBe('SIGKILL');

  await startWorker();
  const done = await waitForInstance(t, started.body.id, 60_000);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({ doubled: 42, confirmation: 'SO-99' });
  expect(calls).toBe(1);
  const history = await t.api('GET', `/api/v1/workflow-instances/${started.body.id}/history`);
  expect(history.body.nodes.map((n: any) => n.nodeId)).toEqual(['start', 'prep', 'hold', 'confirm', 'end']);
}, 120_000);
