/**
 * JSON Schema for VALIDATION: every error with its path into the data, schemas checked before
 * they are accepted (with paths into the schema), and the bounds on the work.
 */
import { validateDefinition } from '../../../src/graph';
import { validateJson } from '../../../src/graph/json-schema';
import { checkJsonSchema } from '../../../src/graph/json-schema-check';
import { MAX_JSON_DEPTH } from '../../../src/graph/json-schema-limits';
import { runValidation, ValidationPropertiesSchema } from '../../../src/graph/validation-node';
import { thrownWeftError } from '../../support/expect-weft-error';

const orderSchema = {
  type: 'object',
  required: ['id', 'qty', 'customer'],
  properties: {
    id: { type: 'string', pattern: '^SO-[0-9]+$' },
    qty: { type: 'integer', minimum: 1 },
    email: { type: 'string', format: 'email' },
    status: { enum: ['new', 'paid'] },
    lines: { type: 'array', minItems: 1, items: { $ref: '#/$defs/line' } },
    customer: { type: 'object' },
  },
  additionalProperties: false,
  $defs: { line: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, price: { type: 'number', exclusiveMinimum: 0 } } } },
};

describe('validateJson', () => {
  it('accepts matching data', () => {
    expect(validateJson({ id: 'SO-1', qty: 2, customer: {}, lines: [{ sku: 'A', price: 1 }] }, orderSchema)).toEqual({ valid: true, errors: [] });
  });

  it('lists every error, each with a JSON Pointer into the data and its keyword, ordered by path, without wrapper noise', () => {
    const result = validateJson(
      { id: 'X-1', qty: 0.5, email: 'not-an-email', status: 'lost', lines: [{ price: 3 }, { sku: 'B', price: -1 }], 'a/b': true, '~x': 1 },
      orderSchema,
    );
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => `${e.path} ${e.keyword}`)).toEqual([
      ' required',
      '/a~1b false',
      '/email format',
      '/id pattern',
      '/lines/0 required',
      '/lines/1/price exclusiveMinimum',
      '/qty type',
      '/qty minimum',
      '/status enum',
      '/~0x false',
    ]);
    expect(result.errors[0]?.message).toMatch(/required property "customer"/);
    expect(result.errors.find((e) => e.path === '/a~1b')?.message).toBe('is not allowed here');
  });

  it('reports a failed anyOf once, not branch by branch', () => {
    const result = validateJson({ v: true }, { properties: { v: { anyOf: [{ type: 'string' }, { type: 'number' }] } } });
    expect(result.errors).toEqual([{ path: '/v', keyword: 'anyOf', message: expect.any(String) }]);
  });

  it('supports draft 7 schemas', () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { n: { type: 'number' } }, items: { $ref: '#/definitions/n' } };
    expect(checkJsonSchema(schema, '7')).toEqual([]);
    expect(validateJson([1, 'two'], schema, '7').errors.map((e) => e.path)).toEqual(['/1']);
  });

  it('does not change the schema it is given', () => {
    const schema = { type: 'object', properties: { a: { $ref: '#/$defs/a' } }, $defs: { a: { type: 'string' } } };
    const before = JSON.stringify(schema);
    validateJson({ a: 1 }, schema);
    expect(JSON.stringify(schema)).toBe(before);
    expect(Object.getOwnPropertyNames(schema)).toEqual(['type', 'properties', '$defs']);
  });

  it('bounds the work: runaway combinators, deep data, and long strings under patterns fail with VALIDATION_ERROR', () => {
    const explosive = {
      $defs: { n: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/n' }, { $ref: '#/$defs/n' }, { type: 'string' }] } } },
      $ref: '#/$defs/n',
    };
    let data: unknown = 'x';
    for (let i = 0; i < 30; i++) data = [data, 1];
    const started = Date.now();
    const runaway = thrownWeftError(() => validateJson(data, explosive));
    expect(runaway.code).toBe('VALIDATION_ERROR');
    expect(runaway.message).toMatch(/schema evaluations/);
    expect(Date.now() - started).toBeLessThan(10_000);

    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = [deep];
    expect(thrownWeftError(() => validateJson(deep, true)).message).toMatch(/nested more than 64/);
    expect(thrownWeftError(() => validateJson('a'.repeat(20_000), { pattern: '^a+$' })).message).toMatch(/at most 10000 characters/);
    expect(validateJson('a'.repeat(20_000), { type: 'string' }).valid).toBe(true);
    expect(thrownWeftError(() => validateJson(1, { $ref: '#' })).message).toMatch(/the data could not be validated|schema evaluations/);
  });
});

