/**
 * A definition whose nodes run in a line: START → `nodes`, in order → END, the END returning
 * `output` when given (else the variables).
 */
export function lineGraph(name: string, nodes: Array<Record<string, unknown>>, output?: Record<string, string>) {
  const all = [{ id: 'start', type: 'START' }, ...nodes, { id: 'end', type: 'END', ...(output ? { properties: { output } } : {}) }];
  return { name, nodes: all, edges: all.slice(1).map((n, i) => ({ source: all[i]?.id as string, target: n.id as string })) };
}
