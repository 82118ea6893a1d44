/**
 * DATA_TRANSFORMATION operations (map, rename, calculate, format, merge): what each produces,
 * how they chain through variables, their bounds, and where their errors point.
 */
import { type ExpressionContext, parseNodeProperties, validateDefinition, type ValidationIssue } from '../../../src/graph';
import { applyOperations, MAX_OPERATION_ITEMS, mapItemLimits, type TransformationOperation } from '../../../src/graph/transformations';
import { thrownWeftError } from '../../support/expect-weft-error';

/** Runs `operations` (parsed as a node would be) over `input`, returning the variables after. */
function run(operations: unknown[], input: unknown = {}, vars: Record<string, unknown> = {}): Record<string, unknown> {
  const props = parseNodeProperties('DATA_TRANSFORMATION', { operations });
  const state = { ...vars };
  const context = (): ExpressionContext => ({
    input,
    vars: state,
    nodes: {},
    execution: { id: 'e', workflowId: 'w', version: '1.0.0', startedAt: '2024-01-01T00:00:00.000Z' },
  });
  applyOperations(props.operations as TransformationOperation[], context, (name, value) => (state[name] = value));
  return state;
}

const order = {
  id: 'SO-1',
  customer: { first_name: 'Ada', last_name: 'Lovelace', tier: 'gold' },
  lines: [
    { sku: 'A', price: 10, qty: 2 },
    { sku: 'B', price: 2.5, qty: 4 },
  ],
  placedAt: '2024-03-05T23:30:00Z',
};

