/**
 * WAIT end to end on the real Temporal dev server: `until` in the past starts no timer, a future
 * one waits. (A WAIT with `duration` is in branching.e2e; a WAIT past its state timeout in
 * state-timeouts.e2e; a worker killed during a WAIT in worker-crash.e2e.)
 */
import { pastWaits } from '../../histories/graphs';
import { runGraph, startWeftWithService, type TestWeft } from '../../support/harness';

let t: TestWeft;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

const run = (graph: unknown, input: unknown = {}) => runGraph(t, graph, input);

/** START → WAIT `pause` until `until` → END returning the WAIT's output. */
function oneWait(until: string) {
  return {
    name: 'one-wait',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'pause', type: 'WAIT', properties: { until } },
      { id: 'end', type: 'END', properties: { output: { pause: 'nodes.pause.output' } } },
    ],
    edges: [
      { source: 'start', target: 'pause' },
      { source: 'pause', target: 'end' },
    ],
  };
}

test('WAIT until an instant in the past starts no timer and says it did not wait; a future one waits', async () => {
  const past = await run(pastWaits('past-waits'));
  expect(past.status).toBe('completed');
  expect(past.output).toEqual({ pause: { waitedMs: 0, waited: false }, again: { waitedMs: 0, waited: false } });
  const events = (await t.temporal.workflow.getHandle(past.id).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.timerStartedEventAttributes)).toEqual([]);

  const future = await run(oneWait('$fromMillis($millis() + 300)'));
  expect(future.output.pause.waited).toBe(true);
  expect(future.output.pause.waitedMs).toBeGreaterThanOrEqual(250);
});
