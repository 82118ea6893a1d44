/**
 * Long LOOPs keep every run's history bounded (DESIGN rule 5): beyond `batchSize` iterations
 * the loop runs in batch child workflows, each with a history of its own, while the parent's
 * history grows by a few events per batch. Variables and node outputs carry from batch to batch,
 * and a failing iteration fails the LOOP with its own code.
 */
import type { Client } from '@temporalio/client';
import { json, type FakeService } from '../../support/fake-service';
import { publishGraph, runGraph, startInstance, startWeftWithService, waitForInstance, type TestWeft } from '../../support/harness';
import { loopGraph as loopGraphOf } from '../../support/loop-graph';

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, svc, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

function loopGraph(loop: Record<string, unknown>, body: Array<Record<string, unknown>>, end: Record<string, string>, variables: Record<string, unknown> = {}) {
  return loopGraphOf(loop, body, end, { name: 'long-loop', variables, settings: { maxSteps: 100_000 } });
}

interface RunHistory {
  workflowId: string;
  events: number;
  children: Array<{ workflowId: string; runId: string }>;
}

/** The history of one run, and the batch children it started (read from that history). */
async function historyOf(client: Client, workflowId: string, runId?: string): Promise<RunHistory> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const children = events
    .filter((e) => e.childWorkflowExecutionStartedEventAttributes)
    .map((e) => {
      const exec = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      return { workflowId: exec?.workflowId ?? '', runId: exec?.runId ?? '' };
    });
  return { workflowId, events: events.length, children };
}

/** Every run of an execution: the execution itself and, recursively, its batch children. */
async function allRuns(client: Client, workflowId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  const queue: Array<{ workflowId: string; runId?: string }> = [{ workflowId }];
  while (queue.length > 0) {
    const next = queue.shift() as { workflowId: string; runId?: string };
    const run = await historyOf(client, next.workflowId, next.runId);
    runs.push(run);
    queue.push(...run.children);
  }
  return runs;
}