describe('checkJsonSchema', () => {
  it('reports every problem with its path in the schema', () => {
    expect(
      checkJsonSchema({
        type: 'strng',
        required: 'id',
        properties: { a: { pattern: '(a+)+$' }, b: { minLength: -1 }, c: { format: 'url' } },
        patternProperties: { '[': {} },
        anyOf: [],
        items: { $ref: 'https://example.com/schema.json' },
        allOf: [{ $ref: '#/$defs/missing' }, { $ref: '#nowhere' }],
      })
        .map((i) => i.path)
        .sort(),
    ).toEqual(
      [
        '/type',
        '/required',
        '/anyOf',
        '/allOf/0/$ref',
        '/allOf/1/$ref',
        '/items/$ref',
        '/properties/a/pattern',
        '/properties/b/minLength',
        '/properties/c/format',
        '/patternProperties/[',
      ].sort(),
    );
  });

  it('accepts booleans, anchors and local references', () => {
    expect(checkJsonSchema(true)).toEqual([]);
    expect(checkJsonSchema({ $defs: { p: { $anchor: 'pos', minimum: 0 } }, items: { $ref: '#pos' } })).toEqual([]);
    expect(checkJsonSchema([1])).toEqual([{ path: '', message: 'a schema must be an object or a boolean' }]);
  });
});

describe('the VALIDATION node', () => {
  const props = (extra: Record<string, unknown> = {}) => ValidationPropertiesSchema.parse({ schema: orderSchema, ...extra });

  it('defaults data to input, draft to 2020-12 and onInvalid to fail', () => {
    expect(props()).toMatchObject({ data: 'input', draft: '2020-12', onInvalid: 'fail' });
  });

  it('fails with VALIDATION_FAILED carrying every error, or leaves by port invalid', () => {
    const bad = { id: 'SO-1', qty: 0 };
    const failed = thrownWeftError(() => runValidation(props(), bad, true));
    expect(failed.code).toBe('VALIDATION_FAILED');
    expect(failed.status).toBe(422);
    expect(failed.message).toMatch(/^data does not match the schema: 2 errors \(first: \/: .*customer/);
    expect((failed.details?.errors as unknown[]).length).toBe(2);

    const routed = runValidation(props({ onInvalid: 'port' }), bad, true);
    expect(routed.port).toBe('invalid');
    expect(routed.output.errors.map((e) => e.path)).toEqual(['', '/qty']);
    expect(runValidation(props(), { id: 'SO-1', qty: 1, customer: {} }, true)).toEqual({ output: { valid: true, errors: [] }, port: 'valid' });
    expect(runValidation(props(), { id: 'SO-1', qty: 1, customer: {} }, false).port).toBeUndefined();
  });

  it('is validated with the graph: schema problems and port rules with their paths', () => {
    const graph = (node: Record<string, unknown>, edges: Array<Record<string, unknown>>) => ({
      name: 'v',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'check', type: 'VALIDATION', ...node },
        { id: 'ok', type: 'END' },
        { id: 'ko', type: 'END' },
      ],
      edges: [{ source: 'start', target: 'check' }, ...edges],
    });
    const paths = (g: unknown) => {
      const r = validateDefinition(g);
      return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path}`);
    };
    expect(
      paths(
        graph({ properties: { schema: { type: 'object' }, onInvalid: 'port' } }, [
          { source: 'check', sourcePort: 'valid', target: 'ok' },
          { source: 'check', sourcePort: 'invalid', target: 'ko' },
        ]),
      ),
    ).toEqual([]);
    expect(
      paths(
        graph({ properties: { schema: { type: 'object' } } }, [
          { source: 'check', target: 'ok' },
          { source: 'check', sourcePort: 'valid', target: 'ko' },
        ]),
      ),
    ).toEqual([]);
    expect(
      paths(
        graph({ properties: { schema: { properties: { a: { type: 'nope' } } }, data: 'input.(', onInvalid: 'port' } }, [
          { source: 'check', target: 'ok' },
          { source: 'check', sourcePort: 'bogus', target: 'ko' },
        ]),
      ),
    ).toEqual([
      'VALIDATION_ERROR /nodes/1/properties/schema/properties/a/type',
      'EXPRESSION_ERROR /nodes/1/properties/data',
      'INVALID_WORKFLOW /edges/2/sourcePort',
      'INVALID_WORKFLOW /nodes/1/properties/onInvalid',
    ]);
    expect(
      paths(
        graph({ properties: { schema: {} } }, [
          { source: 'check', target: 'ok' },
          { source: 'check', sourcePort: 'invalid', target: 'ko' },
        ]),
      ),
    ).toEqual(['INVALID_WORKFLOW /edges/2/sourcePort']);
  });
});