describe('DATA_TRANSFORMATION operations', () => {
  it('map evaluates the expression per item with item and index, and sees vars', () => {
    const out = run(
      [
        {
          type: 'map',
          source: 'input.lines',
          expression: '{ "sku": item.sku, "total": item.price * item.qty * vars.rate, "line": index + 1 }',
          target: 'lines',
        },
      ],
      order,
      { rate: 2 },
    );
    expect(out.lines).toEqual([
      { sku: 'A', total: 40, line: 1 },
      { sku: 'B', total: 20, line: 2 },
    ]);
  });

  it('map over a single value treats it as one item, over nothing as no items', () => {
    expect(run([{ type: 'map', source: 'input.customer', expression: 'item.tier', target: 't' }], order).t).toEqual(['gold']);
    expect(run([{ type: 'map', source: 'input.missing', expression: 'item', target: 't' }], order).t).toEqual([]);
  });

  it('rename renames keys of an object, keeps the others in place, and applies to each object of an array', () => {
    const out = run(
      [
        { type: 'rename', source: 'input.customer', mapping: { first_name: 'firstName', last_name: 'lastName' }, target: 'customer' },
        { type: 'rename', source: 'input.lines', mapping: { qty: 'quantity' }, target: 'lines' },
      ],
      order,
    );
    expect(out.customer).toEqual({ firstName: 'Ada', lastName: 'Lovelace', tier: 'gold' });
    expect(Object.keys(out.customer as object)).toEqual(['firstName', 'lastName', 'tier']);
    expect(out.lines).toEqual([
      { sku: 'A', price: 10, quantity: 2 },
      { sku: 'B', price: 2.5, quantity: 4 },
    ]);
  });

  it('rename can swap keys, and a renamed key wins over one it lands on', () => {
    expect(run([{ type: 'rename', source: '{"a": 1, "b": 2}', mapping: { a: 'b', b: 'a' }, target: 'x' }]).x).toEqual({ b: 1, a: 2 });
    expect(run([{ type: 'rename', source: '{"old": 1, "new": 2}', mapping: { old: 'new' }, target: 'x' }]).x).toEqual({ new: 1 });
  });

  it('calculate chains: each operation sees the variables set by the ones before', () => {
    const out = run(
      [
        { type: 'calculate', expression: '$sum(input.lines.(price * qty))', target: 'subtotal' },
        { type: 'calculate', expression: 'vars.subtotal * 0.2', target: 'vat' },
        { type: 'calculate', expression: 'vars.subtotal + vars.vat', target: 'total' },
      ],
      order,
    );
    expect(out).toEqual({ subtotal: 30, vat: 6, total: 36 });
  });

  it('format dates in UTC (no host time zone), with pictures and explicit offsets', () => {
    const out = run(
      [
        { type: 'format', format: 'date', value: 'input.placedAt', target: 'day' },
        { type: 'format', format: 'date', value: 'input.placedAt', pattern: '[D01]/[M01]/[Y0001]', target: 'eu' },
        { type: 'format', format: 'date', value: 'input.placedAt', timezone: '+0100', target: 'paris' },
        { type: 'format', format: 'datetime', value: '0', target: 'epoch' },
        { type: 'format', format: 'datetime', value: 'input.placedAt', pattern: '[H01]:[m01]', target: 'time' },
      ],
      order,
    );
    expect(out).toEqual({ day: '2024-03-05', eu: '05/03/2024', paris: '2024-03-06', epoch: '1970-01-01T00:00:00.000Z', time: '23:30' });
  });

  it('formats numbers, currencies and text', () => {
    const out = run(
      [
        { type: 'format', format: 'number', value: '1234567.891', target: 'plain' },
        { type: 'format', format: 'number', value: '3.14159', decimals: 2, target: 'two' },
        { type: 'format', format: 'number', value: '"42"', pattern: '000', target: 'padded' },
        { type: 'format', format: 'currency', value: '1234.5', target: 'usd' },
        { type: 'format', format: 'currency', value: '-9.99', currency: 'EUR', target: 'eur' },
        { type: 'format', format: 'currency', value: '1500', currency: 'SEK', decimals: 0, target: 'sek' },
        { type: 'format', format: 'uppercase', value: '"gold"', target: 'up' },
        { type: 'format', format: 'lowercase', value: '"ADA"', target: 'down' },
        { type: 'format', format: 'trim', value: '"  x  "', target: 'trimmed' },
        { type: 'format', format: 'template', template: 'Order ${input.id} for {{input.customer.last_name}}', target: 'title' },
        { type: 'format', format: 'uppercase', value: 'input.nothing', target: 'none' },
      ],
      order,
    );
    expect(out).toEqual({
      plain: '1,234,567.89',
      two: '3.14',
      padded: '042',
      usd: '$1,234.50',
      eur: '-€9.99',
      sek: 'SEK 1,500',
      up: 'GOLD',
      down: 'ada',
      trimmed: 'x',
      title: 'Order SO-1 for Lovelace',
      none: null,
    });
  });

  it('merge combines objects shallowly by default and deeply when asked, later sources winning', () => {
    const sources = ['{"a": {"x": 1, "y": 1}, "b": 1}', 'input.nothing', '{"a": {"y": 2}, "c": [1]}'];
    expect(run([{ type: 'merge', sources, target: 'm' }]).m).toEqual({ a: { y: 2 }, b: 1, c: [1] });
    expect(run([{ type: 'merge', sources, strategy: 'deep', target: 'm' }]).m).toEqual({ a: { x: 1, y: 2 }, b: 1, c: [1] });
  });

  it('fails with the JSON path of the offending operation property', () => {
    const bad = thrownWeftError(() =>
      run(
        [
          { type: 'calculate', expression: '1', target: 'ok' },
          { type: 'map', source: 'input.lines', expression: '$error("boom")', target: 'x' },
        ],
        order,
      ),
    );
    expect(bad.code).toBe('EXPRESSION_ERROR');
    expect(bad.message).toMatch(/^\/operations\/1\/expression: boom/);
    expect(bad.details?.path).toBe('/operations/1/expression');

    const notObject = thrownWeftError(() => run([{ type: 'merge', sources: ['{}', '[1, 2]'], target: 'm' }]));
    expect(notObject.code).toBe('VALIDATION_ERROR');
    expect(notObject.message).toBe('/operations/0/sources/1: merge needs objects, got an array');

    const notDate = thrownWeftError(() => run([{ type: 'format', format: 'date', value: '"next tuesday"', target: 'd' }]));
    expect(notDate.code).toBe('VALIDATION_ERROR');
    expect(notDate.message).toMatch(/^\/operations\/0\/value: "next tuesday" is not a date/);

    expect(thrownWeftError(() => run([{ type: 'rename', source: '42', mapping: { a: 'b' }, target: 'r' }])).message).toMatch(
      /^\/operations\/0\/source: rename needs an object/,
    );
    expect(thrownWeftError(() => run([{ type: 'format', format: 'number', value: '"abc"', target: 'n' }])).message).toBe(
      '/operations/0/value: "abc" is not a number',
    );
  });

  it('bounds map: at most MAX_OPERATION_ITEMS items, and a shared step budget', () => {
    const tooMany = thrownWeftError(() => run([{ type: 'map', source: `[1..${MAX_OPERATION_ITEMS + 1}]`, expression: 'item', target: 'x' }]));
    expect(tooMany.code).toBe('VALIDATION_ERROR');
    expect(tooMany.message).toMatch(/^\/operations\/0\/source: 5001 items/);
    expect(run([{ type: 'map', source: `[1..${MAX_OPERATION_ITEMS}]`, expression: 'item * 2', target: 'x' }]).x).toHaveLength(MAX_OPERATION_ITEMS);
    expect(mapItemLimits(MAX_OPERATION_ITEMS).maxSteps).toBe(100);
    expect(mapItemLimits(1).maxSteps).toBe(50_000);
    const runaway = thrownWeftError(() => run([{ type: 'map', source: '[1..100]', expression: '$sum([1..100000])', target: 'x' }]));
    expect(runaway.code).toBe('EXPRESSION_ERROR');
    expect(runaway.details?.path).toBe('/operations/0/expression');
  });
});

