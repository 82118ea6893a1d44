/**
 * Interpreter overhead, against a hand-written workflow in the same run on the same worker:
 *  1. one execution of a graph of N API_CALL nodes started through the API vs a hand-written
 *     workflow making the same N calls, started by a plain client: wall-time ratio and history
 *     events per execution;
 *  2. C such executions at once on each side (where users feel it): wall-time ratio;
 *  3. 1,000 control nodes (IF / SWITCH / DATA_TRANSFORMATION assign): worker process CPU per node.
 * Run: npm run bench -- interpreter [--quick]    (or: npx tsx bench/interpreter-overhead.ts [--quick])
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionInput } from '../src/workflows/types';
import { benchMode, runBench, saveReport, type Figure } from './support/report';
import { publishDefinition, startWeftWorld } from './support/weft-world';

const mode = benchMode();
const CALLS = 30;
const ROUNDS = mode === 'quick' ? 2 : 4;
const CONCURRENT = mode === 'quick' ? 20 : 50;
const CONCURRENT_ROUNDS = mode === 'quick' ? 1 : 2;
const CONTROL_NODES = 1_000;

function callsGraph(url: string, count: number) {
  const calls = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, type: 'API_CALL', properties: { url } }));
  const ids = ['start', ...calls.map((c) => c.id), 'end'];
  return {
    name: `calls-${count}`,
    variables: {},
    nodes: [{ id: 'start', type: 'START' }, ...calls, { id: 'end', type: 'END', properties: { output: { ok: 'true' } } }],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i] as string, target: id })),
  };
}

function controlGraph() {
  const nodes: Array<Record<string, unknown>> = [{ id: 'start', type: 'START' }];
  const edges: Array<Record<string, unknown>> = [];
  const link = (from: Record<string, unknown>, to: string) => {
    if (from.type === 'IF_THEN_ELSE') edges.push({ source: from.id, sourcePort: 'true', target: to }, { source: from.id, sourcePort: 'false', target: to });
    else if (from.type === 'SWITCH') edges.push({ source: from.id, sourcePort: 'default', target: to });
    else edges.push({ source: from.id, target: to });
  };
  for (let i = 0; i < CONTROL_NODES; i++) {
    const id = `c${i}`;
    const kind = i % 3;
    link(nodes[nodes.length - 1] as Record<string, unknown>, id);
    if (kind === 0) nodes.push({ id, type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } });
    if (kind === 1) nodes.push({ id, type: 'IF_THEN_ELSE', properties: { condition: 'vars.n % 2 = 0' } });
    if (kind === 2) nodes.push({ id, type: 'SWITCH', properties: { expression: 'vars.n % 3' } });
  }
  link(nodes[nodes.length - 1] as Record<string, unknown>, 'end');
  nodes.push({ id: 'end', type: 'END', properties: { output: { n: 'vars.n' } } });
  return { name: 'thousand-controls', variables: { n: { type: 'number', value: 0 } }, nodes, edges, settings: { maxSteps: 10_000 } };
}

type Side = 'weft' | 'hand';

async function main() {
  const world = await startWeftWorld();
  const url = `${world.svc.url}/noop`;
  const definitionId = await publishDefinition(world, callsGraph(url, CALLS));
  const historyOf = async (id: string) => (await world.client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const events = async (id: string) => (await historyOf(id)).length;
  /** Event kinds Weft's history has more of than the hand-written one's, e.g. `markerRecorded +2`. */
  const extraKinds = async (weftId: string, handId: string) => {
    const tally = (evs: Awaited<ReturnType<typeof historyOf>>, sign: number, into: Map<string, number>) => {
      for (const e of evs) {
        const kind = (Object.keys(e).find((k) => k.endsWith('EventAttributes')) ?? 'unknown').replace('EventAttributes', '');
        into.set(kind, (into.get(kind) ?? 0) + sign);
      }
    };
    const diff = new Map<string, number>();
    tally(await historyOf(weftId), 1, diff);
    tally(await historyOf(handId), -1, diff);
    return [...diff].filter(([, n]) => n !== 0).map(([k, n]) => `${k} ${n > 0 ? '+' : ''}${n}`);
  };

  /** Starts one execution and resolves with its id when it has completed. */
  const runOne = async (side: Side): Promise<string> => {
    if (side === 'weft') {
      const { id } = await world.api<{ id: string }>('POST', `/workflows/${definitionId}/instances`, { input: {} }, 202);
      await world.client.workflow.getHandle(id).result();
      return id;
    }
    const id = `hand-${randomUUID()}`;
    await world.client.workflow.execute('handWrittenCalls', { taskQueue: world.taskQueue, workflowId: id, args: [url, CALLS] });
    return id;
  };
  const timed = async (side: Side, n: number) => {
    const t0 = performance.now();
    const ids = await Promise.all(Array.from({ length: n }, () => runOne(side)));
    return { ms: performance.now() - t0, ids };
  };

  try {
    // Warm-up: bundle loading, connections, the first workflow tasks of each type.
    await timed('hand', 3);
    await timed('weft', 3);

    const one: Record<Side, number> = { weft: 0, hand: 0 };
    const eventsOf: Record<Side, number> = { weft: 0, hand: 0 };
    const lastId: Record<Side, string> = { weft: '', hand: '' };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so drift on a noisy machine hits both sides alike.
      for (const side of (r % 2 === 0 ? ['hand', 'weft'] : ['weft', 'hand']) as Side[]) {
        const { ms, ids } = await timed(side, 1);
        one[side] += ms;
        eventsOf[side] = await events(ids[0] as string);
        lastId[side] = ids[0] as string;
      }
    }
    const many: Record<Side, number> = { weft: 0, hand: 0 };
    for (let r = 0; r < CONCURRENT_ROUNDS; r++) {
      for (const side of (r % 2 === 0 ? ['hand', 'weft'] : ['weft', 'hand']) as Side[]) many[side] += (await timed(side, CONCURRENT)).ms;
    }

    const controls = controlGraph();
    const args: ExecutionInput = { definitionId: 'bench', version: '1.0.0', graph: controls as unknown as ExecutionInput['graph'], input: {} };
    await world.client.workflow.execute('interpretGraph', { taskQueue: world.taskQueue, workflowId: `controls-warm-${randomUUID()}`, args: [args] });
    const cpu0 = process.cpuUsage();
    const controlStart = performance.now();
    const result = await world.client.workflow.execute('interpretGraph', { taskQueue: world.taskQueue, workflowId: `controls-${randomUUID()}`, args: [args] });
    const cpu = process.cpuUsage(cpu0);
    const controlWallMs = performance.now() - controlStart;
    if ((result.output as { n: number }).n !== Math.ceil(CONTROL_NODES / 3)) throw new Error(`control graph gave ${JSON.stringify(result.output)}`);

    const figures: Figure[] = [
      {
        key: 'one.ratio',
        label: `one execution, ${CALLS} API_CALL nodes: wall Weft/hand-written`,
        value: one.weft / one.hand,
        unit: 'x',
        goal: { op: '<=', value: 1.02 },
      },
      { key: 'one.weftMs', label: '  Weft (API start to result)', value: one.weft / ROUNDS, unit: 'ms' },
      { key: 'one.handMs', label: '  hand-written (client start to result)', value: one.hand / ROUNDS, unit: 'ms' },
      {
        key: 'events.extra',
        label: 'history events per execution: Weft minus hand-written',
        value: eventsOf.weft - eventsOf.hand,
        unit: 'events',
        goal: { op: '<=', value: 4 },
      },
      { key: 'events.weft', label: '  Weft history events', value: eventsOf.weft, unit: 'events' },
      {
        key: 'many.ratio',
        label: `${CONCURRENT} executions at once: wall Weft/hand-written`,
        value: many.weft / many.hand,
        unit: 'x',
        goal: { op: '<=', value: 1.1 },
      },
      { key: 'many.weftMs', label: `  Weft, ${CONCURRENT} at once`, value: many.weft / CONCURRENT_ROUNDS, unit: 'ms' },
      { key: 'many.handMs', label: `  hand-written, ${CONCURRENT} at once`, value: many.hand / CONCURRENT_ROUNDS, unit: 'ms' },
      {
        key: 'control.cpuUs',
        label: 'worker process CPU per control node (IF/SWITCH/assign)',
        value: (cpu.user + cpu.system) / CONTROL_NODES,
        unit: 'µs',
        goal: { op: '<=', value: 50 },
      },
    ];
    saveReport({
      bench: 'interpreter',
      mode,
      params: {
        calls: CALLS,
        rounds: ROUNDS,
        concurrent: CONCURRENT,
        concurrentRounds: CONCURRENT_ROUNDS,
        controlNodes: CONTROL_NODES,
        database: world.database,
      },
      figures,
      notes: [`extra history events by kind: ${(await extraKinds(lastId.weft, lastId.hand)).join(', ')}`, `control graph: ${controlWallMs.toFixed(0)} ms wall`],
    });
  } finally {
    await world.close();
  }
}

runBench(main);
