/**
 * A long-lived state machine on the real dev server: advanced again and again, its execution
 * continues as new runs whenever one run's history reaches `settings.historyLimit`, and nothing a
 * user sees changes: variables, node iterations, the start time and the API all carry on.
 */
import { Worker } from '@temporalio/worker';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { testBundlePath } from '../support/paths';
import { counterStateMachine } from '../histories/graphs';

jest.setTimeout(120_000);

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft();
});

afterAll(async () => {
  await t?.stop();
});

const TICKS = 40;
const HISTORY_LIMIT = 100;

const counter = counterStateMachine('counter', HISTORY_LIMIT);

async function awaitingTick(id: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = await t.temporal.workflow.getHandle(id).query<{ awaitingTriggers: string[] }>('status');
    if (s.awaitingTriggers.includes('tick')) return;
    if (Date.now() > deadline) throw new Error('the instance did not wait for tick again');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a state machine advanced past its history limit continues as new runs and loses nothing', async () => {
  const id = await startInstance(t, await publishGraph(t, counter));
  await awaitingTick(id);
  const startedAt = (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body.startedAt;
  expect(typeof startedAt).toBe('string');

  // Back to back, as an automated client would: the run continues as new while it begins to
  // wait, so the next run accepts an advance from its first moment and none is refused.
  for (let n = 1; n <= TICKS; n++) {
    const r = await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'tick', data: { n } });
    expect([n, r.status, r.body.code]).toEqual([n, 200, undefined]);
  }
  expect(await t.temporal.workflow.getHandle(id).query('variables')).toMatchObject({ ticks: TICKS });

  const runs = [];
  for await (const run of t.temporal.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(run);
  expect(runs.length).toBeGreaterThanOrEqual(3);
  expect(runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW')).toHaveLength(runs.length - 1);
  // Each run stops at the first top-level node after the limit: one tick's events past it at most.
  for (const run of runs) expect(run.historyLength).toBeLessThan(HISTORY_LIMIT + 20);
  // A continued run replays deterministically: its patch marker and continue-as-new included.
  const first = runs.find((r) => r.status.name === 'CONTINUED_AS_NEW');
  const firstHistory = await t.temporal.workflow.getHandle(id, first?.runId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: { codePath: testBundlePath() }, replayName: 'continued' }, firstHistory);
  const current = await t.temporal.workflow.getHandle(id).describe();
  expect(current.searchAttributes.WeftDefinitionId).toBeDefined();

  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'finish' })).status).toBe(200);
  const done = await waitForInstance(t, id);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({ ticks: TICKS });
  expect(done.startedAt).toBe(startedAt);
  // The timeline reads every run: one start, the continuations, all 41 advances, one end.
  await t.temporal.workflow.getHandle(id).result(); // the row is written just before the run ends
  const timeline = (await t.api('GET', `/api/v1/workflow-instances/${id}/timeline`)).body.events as Array<{ type: string; name?: string }>;
  const count = (type: string) => timeline.filter((e) => e.type === type).length;
  const continued = await t.temporal.workflow.count(`WorkflowId = '${id}' AND ExecutionStatus = 'ContinuedAsNew'`);
  expect([count('execution.started'), count('execution.continued'), count('execution.completed')]).toEqual([1, continued.count, 1]);
  expect(timeline.filter((e) => e.type === 'update' && e.name === 'advance')).toHaveLength(TICKS + 1);
  // Node iterations count on across runs: the 40th run of `count` is its iteration 39.
  const history = (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body;
  const counts = history.nodes.filter((n: { nodeId: string }) => n.nodeId === 'count');
  expect(counts.at(-1).iteration).toBe(TICKS - 1);
  expect(counts.map((n: { output: { ticks: number } }) => n.output.ticks)).toEqual(Array.from({ length: TICKS }, (_, i) => i + 1));
});