test('a LOOP over 1,200 items with an API_CALL per item runs in batches, each history bounded, results and variables intact', async () => {
  svc.handle((req, res) => json(res, 200, { n: Number(new URL(req.url, 'http://x').searchParams.get('n')) }));
  const before = svc.requests.length;
  const graph = loopGraph(
    { items: 'input.items', batchSize: 300, concurrency: 10, maxIterations: 5_000, collect: 'loop.item * 2' },
    [
      { id: 'call', type: 'API_CALL', properties: { url: `${svc.url}/item`, query: { n: '{{loop.item}}' }, retry: { maxAttempts: 3 } } },
      // Concurrent bodies share `nodes`: only what the iteration itself holds is safe to add.
      { id: 'sum', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.total + loop.item' } } },
    ],
    { count: 'nodes.each.output.count', results: 'nodes.each.output.results', total: 'vars.total', lastCall: 'nodes.call.output.body.n' },
    { total: { type: 'number', value: 0 } },
  );
  const id = await startInstance(t, await publishGraph(t, graph), { items: Array.from({ length: 1_200 }, (_, i) => i) });
  // 1,200 activities on a shared two-core machine: minutes, not seconds.
  const out = await waitForInstance(t, id, 240_000);
  expect(out.status).toBe('completed');
  expect(out.output.count).toBe(1_200);
  expect(out.output.results).toEqual(Array.from({ length: 1_200 }, (_, i) => i * 2));
  // The sum is carried through four batches: a batch that lost the previous one's variables would show here.
  expect(out.output.total).toBe((1_199 * 1_200) / 2);
  expect(typeof out.output.lastCall).toBe('number');
  const asked = svc.requests.slice(before).map((r) => Number(new URL(r.url, 'http://x').searchParams.get('n')));
  expect(asked.sort((a, b) => a - b)).toEqual(Array.from({ length: 1_200 }, (_, i) => i));

  const runs = await allRuns(t.temporal, out.id);
  const [parent, ...batches] = runs as [RunHistory, ...RunHistory[]];
  expect(batches).toHaveLength(4);
  expect(batches.map((b) => b.workflowId)).toEqual([0, 300, 600, 900].map((o) => `${out.id}:each:0:batch:${o}`));
  // Inline, 1,200 activities would have cost the parent more than 7,000 events.
  expect(parent.events).toBeLessThan(100);
  for (const batch of batches) expect(batch.events).toBeLessThan(300 * 6 + 100);

  // The trace still shows the body's latest runs, with iteration numbers counted across batches.
  const trace = (await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`)).body.nodes as Array<{ nodeId: string; iteration: number }>;
  expect(Math.max(...trace.filter((n) => n.nodeId === 'call').map((n) => n.iteration))).toBe(1_199);
}, 300_000);

test('a while LOOP longer than batchSize goes on in batches with the variables it changed', async () => {
  const out = await runGraph(
    t,
    loopGraph(
      { while: 'vars.n < 25', batchSize: 10, collect: 'vars.n' },
      [{ id: 'inc', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } }],
      { n: 'vars.n', results: 'nodes.each.output.results' },
      { n: { type: 'number', value: 0 } },
    ),
  );
  expect(out.status).toBe('completed');
  expect(out.output).toEqual({ n: 25, results: Array.from({ length: 25 }, (_, i) => i + 1) });
  const runs = await allRuns(t.temporal, out.id);
  // The first 10 iterations run in the execution itself; 10..19 and 20..24 in two batches.
  expect(runs.map((r) => r.workflowId)).toEqual([out.id, `${out.id}:each:0:batch:10`, `${out.id}:each:0:batch:20`]);
}, 120_000);

test('a failing iteration in a batch fails the LOOP with the body node’s code and id', async () => {
  svc.handle((req, res) => (req.url.includes('n=17') ? json(res, 503, { down: true }) : json(res, 200, { ok: true })));
  const out = await runGraph(
    t,
    loopGraph(
      { items: 'input.items', batchSize: 10, collect: 'loop.index' },
      [{ id: 'call', type: 'API_CALL', properties: { url: `${svc.url}/item`, query: { n: '{{loop.item}}' }, retry: { maxAttempts: 1 } } }],
      { results: 'nodes.each.output.results' },
    ),
    { items: Array.from({ length: 30 }, (_, i) => i) },
  );
  expect(out.status).toBe('failed');
  expect(out.error).toMatchObject({ code: 'HTTP_503', nodeId: 'call' });
  // Batch 20..29 never started.
  const runs = await allRuns(t.temporal, out.id);
  expect(runs.map((r) => r.workflowId)).toEqual([out.id, `${out.id}:each:0:batch:0`, `${out.id}:each:0:batch:10`]);
}, 120_000);

test('collected results too large for a payload fail the LOOP with LOOP_RESULTS_TOO_LARGE', async () => {
  const out = await runGraph(
    t,
    loopGraph(
      { items: '[1..40]', batchSize: 10, collect: '$join([1..3000].("xxxxxxxxx"))' },
      [{ id: 'noop', type: 'DATA_TRANSFORMATION', properties: { assign: { seen: 'loop.index' } } }],
      { results: 'nodes.each.output.count' },
    ),
  );
  expect(out.status).toBe('failed');
  expect(out.error).toMatchObject({ code: 'LOOP_RESULTS_TOO_LARGE', nodeId: 'each' });
}, 120_000);

test('a large execution input is read back by each batch instead of being copied into the parent’s history', async () => {
  const pad = 'x'.repeat(100_000);
  const out = await runGraph(
    t,
    loopGraph(
      { items: 'input.items', batchSize: 10, collect: '$length(input.pad) + $length(nodes.start.output.pad) + loop.item' },
      [{ id: 'noop', type: 'DATA_TRANSFORMATION', properties: { assign: { seen: 'loop.index' } } }],
      { results: 'nodes.each.output.results' },
    ),
    { items: Array.from({ length: 25 }, (_, i) => i), pad },
  );
  expect(out.status).toBe('completed');
  expect(out.output.results).toEqual(Array.from({ length: 25 }, (_, i) => 200_000 + i));
  const history = await t.temporal.workflow.getHandle(out.id).fetchHistory();
  const starts = (history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
  expect(starts).toHaveLength(3);
  for (const start of starts) {
    const payloads = start.startChildWorkflowExecutionInitiatedEventAttributes?.input?.payloads ?? [];
    const size = payloads.reduce((n, p) => n + (p.data?.length ?? 0), 0);
    expect(size).toBeLessThan(20_000);
  }
}, 120_000);