describe('DATA_TRANSFORMATION properties at validation', () => {
  function issues(properties: unknown): ValidationIssue[] {
    const result = validateDefinition({
      name: 'x',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'tx', type: 'DATA_TRANSFORMATION', properties },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'tx' },
        { source: 'tx', target: 'end' },
      ],
    });
    return result.ok ? [] : result.issues;
  }
  const at = (properties: unknown) => issues(properties).map((i) => `${i.code} ${i.path}`);

  it('keeps assign alone working as before, and accepts operations alone or after assign', () => {
    expect(issues({ assign: { total: '1 + 1' } })).toEqual([]);
    expect(issues({ operations: [{ type: 'calculate', expression: '1', target: 'x' }] })).toEqual([]);
    expect(issues({ assign: { a: '1' }, operations: [{ type: 'merge', sources: ['{}'], target: 'x' }] })).toEqual([]);
  });

  it('reports each bad operation property with its path', () => {
    expect(
      at({
        operations: [
          { type: 'map', source: 'input.lines', expression: 'item.(', target: 'x' },
          { type: 'rename', source: 'input', mapping: { a: 'z', b: 'z' }, target: 'bad name' },
          { type: 'format', format: 'date', value: 'input.at', decimals: 2, target: 'd' },
          { type: 'pivot', target: 'p' },
          { type: 'merge', sources: ['{}', '{'], target: 'm' },
          { type: 'format', format: 'template', template: 'hi ${', target: 't' },
        ],
      }).sort(),
    ).toEqual(
      [
        'EXPRESSION_ERROR /nodes/1/properties/operations/0/expression',
        'VALIDATION_ERROR /nodes/1/properties/operations/1/mapping/b',
        'VALIDATION_ERROR /nodes/1/properties/operations/1/target',
        'VALIDATION_ERROR /nodes/1/properties/operations/2/decimals',
        'VALIDATION_ERROR /nodes/1/properties/operations/3/type',
        'EXPRESSION_ERROR /nodes/1/properties/operations/4/sources/1',
        'EXPRESSION_ERROR /nodes/1/properties/operations/5/template',
      ].sort(),
    );
    expect(at({})).toEqual(['VALIDATION_ERROR /nodes/1/properties/assign']);
  });
});
