import { assertValidDefinition, type ValidationIssue, validateDefinition, WeftError, wrapValidationIssues } from '../../../src/graph';
import { graphMdExample, linear } from './fixtures';

function issuesOf(raw: unknown): ValidationIssue[] {
  const result = validateDefinition(raw);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.issues;
}

/** The issues as "code path" strings, for compact exact assertions. */
function codesAndPaths(raw: unknown): string[] {
  return issuesOf(raw).map((i) => `${i.code} ${i.path}`);
}

type Json = Record<string, unknown>;
const nodesOf = (def: Json) => def.nodes as Json[];
const edgesOf = (def: Json) => def.edges as Json[];

describe('validateDefinition: valid definitions', () => {
  it('accepts the GRAPH.md example and applies defaults', () => {
    const result = validateDefinition(graphMdExample());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.name).toBe('order-review');
    expect(result.definition.settings).toEqual({ maxSteps: 10_000 });
    expect(result.definition.edges.map((e) => e.priority)).toEqual([0, 0, 0, 0]);
    expect(result.definition.nodes[0]).toEqual({ id: 'start', type: 'START', properties: {} });
    expect(result.definition.variables.threshold).toEqual({ type: 'number', value: 100, scope: 'global' });
  });

  it('strips unknown top-level keys instead of failing', () => {
    const def = { ...graphMdExample(), createdAt: 123, isActive: true };
    const result = validateDefinition(def);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.definition).not.toHaveProperty('createdAt');
  });

  it('allows cycles', () => {
    const def = graphMdExample();
    nodesOf(def).push({ id: 'retry', type: 'WAIT', properties: { duration: '5s' } });
    const edges = edgesOf(def);
    edges[3] = { id: 'e4', source: 'big', sourcePort: 'false', target: 'retry' };
    edges.push({ id: 'e5', source: 'retry', target: 'total' });
    // "small" is now unreachable; give it a way in so the only novelty is the cycle.
    edges.push({ id: 'e6', source: 'retry', target: 'small', condition: 'vars.total = 0', priority: 1 });
    expect(validateDefinition(def)).toMatchObject({ ok: true });
  });

  it('accepts SWITCH edges on any port, and the common side-effect properties on API_CALL', () => {
    const def = {
      name: 'switchy',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'route', type: 'SWITCH', properties: { expression: 'input.kind' } },
        {
          id: 'call',
          type: 'API_CALL',
          properties: {
            method: 'POST',
            url: 'https://example.test/orders/${input.id}',
            headers: { authorization: 'Bearer {{vars.token}}' },
            body: { items: [{ sku: '{{input.sku}}' }], note: 'plain' },
            retry: { maxAttempts: 3, strategy: 'FIXED' },
            timeoutMs: 5000,
            continueOnError: true,
          },
        },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'route' },
        { source: 'route', sourcePort: 'order', target: 'call' },
        { source: 'route', sourcePort: 'default', target: 'end' },
        { source: 'call', target: 'end' },
      ],
    };
    expect(validateDefinition(def)).toMatchObject({ ok: true });
  });
});

