/**
 * A definition built around one LOOP node, for the loop tests: START → LOOP, whose `body` port
 * runs `body` (a chain of nodes, in order) back to the LOOP, whose `done` port leads to an END
 * with `output` `end`.
 */
export function loopGraph(
  loop: Record<string, unknown>,
  body: Array<Record<string, unknown>>,
  end: Record<string, string>,
  graph: { name: string; variables: Record<string, unknown>; settings?: Record<string, unknown> },
) {
  const ids = body.map((n) => n.id as string);
  return {
    name: graph.name,
    variables: graph.variables,
    nodes: [{ id: 'start', type: 'START' }, { id: 'each', type: 'LOOP', properties: loop }, ...body, { id: 'end', type: 'END', properties: { output: end } }],
    edges: [
      { source: 'start', target: 'each' },
      { source: 'each', sourcePort: 'body', target: ids[0] },
      ...ids.slice(1).map((id, i) => ({ source: ids[i], target: id })),
      { source: ids[ids.length - 1], target: 'each' },
      { source: 'each', sourcePort: 'done', target: 'end' },
    ],
    ...(graph.settings ? { settings: graph.settings } : {}),
  };
}
