import type { ExpressionContext } from '../graph/expressions';
import type { GraphEdge, GraphNode } from '../graph/schema';

/** Per-branch context: what a LOOP iteration adds to the expression context as `loop`. */
export interface Frame {
  loop?: { item: unknown; index: number; count: number | null };
  /** Names a detached run adds to the expression context (`compensating`, `stateTimeout`). */
  scope?: Record<string, unknown>;
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
}

export function lastOutputOf(result: WalkResult): unknown {
  return result.kind === 'end' ? result.output : result.lastOutput;
}