describe('validateDefinition: graph rules (code and JSON path)', () => {
  it('refuses a non-object', () => {
    expect(codesAndPaths([1, 2])).toEqual(['INVALID_WORKFLOW ']);
    expect(codesAndPaths(null)).toEqual(['INVALID_WORKFLOW ']);
  });

  it('requires a START', () => {
    const def = graphMdExample();
    nodesOf(def)[0] = { id: 'start', type: 'WAIT', properties: { duration: '1s' } };
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /nodes']);
  });

  it('refuses a second START at its type', () => {
    const def = graphMdExample();
    nodesOf(def).push({ id: 'start2', type: 'START' });
    edgesOf(def).push({ source: 'start2', target: 'total' });
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /nodes/5/type', 'INVALID_WORKFLOW /nodes/5']);
    expect(issuesOf(def)[1]?.message).toMatch(/not reachable/);
  });

  it('requires an END', () => {
    const def = {
      name: 'no-end',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'a', type: 'WAIT', properties: { duration: '1s' } },
      ],
      edges: [
        { source: 'start', target: 'a' },
        { source: 'a', target: 'start' },
      ],
    };
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /nodes']);
    expect(issuesOf(def)[0]?.message).toMatch(/END/);
  });

  it('refuses duplicate node ids at the duplicate', () => {
    const def = graphMdExample();
    nodesOf(def)[4] = { id: 'done', type: 'END' };
    const issues = issuesOf(def);
    expect(issues).toContainEqual(expect.objectContaining({ code: 'INVALID_WORKFLOW', path: '/nodes/4/id' }));
    expect(issues.find((i) => i.path === '/nodes/4/id')?.message).toMatch(/Duplicate node id "done"/);
  });

  it('refuses duplicate edge ids at the duplicate', () => {
    const def = graphMdExample();
    edgesOf(def)[3] = { id: 'e3', source: 'big', sourcePort: 'false', target: 'small' };
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /edges/3/id']);
  });

  it('refuses edges naming missing nodes, at source or target', () => {
    const def = graphMdExample();
    edgesOf(def)[1] = { id: 'e2', source: 'total', target: 'nowhere' };
    edgesOf(def).push({ id: 'e5', source: 'ghost', target: 'big' });
    const issues = codesAndPaths(def);
    expect(issues).toContain('INVALID_WORKFLOW /edges/1/target');
    expect(issues).toContain('INVALID_WORKFLOW /edges/4/source');
  });

  it('refuses ports the node does not have', () => {
    const def = graphMdExample();
    edgesOf(def)[2] = { id: 'e3', source: 'big', sourcePort: 'yes', target: 'done' };
    edgesOf(def)[1] = { id: 'e2', source: 'total', sourcePort: 'out', target: 'big' };
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /edges/1/sourcePort', 'INVALID_WORKFLOW /edges/2/sourcePort']);
    expect(issuesOf(def)[1]?.message).toMatch(/no port "yes"; its ports are true, false/);
  });

  it('requires edges leaving IF_THEN_ELSE and SWITCH to name a port', () => {
    const def = graphMdExample();
    edgesOf(def)[2] = { id: 'e3', source: 'big', target: 'done' };
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /edges/2/sourcePort']);

    const sw = linear([{ id: 's', type: 'SWITCH', properties: { expression: 'input.kind' } }]);
    expect(codesAndPaths(sw)).toEqual(['INVALID_WORKFLOW /edges/1/sourcePort']);
  });

  it('refuses nodes unreachable from START', () => {
    const def = graphMdExample();
    nodesOf(def).push({ id: 'island', type: 'END' });
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /nodes/5']);
    expect(issuesOf(def)[0]?.message).toBe('Node "island" is not reachable from START');
  });

  it('refuses non-END nodes without an outgoing edge', () => {
    const def = graphMdExample();
    nodesOf(def).push({ id: 'stuck', type: 'WAIT', properties: { duration: '1s' } });
    edgesOf(def).push({ source: 'start', target: 'stuck', priority: -1 });
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /nodes/5']);
    expect(issuesOf(def)[0]?.message).toMatch(/"stuck" has no outgoing edge/);
  });

  it('refuses edges leaving an END', () => {
    const def = graphMdExample();
    edgesOf(def).push({ source: 'done', target: 'small' });
    expect(codesAndPaths(def)).toEqual(['INVALID_WORKFLOW /edges/4/source']);
  });
});

