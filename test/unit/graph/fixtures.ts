import type { ExpressionContext } from '../../../src/graph';

/** The example of GRAPH.md, verbatim. */
export function graphMdExample(): Record<string, unknown> {
  return {
    name: 'order-review',
    description: 'optional',
    variables: {
      threshold: { type: 'number', value: 100, scope: 'global' },
    },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'total', type: 'DATA_TRANSFORMATION', properties: { assign: { total: '$sum(input.items.(price * qty))' } } },
      { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: 'vars.total > vars.threshold' } },
      { id: 'done', type: 'END', properties: { output: { total: 'vars.total', big: 'true' } } },
      { id: 'small', type: 'END', properties: { output: { total: 'vars.total', big: 'false' } } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'total' },
      { id: 'e2', source: 'total', target: 'big' },
      { id: 'e3', source: 'big', sourcePort: 'true', target: 'done' },
      { id: 'e4', source: 'big', sourcePort: 'false', target: 'small' },
    ],
  };
}

/** A minimal valid graph: start → (middle nodes in order) → end. */
export function linear(middle: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const nodes = [{ id: 'start', type: 'START' }, ...middle, { id: 'end', type: 'END' }];
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]?.id, target: n.id }));
  return { name: 'linear', nodes, edges, ...extra };
}

/** An expression context with the given parts. */
export function ctx(parts: Partial<ExpressionContext> = {}): ExpressionContext {
  return {
    input: {},
    vars: {},
    nodes: {},
    execution: { id: 'exec-1', workflowId: 'wf-1', version: '1.2.0', startedAt: '2024-05-01T10:00:00.000Z' },
    ...parts,
  };
}
