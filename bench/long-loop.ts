/**
 * The 100,000-item LOOP (issue 3, DESIGN rule 5): wall time, how many runs it took, and the
 * largest history (events and bytes) of any run — the execution itself or one of its batch
 * children. The ratio is against the same graph over a 2,000-item baseline measured in the same
 * process (time per item, long / baseline): near 1 means the cost per item does not grow with
 * the length of the loop.
 *
 * The body is one DATA_TRANSFORMATION, and an API_CALL to a loopback server every `activityEvery`
 * items (0 = none): control nodes cost CPU and workflow tasks only, activities cost history.
 * The items come in the execution's input (≈0.6 MB for 100,000 numbers), as they would from a caller.
 *
 * Run: npm run bench -- long-loop [--quick] [items=100000 (quick 10000)] [batchSize=1000] [activityEvery=100] [baseline=2000]
 */
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { ExecutionInput } from '../src/workflows/types';
import { benchArgs, benchMode, runBench, saveReport } from './support/report';
import { startWeftWorld } from './support/weft-world';

const mode = benchMode();
const args = benchArgs();
const ITEMS = Number(args[0] ?? (mode === 'quick' ? 10_000 : 100_000));
const BATCH_SIZE = Number(args[1] ?? 1_000);
const ACTIVITY_EVERY = Number(args[2] ?? 100);
const BASELINE = Number(args[3] ?? 2_000);

function loopGraph(url: string) {
  const nodes: Array<Record<string, unknown>> = [
    { id: 'start', type: 'START' },
    { id: 'each', type: 'LOOP', properties: { items: 'input.items', batchSize: BATCH_SIZE, concurrency: 10, maxIterations: 1_000_000, collect: 'loop.index' } },
    { id: 'sum', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.total + loop.item' } } },
    { id: 'end', type: 'END', properties: { output: { count: 'nodes.each.output.count', total: 'vars.total' } } },
  ];
  const edges: Array<Record<string, unknown>> = [
    { source: 'start', target: 'each' },
    { source: 'each', sourcePort: 'body', target: 'sum' },
    { source: 'each', sourcePort: 'done', target: 'end' },
  ];
  if (ACTIVITY_EVERY > 0) {
    nodes.push(
      { id: 'due', type: 'IF_THEN_ELSE', properties: { condition: `loop.index % ${ACTIVITY_EVERY} = 0` } },
      { id: 'call', type: 'API_CALL', properties: { url, query: { n: '{{loop.index}}' } } },
    );
    edges.push(
      { source: 'sum', target: 'due' },
      { source: 'due', sourcePort: 'true', target: 'call' },
      { source: 'due', sourcePort: 'false', target: 'each' },
      { source: 'call', target: 'each' },
    );
  } else {
    edges.push({ source: 'sum', target: 'each' });
  }
  return { name: 'long-loop', variables: { total: { type: 'number', value: 0 } }, nodes, edges, settings: { maxSteps: 10_000_000 } };
}

interface RunSize {
  workflowId: string;
  events: number;
  bytes: number;
}

async function main() {
  const world = await startWeftWorld();
  const { svc, client, taskQueue } = world;
  const graph = loopGraph(`${svc.url}/item`);

  /** Every run of an execution: itself and, recursively, the children its history started. */
  const runsOf = async (workflowId: string): Promise<RunSize[]> => {
    const out: RunSize[] = [];
    const queue: Array<{ workflowId: string; runId?: string }> = [{ workflowId }];
    while (queue.length > 0) {
      const next = queue.shift() as { workflowId: string; runId?: string };
      const history = await client.workflow.getHandle(next.workflowId, next.runId).fetchHistory();
      const events = history.events ?? [];
      out.push({ workflowId: next.workflowId, events: events.length, bytes: temporal.api.history.v1.History.encode(history).finish().length });
      for (const e of events) {
        const exec = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
        if (exec?.workflowId) queue.push({ workflowId: exec.workflowId, runId: exec.runId ?? undefined });
      }
    }
    return out;
  };

  const runLoop = async (items: number) => {
    const workflowId = `long-loop-${items}-${randomUUID()}`;
    const args: ExecutionInput = {
      definitionId: 'bench',
      version: '1.0.0',
      graph: graph as unknown as ExecutionInput['graph'],
      input: { items: Array.from({ length: items }, (_, i) => i) },
    };
    const t0 = performance.now();
    const result = await client.workflow.execute('interpretGraph', { taskQueue, workflowId, args: [args] });
    const ms = performance.now() - t0;
    const output = result.output as { count: number; total: number };
    if (output.count !== items || output.total !== ((items - 1) * items) / 2) throw new Error(`wrong result for ${items} items: ${JSON.stringify(output)}`);
    const runs = await runsOf(workflowId);
    return { ms, runs };
  };

  try {
    await runLoop(10); // warm-up: bundle loading, connections
    const base = await runLoop(BASELINE);
    console.log(`baseline of ${BASELINE} items done in ${(base.ms / 1000).toFixed(1)} s; now ${ITEMS} items`);
    const long = await runLoop(ITEMS);
    const largest = long.runs.reduce((a, b) => (b.events > a.events ? b : a));
    const heaviest = long.runs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const [parent] = long.runs as [RunSize];
    const activities = ACTIVITY_EVERY > 0 ? Math.ceil(ITEMS / ACTIVITY_EVERY) : 0;
    const perItemRatio = long.ms / ITEMS / (base.ms / BASELINE);
    saveReport({
      bench: 'long-loop',
      mode,
      params: { items: ITEMS, batchSize: BATCH_SIZE, concurrency: 10, activityEvery: ACTIVITY_EVERY, activities, baseline: BASELINE },
      figures: [
        { key: 'wallSeconds', label: `LOOP over ${ITEMS} items: wall time`, value: long.ms / 1000, unit: 's' },
        { key: 'usPerItem', label: '  per item', value: (long.ms * 1000) / ITEMS, unit: 'µs' },
        { key: 'runs', label: '  runs (the execution and its batch children)', value: long.runs.length, unit: '' },
        { key: 'largestEvents', label: '  largest history of any run', value: largest.events, unit: 'events', goal: { op: '<=', value: 50_000 } },
        { key: 'largestKiB', label: '  largest history of any run in bytes', value: heaviest.bytes / 1024, unit: 'KiB', goal: { op: '<=', value: 50 * 1024 } },
        { key: 'parentEvents', label: "  the execution's own history", value: parent.events, unit: 'events' },
        { key: 'perItemRatio', label: `time per item, ${ITEMS} items / ${BASELINE}-item baseline`, value: perItemRatio, unit: 'x' },
      ],
    });
  } finally {
    await world.close();
  }
}

runBench(main);