describe('validateDefinition: node types and properties', () => {
  it('refuses unknown node types with INVALID_NODE_TYPE', () => {
    const def = linear([{ id: 'x', type: 'TELEPORT' }]);
    expect(codesAndPaths(def)).toEqual(['INVALID_NODE_TYPE /nodes/1/type']);
    const lower = linear([{ id: 'x', type: 'start' }]);
    expect(codesAndPaths(lower)).toEqual(['INVALID_NODE_TYPE /nodes/1/type']);
  });

  it('checks LOOP and PARALLEL structure: a LOOP needs body and done edges, PARALLEL must join at another node', () => {
    const loop = {
      name: 'l',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'each', type: 'LOOP', properties: { items: 'input.items', while: 'true' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'each' },
        { source: 'each', sourcePort: 'done', target: 'end' },
      ],
    };
    expect(codesAndPaths(loop)).toEqual(['VALIDATION_ERROR /nodes/1/properties', 'INVALID_WORKFLOW /nodes/1']);
    expect(issuesOf(loop)[1]?.message).toMatch(/port "body"/);

    const parallel = linear([{ id: 'fan', type: 'PARALLEL', properties: { join: 'nowhere', waitStrategy: 'some' } }]);
    expect(codesAndPaths(parallel)).toEqual(['VALIDATION_ERROR /nodes/1/properties/waitStrategy', 'INVALID_WORKFLOW /nodes/1/properties/join']);
    expect(validateDefinition(linear([{ id: 'fan', type: 'PARALLEL', properties: { join: 'end' } }])).ok).toBe(true);
  });

  it('maps each property issue to its full pointer', () => {
    const def = linear([
      { id: 'cond', type: 'IF_THEN_ELSE', properties: {} },
      { id: 'call', type: 'API_CALL', properties: { url: 'https://x.test', method: 'FETCH', retry: { maxAttempts: 0 }, colour: 'red' } },
      { id: 'tx', type: 'DATA_TRANSFORMATION', properties: { assign: {} } },
    ]);
    // Keep the graph otherwise valid: the IF needs ported edges.
    const edges = edgesOf(def);
    edges[1] = { source: 'cond', sourcePort: 'true', target: 'call' };
    edges.push({ source: 'cond', sourcePort: 'false', target: 'end' });
    const issues = codesAndPaths(def);
    expect(issues).toEqual(
      expect.arrayContaining([
        'VALIDATION_ERROR /nodes/1/properties/condition',
        'VALIDATION_ERROR /nodes/2/properties/method',
        'VALIDATION_ERROR /nodes/2/properties/retry/maxAttempts',
        'VALIDATION_ERROR /nodes/2/properties/colour',
        'VALIDATION_ERROR /nodes/3/properties/assign',
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('tolerates side-effect properties only on side-effect nodes', () => {
    const def = graphMdExample();
    nodesOf(def)[2] = { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: 'true', retry: { maxAttempts: 2 } } };
    expect(codesAndPaths(def)).toEqual(['VALIDATION_ERROR /nodes/2/properties/retry']);
  });

  it('requires exactly one of duration and until on WAIT, and a valid duration', () => {
    expect(codesAndPaths(linear([{ id: 'w', type: 'WAIT', properties: {} }]))).toEqual(['VALIDATION_ERROR /nodes/1/properties']);
    expect(codesAndPaths(linear([{ id: 'w', type: 'WAIT', properties: { duration: '5s', until: 'input.at' } }]))).toEqual([
      'VALIDATION_ERROR /nodes/1/properties',
    ]);
    expect(codesAndPaths(linear([{ id: 'w', type: 'WAIT', properties: { duration: '5 minutes' } }]))).toEqual([
      'VALIDATION_ERROR /nodes/1/properties/duration',
    ]);
    expect(validateDefinition(linear([{ id: 'w', type: 'WAIT', properties: { until: 'input.at' } }]))).toMatchObject({ ok: true });
  });

  it('refuses node ids that cannot be used as nodes.<id>', () => {
    const def = linear([{ id: '1st', type: 'WAIT', properties: { duration: '1s' } }]);
    expect(codesAndPaths(def)).toEqual(['VALIDATION_ERROR /nodes/1/id']);
  });

  it('refuses variable defaults that do not match their type', () => {
    const def = graphMdExample();
    def.variables = {
      threshold: { type: 'number', value: '100' },
      tags: { type: 'array', value: { a: 1 } },
      ok: { type: 'object', value: { a: 1 } },
      unset: { type: 'string' },
    };
    expect(codesAndPaths(def)).toEqual(['INVALID_VARIABLE_TYPE /variables/threshold/value', 'INVALID_VARIABLE_TYPE /variables/tags/value']);
  });
});

describe('validateDefinition: expressions', () => {
  it('reports each expression that does not parse at its property path', () => {
    const def = graphMdExample();
    const nodes = nodesOf(def);
    nodes[1] = { id: 'total', type: 'DATA_TRANSFORMATION', properties: { assign: { total: '$sum(input.items.(price * qty)', ok: '1' } } };
    nodes[2] = { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: 'vars.total >' } };
    nodes[3] = { id: 'done', type: 'END', properties: { output: { 'a/b': '{', fine: 'vars.total' } } };
    edgesOf(def)[1] = { id: 'e2', source: 'total', target: 'big', condition: 'vars.total = = 1' };
    expect(codesAndPaths(def)).toEqual([
      'EXPRESSION_ERROR /nodes/1/properties/assign/total',
      'EXPRESSION_ERROR /nodes/2/properties/condition',
      'EXPRESSION_ERROR /nodes/3/properties/output/a~1b',
      'EXPRESSION_ERROR /edges/1/condition',
    ]);
  });

  it('checks every template of an API_CALL, including strings deep in the body', () => {
    const def = linear([
      {
        id: 'call',
        type: 'API_CALL',
        properties: {
          url: 'https://x.test/${input.id',
          headers: { 'x-total': '{{ vars.total + }}' },
          query: { q: '${input.q}' },
          body: { items: [{ name: 'ok', sku: '{{ input.sku[ }}' }] },
        },
      },
    ]);
    expect(codesAndPaths(def)).toEqual([
      'EXPRESSION_ERROR /nodes/1/properties/url',
      'EXPRESSION_ERROR /nodes/1/properties/headers/x-total',
      'EXPRESSION_ERROR /nodes/1/properties/body/items/0/sku',
    ]);
  });

  it('refuses catastrophic regexes at validation time and keeps ordinary ones', () => {
    const def = graphMdExample();
    nodesOf(def)[2] = { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: '$contains(input.code, /(a+)+$/)' } };
    const issues = issuesOf(def);
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(['EXPRESSION_ERROR /nodes/2/properties/condition']);
    expect(issues[0]?.message).toMatch(/nested quantifiers/);

    nodesOf(def)[2] = { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: '$contains(input.code, /^[A-Z]+$/)' } };
    expect(validateDefinition(def)).toMatchObject({ ok: true });
  });

  it('refuses $eval', () => {
    const def = graphMdExample();
    nodesOf(def)[2] = { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: '$eval(input.code)' } };
    expect(codesAndPaths(def)).toEqual(['EXPRESSION_ERROR /nodes/2/properties/condition']);
  });
});

