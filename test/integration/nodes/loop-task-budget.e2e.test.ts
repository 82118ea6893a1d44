/**
 * Control nodes await nothing, so a LOOP of them (run inline, below `batchSize`) used to run in
 * one workflow task. Past the worker's isolateExecutionTimeout (5 s: about 3,000 iterations on
 * a loaded machine, always at 10,000) Node aborted the task inside the sandbox's microtask queue
 * and the whole worker process died with "async hook stack has become corrupted". Now every
 * 500 node runs end the task (see src/workflows/task-budget.ts).
 */
import { STEPS_PER_TASK } from '../../../src/workflows/task-budget';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../../support/harness';
import { loopGraph } from '../../support/loop-graph';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft();
});

afterAll(async () => {
  await t?.stop();
});

const ITEMS = 3_000;

test.each([1, 10])(
  'a %i-at-a-time LOOP over 3,000 items of control nodes completes in tasks of bounded size',
  async (concurrency) => {
    const graph = loopGraph(
      { items: 'input.items', batchSize: 5_000, concurrency, collect: 'loop.index' },
      [
        { id: 'sum', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.total + loop.item' } } },
        { id: 'seen', type: 'DATA_TRANSFORMATION', properties: { assign: { seen: 'vars.seen + 1' } } },
      ],
      { count: 'nodes.each.output.count', total: 'vars.total', seen: 'vars.seen', last: 'nodes.each.output.results[-1]' },
      { name: 'inline-long-loop', variables: { total: { type: 'number', value: 0 }, seen: { type: 'number', value: 0 } }, settings: { maxSteps: 100_000 } },
    );
    const id = await startInstance(t, await publishGraph(t, graph), { items: Array.from({ length: ITEMS }, (_, i) => i) });
    const out = await waitForInstance(t, id, 120_000);
    expect(out.status).toBe('completed');
    expect(out.output).toEqual({ count: ITEMS, total: ((ITEMS - 1) * ITEMS) / 2, seen: ITEMS, last: ITEMS - 1 });

    const events = (await t.temporal.workflow.getHandle(out.id).fetchHistory()).events ?? [];
    // Inline: no batch children.
    expect(events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
    // 2 node runs per iteration: without the pauses the loop was a single task.
    const nodeRuns = 2 * ITEMS;
    // Each pause is a local activity, recorded as a marker.
    expect(events.filter((e) => e.markerRecordedEventAttributes).length).toBeGreaterThanOrEqual(Math.floor(nodeRuns / STEPS_PER_TASK));
  },
  180_000,
);
