import type { ExpressionContext } from '../graph/expressions';
import type { GraphEdge, GraphNode } from '../graph/schema';
import type { NodeOutputs, NodeScope } from './node-scopes';

/** Per-branch context: what a LOOP iteration adds to the expression context as `loop`. */
export interface Frame {
  loop?: { item: unknown; index: number; count: number | null };
  /** Names a detached run adds to the expression context (`compensating`, `stateTimeout`). */
  scope?: Record<string, unknown>;
  /** The node outputs of the iteration or branch this walk is (see node-scopes.ts); absent: the execution's own. */
  nodes?: NodeScope;
}

/** How a walk along the graph ended. */
export type WalkResult =
  /** An END node ran; its output. */
  | { kind: 'end'; output: unknown }
  /** The walk arrived at the node it was told to stop at (a join, or its LOOP); the last output. */
  | { kind: 'reached'; lastOutput: unknown };

/** What PARALLEL and LOOP need from the interpreter: walks that stop at a node, and the context. */
export interface Walker {
  /** Runs nodes from `start` until `stopAt` is reached (not run) or an END has run. */
  walkFrom(start: GraphNode, stopAt: string | undefined, frame: Frame): Promise<WalkResult>;
  context(frame: Frame, extra?: Record<string, unknown>): ExpressionContext;
  /** Edges leaving `nodeId` through `port` whose condition holds, highest priority first. */
  matchingEdges(nodeId: string, port: string | undefined, frame: Frame): GraphEdge[];
  node(id: string): GraphNode | undefined;
  /** The node outputs a walk in `frame` reads and writes. */
  scopeOf(frame: Frame): NodeScope;
  /** Whether iterations and branches get outputs of their own; false for executions recorded before (node-scopes.ts). */
  scopesOutputs(): boolean;
}

export function lastOutputOf(result: WalkResult): unknown {
  return result.kind === 'end' ? result.output : result.lastOutput;
}

/**
 * The frame of one LOOP iteration (with its `loop`) or PARALLEL branch inside `frame`, with node
 * outputs of its own when the execution scopes them; hand them back with {@link handBack}.
 */
export function innerFrame(walker: Walker, frame: Frame, loop?: Frame['loop']): Frame {
  if (!walker.scopesOutputs()) return loop ? { ...frame, loop } : frame;
  return { ...frame, ...(loop ? { loop } : {}), nodes: walker.scopeOf(frame).open() };
}

/**
 * Hands what finished inner frames wrote (`inner.nodes?.written()`) to `frame`'s scope, in the
 * order given: of a node several ran, the last one's output wins. Undefined entries (frames that
 * share the enclosing outputs) hand nothing.
 */
export function handBack(walker: Walker, frame: Frame, written: Array<NodeOutputs | undefined>): void {
  const scope = walker.scopeOf(frame);
  for (const outputs of written) if (outputs) scope.absorb(outputs);
}
