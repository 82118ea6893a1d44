import type { GraphEdge, WorkflowDefinition } from '../graph/schema';

/** Outgoing edges by source node id, in definition order (ties in priority go to the earlier edge). */
export type EdgeIndex = Map<string, GraphEdge[]>;

export function indexEdges(graph: WorkflowDefinition): EdgeIndex {
  const index: EdgeIndex = new Map();
  for (const edge of graph.edges) {
    const list = index.get(edge.source) ?? [];
    list.push(edge);
    index.set(edge.source, list);
  }
  return index;
}

/**
 * The edges a completed node may follow from `port`, highest priority first; a stable sort
 * keeps definition order among equal priorities.
 */
export function candidateEdges(index: EdgeIndex, nodeId: string, port: string | undefined): GraphEdge[] {
  const out = (index.get(nodeId) ?? []).filter((e) => (e.sourcePort ?? undefined) === port);
  return out
    .map((edge, order) => ({ edge, order }))
    .sort((a, b) => (b.edge.priority ?? 0) - (a.edge.priority ?? 0) || a.order - b.order)
    .map((x) => x.edge);
}

/** True when some edge from `nodeId` leaves through `port`; SWITCH falls back to `default` otherwise. */
export function hasPort(index: EdgeIndex, nodeId: string, port: string): boolean {
  return (index.get(nodeId) ?? []).some((e) => e.sourcePort === port);
}
