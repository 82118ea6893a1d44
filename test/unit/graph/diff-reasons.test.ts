import { assertValidDefinition, diffDefinitions, type WorkflowDefinition } from '../../../src/graph';
import { schemaTightenings } from '../../../src/graph/schema-tightening';
import { graphMdExample, linear } from './fixtures';

type Json = Record<string, unknown>;

function edited(edit: (def: Json) => void): WorkflowDefinition {
  const def = graphMdExample();
  edit(def);
  return assertValidDefinition(def);
}

const base = () => edited(() => undefined);
const nodes = (def: Json) => def.nodes as Json[];
const edges = (def: Json) => def.edges as Json[];

/** A graph whose one VALIDATION node checks the input against `schema`. */
function validating(schema: unknown): WorkflowDefinition {
  return assertValidDefinition(linear([{ id: 'check', type: 'VALIDATION', properties: { schema } }]));
}

describe('diffDefinitions: the reasons for its verdict', () => {
  it('names a removed node as the reason it is breaking', () => {
    const b = edited((def) => {
      nodes(def).splice(4, 1);
      edges(def)[3] = { id: 'e4', source: 'big', sourcePort: 'false', target: 'done' };
    });
    expect(diffDefinitions(base(), b).reasons).toEqual([
      { compatibility: 'breaking', code: 'node_removed', path: '/nodes/small', message: expect.stringContaining('node small (END) was removed') },
    ]);
  });

  it('names a changed node type', () => {
    const b = edited((def) => {
      nodes(def)[1] = { id: 'total', type: 'WAIT', properties: { duration: '1s' } };
    });
    expect(diffDefinitions(base(), b).reasons).toEqual([
      { compatibility: 'breaking', code: 'node_type_changed', path: '/nodes/total/type', message: expect.stringContaining('DATA_TRANSFORMATION to WAIT') },
    ]);
  });

  it('names a variable whose type changed, and lists breaking reasons first', () => {
    const b = edited((def) => {
      def.variables = { threshold: { type: 'string' } };
      nodes(def)[2] = { id: 'big', type: 'SWITCH', properties: { expression: 'vars.threshold' } };
    });
    const diff = diffDefinitions(base(), b);
    expect(diff.compatibility).toBe('breaking');
    expect(diff.reasons.map((r) => `${r.compatibility} ${r.code} ${r.path}`)).toEqual([
      'breaking node_type_changed /nodes/big/type',
      'requires_migration variable_type_changed /variables/threshold',
    ]);
    expect(diff.reasons[1]?.message).toContain('from number to string');
  });

  it('calls a removed event edge breaking: instances may wait for that event', () => {
    const withTrigger = edited((def) => {
      edges(def).push({ id: 'rush', source: 'total', target: 'done', trigger: 'order.rushed', priority: 1 });
    });
    const diff = diffDefinitions(withTrigger, base());
    expect(diff.compatibility).toBe('breaking');
    expect(diff.reasons).toEqual([
      { compatibility: 'breaking', code: 'trigger_edge_removed', path: '/edges/rush', message: expect.stringContaining('order.rushed') },
    ]);
  });

  it('says a stricter VALIDATION schema requires migration, a looser one is compatible', () => {
    const loose = { type: 'object', properties: { qty: { type: 'number' } } };
    const strict = { type: 'object', required: ['qty'], properties: { qty: { type: 'integer', minimum: 1 } } };
    const diff = diffDefinitions(validating(loose), validating(strict));
    expect(diff.compatibility).toBe('requires_migration');
    expect(diff.changes.map((c) => `${c.type} ${c.path}`)).toEqual(['node_modified /nodes/check/properties/schema']);
    expect(diff.reasons.map((r) => [r.code, r.path])).toEqual([
      ['input_schema_stricter', '/nodes/check/properties/schema'],
      ['input_schema_stricter', '/nodes/check/properties/schema'],
      ['input_schema_stricter', '/nodes/check/properties/schema'],
    ]);
    expect(diff.reasons.map((r) => r.message).join('\n')).toMatch(/now requires qty[\s\S]*type narrowed from number to integer[\s\S]*minimum raised to 1/);

    const back = diffDefinitions(validating(strict), validating(loose));
    expect(back).toMatchObject({ isDifferent: true, compatibility: 'compatible', reasons: [] });
  });
});

describe('schemaTightenings', () => {
  it.each([
    ['a type where there was none', {}, { type: 'string' }, '/type'],
    ['a shrunk enum', { enum: ['a', 'b'] }, { enum: ['a'] }, '/enum'],
    ['an enum where there was none', { type: 'string' }, { type: 'string', enum: ['a'] }, '/enum'],
    ['a lowered maximum', { maximum: 10 }, { maximum: 5 }, '/maximum'],
    ['a new maxLength', {}, { maxLength: 5 }, '/maxLength'],
    ['forbidden extra properties', { type: 'object' }, { type: 'object', additionalProperties: false }, '/additionalProperties'],
    ['a pattern added', { type: 'string' }, { type: 'string', pattern: '^A' }, '/pattern'],
    ['a nested requirement', { properties: { a: { type: 'object' } } }, { properties: { a: { type: 'object', required: ['b'] } } }, '/properties/a/required'],
    ['items narrowed', { items: { type: ['string', 'number'] } }, { items: { type: 'string' } }, '/items/type'],
    ['nothing accepted', true, false, ''],
  ])('finds %s', (_what, before, after, path) => {
    expect(schemaTightenings(before, after).map((t) => t.path)).toEqual([path]);
  });

  it.each([
    ['an equal schema', { type: 'string', minLength: 1 }, { type: 'string', minLength: 1 }],
    ['a widened type', { type: 'integer' }, { type: ['number', 'null'] }],
    ['a dropped requirement', { required: ['a', 'b'] }, { required: ['a'] }],
    ['a grown enum', { enum: [1] }, { enum: [1, 2] }],
    ['a raised maximum', { maximum: 5 }, { maximum: 10 }],
    ['anything from nothing', false, { type: 'string' }],
  ])('finds nothing in %s', (_what, before, after) => {
    expect(schemaTightenings(before, after)).toEqual([]);
  });
});
