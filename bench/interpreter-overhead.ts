/**
 * Interpreter overhead, measured against a baseline in the same process (machines here are noisy):
 *  1. a 50-node graph of activity nodes (API_CALL to a loopback server) through the interpreter vs
 *     a hand-written workflow calling the same activity 50 times: wall-time ratio and history
 *     events per activity node;
 *  2. 1,000 control nodes (IF / SWITCH / DATA_TRANSFORMATION): history events besides workflow
 *     tasks, and worker CPU per control node.
 * Run: npx tsx bench/interpreter-overhead.ts [rounds]
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionInput } from '../src/workflows/types';
import { startBenchWorld } from './in-process';

const ACTIVITY_NODES = 50;
const CONTROL_NODES = 1_000;
const rounds = Number(process.argv[2] ?? 3);

function activityGraph(url: string, count = ACTIVITY_NODES) {
  const calls = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, type: 'API_CALL', properties: { url } }));
  const ids = ['start', ...calls.map((c) => c.id), 'end'];
  return {
    name: 'fifty-calls',
    variables: {},
    nodes: [{ id: 'start', type: 'START' }, ...calls, { id: 'end', type: 'END', properties: { output: { ok: 'true' } } }],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i] as string, target: id })),
    settings: { maxSteps: 10_000 },
  };
}

function controlGraph() {
  const nodes: Array<Record<string, unknown>> = [{ id: 'start', type: 'START' }];
  const edges: Array<Record<string, unknown>> = [];
  let prev = 'start';
  for (let i = 0; i < CONTROL_NODES; i++) {
    const id = `c${i}`;
    const kind = i % 3;
    if (kind === 0) nodes.push({ id, type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } });
    if (kind === 1) nodes.push({ id, type: 'IF_THEN_ELSE', properties: { condition: 'vars.n % 2 = 0' } });
    if (kind === 2) nodes.push({ id, type: 'SWITCH', properties: { expression: 'vars.n % 3' } });
    const from = nodes[nodes.length - 2] as { id: string; type: string };
    if (from.type === 'IF_THEN_ELSE') {
      edges.push({ source: prev, sourcePort: 'true', target: id }, { source: prev, sourcePort: 'false', target: id });
    } else if (from.type === 'SWITCH') {
      edges.push({ source: prev, sourcePort: 'default', target: id });
    } else {
      edges.push({ source: prev, target: id });
    }
    prev = id;
  }
  nodes.push({ id: 'end', type: 'END', properties: { output: { n: 'vars.n' } } });
  const last = nodes[nodes.length - 2] as { type: string };
  if (last.type === 'IF_THEN_ELSE') edges.push({ source: prev, sourcePort: 'true', target: 'end' }, { source: prev, sourcePort: 'false', target: 'end' });
  else if (last.type === 'SWITCH') edges.push({ source: prev, sourcePort: 'default', target: 'end' });
  else edges.push({ source: prev, target: 'end' });
  return { name: 'thousand-controls', variables: { n: { type: 'number', value: 0 } }, nodes, edges, settings: { maxSteps: 10_000 } };
}

async function main() {
  const world = await startBenchWorld();
  const { svc, client, taskQueue, worker } = world;
  const url = `${svc.url}/noop`;

  const graphInput = (graph: unknown): ExecutionInput => ({ definitionId: 'bench', version: '1.0.0', graph: graph as ExecutionInput['graph'], input: {} });
  const countEvents = async (id: string) => (await client.workflow.getHandle(id).fetchHistory()).events ?? [];

  await worker.runUntil(async () => {
    // Warm-up: the first run of each pays for bundle loading and connection set-up.
    await client.workflow.execute('handWrittenCalls', { taskQueue, workflowId: `warm-${randomUUID()}`, args: [url, 2] });
    await client.workflow.execute('interpretGraph', { taskQueue, workflowId: `warm-${randomUUID()}`, args: [graphInput(activityGraph(url))] });

    let handMs = 0;
    let graphMs = 0;
    let handEvents = 0;
    let graphEvents = 0;
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so drift on a noisy machine hits both sides alike.
      for (const side of r % 2 === 0 ? ['hand', 'graph'] : ['graph', 'hand']) {
        const id = `${side}-${randomUUID()}`;
        const t0 = performance.now();
        if (side === 'hand') await client.workflow.execute('handWrittenCalls', { taskQueue, workflowId: id, args: [url, ACTIVITY_NODES] });
        else await client.workflow.execute('interpretGraph', { taskQueue, workflowId: id, args: [graphInput(activityGraph(url))] });
        const ms = performance.now() - t0;
        const events = (await countEvents(id)).length;
        if (side === 'hand') {
          handMs += ms;
          handEvents = events;
        } else {
          graphMs += ms;
          graphEvents = events;
        }
      }
    }
    // Each side's fixed cost is what it records with no activity node at all (for the interpreter:
    // two bookkeeping activities and a search attribute update); the rest is per node.
    const emptyGraph = `graph0-${randomUUID()}`;
    const emptyHand = `hand0-${randomUUID()}`;
    await client.workflow.execute('interpretGraph', { taskQueue, workflowId: emptyGraph, args: [graphInput(activityGraph(url, 0))] });
    await client.workflow.execute('handWrittenCalls', { taskQueue, workflowId: emptyHand, args: [url, 0] });
    const graphFixed = (await countEvents(emptyGraph)).length;
    const handFixed = (await countEvents(emptyHand)).length;
    console.log(`activity nodes: ${ACTIVITY_NODES}, rounds: ${rounds}`);
    console.log(
      `  wall time  interpreter/hand-written = ${(graphMs / handMs).toFixed(3)}  (${(graphMs / rounds).toFixed(0)} ms vs ${(handMs / rounds).toFixed(0)} ms per run)`,
    );
    console.log(
      `  history events per activity node: interpreter ${((graphEvents - graphFixed) / ACTIVITY_NODES).toFixed(2)}, hand-written ${((handEvents - handFixed) / ACTIVITY_NODES).toFixed(2)}` +
        `  (fixed per execution: interpreter ${graphFixed}, hand-written ${handFixed})`,
    );

    const id = `controls-${randomUUID()}`;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await client.workflow.execute('interpretGraph', { taskQueue, workflowId: id, args: [graphInput(controlGraph())] });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const events = await countEvents(id);
    const nonTask = events.filter(
      (e) => !e.workflowTaskScheduledEventAttributes && !e.workflowTaskStartedEventAttributes && !e.workflowTaskCompletedEventAttributes,
    );
    const kinds = [...new Set(nonTask.map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))))];
    console.log(`control nodes: ${CONTROL_NODES} → output ${JSON.stringify(result.output)}`);
    console.log(`  history events besides workflow tasks: ${nonTask.length} (${kinds.join(', ')})`);
    console.log(`  worker process CPU per control node: ${((cpu.user + cpu.system) / 1000 / CONTROL_NODES).toFixed(3)} ms; wall ${wall.toFixed(0)} ms`);
  });
  await world.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
