import { assertValidDefinition, diffDefinitions, type WorkflowDefinition } from '../../../src/graph';
import { graphMdExample } from './fixtures';

type Json = Record<string, unknown>;

function base(): WorkflowDefinition {
  return assertValidDefinition(graphMdExample());
}

/** A modified copy of the GRAPH.md example, parsed. */
function edited(edit: (def: Json) => void): WorkflowDefinition {
  const def = graphMdExample();
  edit(def);
  return assertValidDefinition(def);
}

const nodes = (def: Json) => def.nodes as Json[];
const edges = (def: Json) => def.edges as Json[];

describe('diffDefinitions', () => {
  it('finds no difference between equal definitions', () => {
    expect(diffDefinitions(base(), base())).toEqual({ isDifferent: false, changeCount: 0, changes: [], compatibility: 'compatible', reasons: [] });
  });

  it('ignores key order and index shifts of nodes', () => {
    const b = edited((def) => {
      nodes(def).reverse();
      nodes(def)[0] = { type: 'END', id: 'small', properties: { output: { big: 'false', total: 'vars.total' } } };
    });
    expect(diffDefinitions(base(), b).isDifferent).toBe(false);
  });

  it('reports an added node and edge as compatible', () => {
    const b = edited((def) => {
      nodes(def).push({ id: 'audit', type: 'WAIT', properties: { duration: '1s' } });
      edges(def)[3] = { id: 'e4', source: 'big', sourcePort: 'false', target: 'audit' };
      edges(def).push({ id: 'e5', source: 'audit', target: 'small' });
    });
    const diff = diffDefinitions(base(), b);
    expect(diff.compatibility).toBe('compatible');
    expect(diff.changes.map((c) => `${c.type} ${c.path}`)).toEqual(['node_added /nodes/audit', 'edge_modified /edges/e4/target', 'edge_added /edges/e5']);
    expect(diff.changes[1]).toMatchObject({ oldValue: 'small', newValue: 'audit' });
    expect(diff.changeCount).toBe(3);
  });

  it('reports property changes per property, compatible', () => {
    const b = edited((def) => {
      nodes(def)[2] = { id: 'big', type: 'IF_THEN_ELSE', name: 'Big order?', properties: { condition: 'vars.total >= vars.threshold' } };
    });
    const diff = diffDefinitions(base(), b);
    expect(diff.changes).toEqual([
      { type: 'node_modified', path: '/nodes/big/properties/condition', oldValue: 'vars.total > vars.threshold', newValue: 'vars.total >= vars.threshold' },
      { type: 'node_modified', path: '/nodes/big/name', newValue: 'Big order?' },
    ]);
    expect(diff.compatibility).toBe('compatible');
  });

  it('calls a removed node breaking', () => {
    const b = edited((def) => {
      nodes(def).splice(4, 1);
      edges(def)[3] = { id: 'e4', source: 'big', sourcePort: 'false', target: 'done' };
    });
    const diff = diffDefinitions(base(), b);
    expect(diff.compatibility).toBe('breaking');
    expect(diff.changes.map((c) => `${c.type} ${c.path}`)).toEqual(['node_removed /nodes/small', 'edge_modified /edges/e4/target']);
  });

  it('calls a changed node type breaking', () => {
    const b = edited((def) => {
      nodes(def)[1] = { id: 'total', type: 'WAIT', properties: { duration: '1s' } };
    });
    const diff = diffDefinitions(base(), b);
    expect(diff.compatibility).toBe('breaking');
    expect(diff.changes.map((c) => c.path)).toEqual(['/nodes/total/type', '/nodes/total/properties/assign', '/nodes/total/properties/duration']);
  });

  it('says a variable type change requires migration, a new default does not', () => {
    const retyped = edited((def) => {
      def.variables = { threshold: { type: 'string', value: '100', scope: 'global' } };
    });
    const diff = diffDefinitions(base(), retyped);
    expect(diff.compatibility).toBe('requires_migration');
    expect(diff.changes).toEqual([
      {
        type: 'variable_changed',
        path: '/variables/threshold',
        oldValue: { type: 'number', value: 100, scope: 'global' },
        newValue: { type: 'string', value: '100', scope: 'global' },
      },
    ]);

    const newDefault = edited((def) => {
      def.variables = { threshold: { type: 'number', value: 200, scope: 'global' }, added: { type: 'boolean' } };
    });
    const d2 = diffDefinitions(base(), newDefault);
    expect(d2.compatibility).toBe('compatible');
    expect(d2.changes.map((c) => `${c.type} ${c.path}`)).toEqual(['variable_changed /variables/threshold', 'variable_changed /variables/added']);
  });

  it('prefers breaking over requires_migration', () => {
    const b = edited((def) => {
      def.variables = { threshold: { type: 'string' } };
      nodes(def)[2] = { id: 'big', type: 'SWITCH', properties: { expression: 'vars.threshold' } };
    });
    expect(diffDefinitions(base(), b).compatibility).toBe('breaking');
  });

  it('matches edges without ids by source, target and port', () => {
    const a = edited((def) => {
      def.edges = edges(def).map(({ id: _id, ...rest }) => rest);
    });
    const b = edited((def) => {
      def.edges = edges(def).map(({ id: _id, ...rest }) => rest);
      (def.edges as Json[])[1] = { source: 'total', target: 'big', priority: 5 };
      (def.edges as Json[])[3] = { source: 'big', sourcePort: 'false', target: 'small', priority: 1 };
      (def.edges as Json[]).push({ source: 'big', sourcePort: 'false', target: 'done' });
    });
    const diff = diffDefinitions(a, b);
    expect(diff.changes.map((c) => `${c.type} ${c.path}`)).toEqual([
      'edge_modified /edges/total->big:/priority',
      'edge_modified /edges/big->small:false/priority',
      'edge_added /edges/big->done:false',
    ]);
    expect(diff.compatibility).toBe('compatible');
  });

  it('reports a removed edge', () => {
    const a = edited((def) => {
      edges(def).push({ id: 'shortcut', source: 'start', target: 'big', condition: 'input.rush', priority: 1 });
    });
    const diff = diffDefinitions(a, base());
    expect(diff.changes).toEqual([
      { type: 'edge_removed', path: '/edges/shortcut', oldValue: { id: 'shortcut', source: 'start', target: 'big', condition: 'input.rush', priority: 1 } },
    ]);
    expect(diff.compatibility).toBe('compatible');
  });

  it('reports configuration changes', () => {
    const b = edited((def) => {
      def.description = 'reviews orders';
      def.settings = { maxSteps: 50 };
      def.tags = ['sales'];
    });
    expect(diffDefinitions(base(), b).changes).toEqual([
      { type: 'config_changed', path: '/description', oldValue: 'optional', newValue: 'reviews orders' },
      { type: 'config_changed', path: '/settings/maxSteps', oldValue: 10_000, newValue: 50 },
      { type: 'config_changed', path: '/tags', newValue: ['sales'] },
    ]);
  });
});