describe('validateDefinition: many issues at once', () => {
  it('reports every issue, not just the first', () => {
    const def = {
      name: '',
      variables: { limit: { type: 'boolean', value: 3 } },
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'start', type: 'START' },
        { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: '((' } },
        { id: 'odd', type: 'MYSTERY' },
        { id: 'later', type: 'EVENT_SUBSCRIBER' },
      ],
      edges: [
        { source: 'start', target: 'check' },
        { source: 'check', sourcePort: 'maybe', target: 'missing' },
      ],
    };
    expect(codesAndPaths(def)).toEqual([
      'VALIDATION_ERROR /name',
      'INVALID_VARIABLE_TYPE /variables/limit/value',
      'INVALID_WORKFLOW /nodes/1/id',
      'EXPRESSION_ERROR /nodes/2/properties/condition',
      'INVALID_NODE_TYPE /nodes/3/type',
      'VALIDATION_ERROR /nodes/4/properties/event',
      'INVALID_WORKFLOW /edges/1/target',
      'INVALID_WORKFLOW /edges/1/sourcePort',
      'INVALID_WORKFLOW /nodes/1/type',
      'INVALID_WORKFLOW /nodes',
      'INVALID_WORKFLOW /nodes/3',
      'INVALID_WORKFLOW /nodes/3',
      'INVALID_WORKFLOW /nodes/4',
      'INVALID_WORKFLOW /nodes/4',
    ]);
  });

  it('reports shape problems of edges and nodes alongside graph problems', () => {
    const def = graphMdExample();
    edgesOf(def).push({ source: 'big', priority: 'high' });
    nodesOf(def).push({ type: 'END' });
    const issues = codesAndPaths(def);
    expect(issues).toEqual(expect.arrayContaining(['VALIDATION_ERROR /nodes/5/id', 'VALIDATION_ERROR /edges/4/target', 'VALIDATION_ERROR /edges/4/priority']));
  });
});

describe('wrapValidationIssues / assertValidDefinition', () => {
  it('returns the parsed definition when valid', () => {
    expect(assertValidDefinition(graphMdExample()).nodes).toHaveLength(5);
  });

  it('throws INVALID_WORKFLOW (422) carrying every issue', () => {
    const def = graphMdExample();
    nodesOf(def).push({ id: 'island', type: 'END' }, { id: 'x', type: 'NOPE' });
    let caught: unknown;
    try {
      assertValidDefinition(def);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WeftError);
    const err = caught as WeftError;
    expect(err.code).toBe('INVALID_WORKFLOW');
    expect(err.status).toBe(422);
    expect(err.issues.map((i) => i.path)).toEqual(['/nodes/6/type', '/nodes/5', '/nodes/6', '/nodes/6']);
  });

  it('summarises the first issue in the message', () => {
    const err = wrapValidationIssues([{ path: '/nodes/0/type', code: 'INVALID_NODE_TYPE', message: 'Unknown node type "X"' }]);
    expect(err.message).toBe('Workflow definition is invalid: 1 issue (first: /nodes/0/type: Unknown node type "X")');
  });
});
