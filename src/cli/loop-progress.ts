/**
 * How far a running LOOP is, for `weft watch`: iterations done are the runs of the body's last
 * nodes (those whose edge leads back to the LOOP) since the LOOP started; the total, for an
 * `items` loop, is its `items` expression evaluated as the execution saw it — its input, the
 * variables' declared values and the outputs in the trace — and unknown when that cannot be told
 * (it reads a variable changed since, or the loop runs in batch children the trace does not show).
 */
import { evaluateExpression } from '../graph/expressions';

interface GraphShape {
  variables?: Record<string, { value?: unknown }>;
  nodes: Array<{ id: string; type: string; properties?: { items?: unknown } }>;
  edges: Array<{ source: string; target: string; sourcePort?: string }>;
}

/** A node run as the trace lists it (the fields this module reads). */
export interface TraceRun {
  seq: number;
  nodeId: string;
  nodeType: string;
  status: string;
  output?: unknown;
}

/** A LOOP of the graph: how its iterations end, and what it iterates over. */
export interface LoopPlan {
  backSources: Set<string>;
  items?: string;
}

/** The LOOP nodes of a graph by id. */
export function loopPlans(graph: GraphShape): Map<string, LoopPlan> {
  const plans = new Map<string, LoopPlan>();
  for (const node of graph.nodes) {
    if (node.type !== 'LOOP') continue;
    // The edge leading into the loop targets it too: only body nodes end an iteration.
    const body = bodyNodes(graph, node.id);
    const backSources = new Set(graph.edges.filter((e) => e.target === node.id && body.has(e.source)).map((e) => e.source));
    const items = node.properties?.items;
    plans.set(node.id, { backSources, ...(typeof items === 'string' ? { items } : {}) });
  }
  return plans;
}

/** Nodes reachable from the LOOP's `body` port without passing the LOOP again. */
function bodyNodes(graph: GraphShape, loopId: string): Set<string> {
  const seen = new Set<string>();
  const queue = graph.edges.filter((e) => e.source === loopId && e.sourcePort === 'body').map((e) => e.target);
  while (queue.length) {
    const id = queue.shift()!;
    if (id === loopId || seen.has(id)) continue;
    seen.add(id);
    for (const e of graph.edges) if (e.source === id) queue.push(e.target);
  }
  return seen;
}

/** Iterations done (and the total when it can be told) of the LOOP run `loop` in `trace`. */
export function loopProgress(
  plan: LoopPlan,
  loop: TraceRun,
  trace: TraceRun[],
  seen: { input: unknown; graph: GraphShape; execution: { id: string; workflowId: string; version: string } },
): { done: number; total: number | undefined } {
  const done = trace.filter((e) => e.seq > loop.seq && e.status === 'completed' && plan.backSources.has(e.nodeId)).length;
  return { done, total: plan.items === undefined ? undefined : itemCount(plan.items, loop, trace, seen) };
}

function itemCount(items: string, loop: TraceRun, trace: TraceRun[], seen: Parameters<typeof loopProgress>[3]): number | undefined {
  const nodes: Record<string, { output: unknown }> = {};
  for (const e of trace) if (e.seq < loop.seq && e.status === 'completed') nodes[e.nodeId] = { output: e.output };
  const vars = Object.fromEntries(Object.entries(seen.graph.variables ?? {}).map(([k, v]) => [k, v.value ?? null]));
  try {
    const value = evaluateExpression(items, { input: seen.input, vars, nodes, execution: { ...seen.execution, startedAt: '' } });
    return Array.isArray(value) ? value.length : value === null || value === undefined ? 0 : 1;
  } catch {
    return undefined;
  }
}

/** `[#####-----] 5/10`, or `5 iterations` when the total is not known. */
export function progressBar(done: number, total: number | undefined, width = 20): string {
  if (total === undefined || total === 0) return `${done} iteration${done === 1 ? '' : 's'}`;
  const filled = Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}
