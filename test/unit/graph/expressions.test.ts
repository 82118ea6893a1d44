import { checkExpression, compileExpression, DEFAULT_EXPRESSION_LIMITS, evaluateBoolean, evaluateExpression, isTruthy, WeftError } from '../../../src/graph';
import { thrownWeftError } from '../../support/expect-weft-error';
import { ctx } from './fixtures';

describe('evaluateExpression: the context', () => {
  const context = ctx({
    input: {
      items: [
        { price: 10, qty: 2 },
        { price: 5, qty: 4 },
      ],
      customer: 'ACME',
    },
    vars: { total: 150, threshold: 100 },
    nodes: { fetch: { output: { status: 200, body: { ok: true } } } },
    execution: {
      id: 'exec-9',
      workflowId: 'wf-9',
      version: '2.0.0',
      startedAt: '2024-05-01T10:00:00.000Z',
      site: { id: 'plant-a', region: 'EU', environment: 'production' },
    },
    config: { maxBatch: 25, line: { speed: 3 } },
  });

  it.each([
    ['vars.total > vars.threshold', true],
    ['$sum(input.items.(price * qty))', 40],
    ['input.customer', 'ACME'],
    ['nodes.fetch.output.status', 200],
    ['nodes.fetch.output.body.ok', true],
    ['execution.id & "/" & execution.workflowId & "@" & execution.version', 'exec-9/wf-9@2.0.0'],
    ['execution.site.id', 'plant-a'],
    ['execution.site.region', 'EU'],
    ['config.maxBatch * 2', 50],
    ['config.line.speed', 3],
    ['$keys($$)', ['input', 'vars', 'nodes', 'execution', 'config']],
    ['input.missing', undefined],
    ['($x := vars.total * 2; $x + 1)', 301],
    ['$map(input.items, function($i){ $i.price })', [10, 5]],
    ['input.items[price > 6].qty', 2],
  ])('%s', (source, expected) => {
    expect(evaluateExpression(source, context)).toEqual(expected);
  });

  it('returns plain JSON: sequences become plain arrays, functions are dropped', () => {
    const list = evaluateExpression('input.items.price', context);
    expect(list).toStrictEqual([10, 5]);
    expect(Object.keys(list as object)).toEqual(['0', '1']);
    expect(evaluateExpression('function($x){ $x }', context)).toBeUndefined();
    expect(evaluateExpression('{"f": $uppercase, "a": 1}', context)).toStrictEqual({ a: 1 });
  });

  it('keeps built-ins working through the metered wrappers', () => {
    expect(evaluateExpression('$map(["abc", "de"], $substring(?, 0, 2))', context)).toEqual(['ab', 'de']);
    expect(evaluateExpression('$map([1, 2], $string)', context)).toEqual(['1', '2']);
    expect(evaluateExpression('$sort([3, 1, 2])', context)).toEqual([1, 2, 3]);
    expect(evaluateExpression('$sort(["b", "a", "c"])', context)).toEqual(['a', 'b', 'c']);
    expect(evaluateExpression('$sort(input.items, function($a, $b){ $a.price > $b.price }).price', context)).toEqual([5, 10]);
    expect(evaluateExpression('$distinct([1, 1, "a", "a", true, null, null])', context)).toEqual([1, 'a', true, null]);
    expect(evaluateExpression('$distinct([{"a": 1}, {"a": 1}, {"a": 2}])', context)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(evaluateExpression('$join(["a", "b"], "-")', context)).toBe('a-b');
    expect(evaluateExpression('$pad("7", -3, "0")', context)).toBe('007');
    expect(evaluateExpression('input.items^(>price).qty', context)).toEqual([2, 4]);
  });

  it('sorts with a comparator in the same stable order as an order-by', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ id: i, k: (i * 37) % 11 }));
    const byComparator = evaluateExpression('$sort($$.input, function($a, $b){ $a.k > $b.k }).id', ctx({ input: items }));
    expect(byComparator).toEqual(evaluateExpression('$$.input^(k).id', ctx({ input: items })));
    expect(byComparator).toEqual([...items].sort((a, b) => a.k - b.k).map((item) => item.id));
  });

  it('matches ordinary regexes', () => {
    expect(evaluateExpression('$match("ABC", /^[A-Z]+$/).match', context)).toBe('ABC');
    expect(evaluateExpression('$replace("a-b-c", /-/, "+")', context)).toBe('a+b+c');
    expect(evaluateExpression('$contains("order 123", /\\d{3}/)', context)).toBe(true);
    expect(evaluateExpression('$split("a1b22c", /[0-9]+/)', context)).toEqual(['a', 'b', 'c']);
  });
});

describe('evaluateExpression: errors', () => {
  it('reports a run-time error as EXPRESSION_ERROR with the expression and position', () => {
    const err = thrownWeftError(() => evaluateExpression('1 + "a"', ctx()));
    expect(err.code).toBe('EXPRESSION_ERROR');
    expect(err.message).toMatch(/must evaluate to a number/);
    expect(err.details).toMatchObject({ expression: '1 + "a"', position: 3, jsonataCode: 'T2002' });
  });

  it('reports a parse error as EXPRESSION_ERROR', () => {
    const err = thrownWeftError(() => evaluateExpression('vars.total >', ctx()));
    expect(err.code).toBe('EXPRESSION_ERROR');
    expect(err.details).toMatchObject({ expression: 'vars.total >' });
  });

  it('reports $error() of the user as EXPRESSION_ERROR', () => {
    const err = thrownWeftError(() => evaluateExpression('$error("stock too low")', ctx()));
    expect(err.code).toBe('EXPRESSION_ERROR');
    expect(err.message).toBe('stock too low');
  });

  it('refuses malformed limits', () => {
    const err = thrownWeftError(() => evaluateExpression('1', ctx(), { maxSteps: 0 }));
    expect(err.code).toBe('VALIDATION_ERROR');
  });
});

describe('checkExpression / compileExpression', () => {
  it('accepts valid expressions', () => {
    expect(checkExpression('$sum(input.items.(price * qty))')).toBeNull();
  });

  it('explains parse errors with a position', () => {
    expect(checkExpression('(1 + 2')).toEqual({ code: 'EXPRESSION_ERROR', message: 'Expected ")" before end of expression', position: 6 });
    expect(checkExpression('')).toEqual({ code: 'EXPRESSION_ERROR', message: 'Expression is empty' });
  });

  it('refuses deep nesting at parse time', () => {
    expect(checkExpression(`${'['.repeat(120)}1${']'.repeat(120)}`)?.message).toMatch(/nested more than 100 levels/);
    expect(checkExpression(`${'('.repeat(20000)}1${')'.repeat(20000)}`)).toMatchObject({ code: 'EXPRESSION_ERROR' });
  });

  it('compiles once and evaluates many times', () => {
    const compiled = compileExpression('vars.n * 2');
    expect(compiled.source).toBe('vars.n * 2');
    expect(compiled.evaluate(ctx({ vars: { n: 2 } }))).toBe(4);
    expect(compiled.evaluate(ctx({ vars: { n: 5 } }))).toBe(10);
  });

  it('throws EXPRESSION_ERROR when compiling a bad expression', () => {
    expect(() => compileExpression('$$$(')).toThrow(WeftError);
    try {
      compileExpression('a +');
    } catch (err) {
      expect((err as WeftError).code).toBe('EXPRESSION_ERROR');
      expect((err as WeftError).details).toMatchObject({ expression: 'a +' });
    }
  });
});

describe('evaluateBoolean / isTruthy: JSONata truthiness', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['0', false],
    ['1', true],
    ['""', false],
    ['"x"', true],
    ['null', false],
    ['[]', false],
    ['[0]', false],
    ['[0, 1]', true],
    ['{}', false],
    ['{"a": 1}', true],
    ['input.nothing', false],
    ['function($x){ $x }', false],
  ])('%s is %s', (source, expected) => {
    expect(evaluateBoolean(source, ctx())).toBe(expected);
  });

  it('isTruthy agrees with $boolean', () => {
    for (const value of [0, 1, '', 'a', null, [], [false, false], [false, true], {}, { a: 0 }]) {
      expect(isTruthy(value)).toBe(evaluateExpression('$boolean($$.input)', ctx({ input: value })));
    }
  });
});

describe('evaluateExpression: limits are counted, not timed', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_EXPRESSION_LIMITS).toEqual({ maxSteps: 50_000, maxDepth: 100, maxStringLength: 1_000_000, maxArrayLength: 1_000_000 });
  });

  it('honours a lower step limit', () => {
    const source = '$sum([1..50].($ * 2))';
    expect(evaluateExpression(source, ctx())).toBe(2550);
    const err = thrownWeftError(() => evaluateExpression(source, ctx(), { maxSteps: 20 }));
    expect(err.details).toMatchObject({ limit: 'maxSteps', expression: source });
  });

  it('honours a lower depth limit', () => {
    const source = '($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(5))';
    expect(evaluateExpression(source, ctx())).toBe(5);
    const err = thrownWeftError(() => evaluateExpression(source, ctx(), { maxDepth: 8 }));
    expect(err.details).toMatchObject({ limit: 'maxDepth' });
  });

  it('honours lower size limits', () => {
    expect(thrownWeftError(() => evaluateExpression('$pad("", 20)', ctx(), { maxStringLength: 10 })).details).toMatchObject({
      limit: 'maxStringLength',
    });
    expect(thrownWeftError(() => evaluateExpression('"abcdef" & "ghijkl"', ctx(), { maxStringLength: 10 })).details).toMatchObject({
      limit: 'maxStringLength',
    });
    expect(thrownWeftError(() => evaluateExpression('input', ctx({ input: 'x'.repeat(11) }), { maxStringLength: 10 })).details).toMatchObject({
      limit: 'maxStringLength',
    });
    const arrays = thrownWeftError(() => evaluateExpression('[1..20]', ctx(), { maxArrayLength: 10 }));
    expect(arrays.code).toBe('EXPRESSION_ERROR');
    expect(thrownWeftError(() => evaluateExpression('[1..input.n]', ctx({ input: { n: 20 } }), { maxArrayLength: 10 })).details).toMatchObject({
      limit: 'maxArrayLength',
    });
  });

  it('measures depth per branch: sibling items and values do not add up', () => {
    // One call of $f(25) nests about 80 deep; five side by side must still pass with maxDepth 100.
    const f = '($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(25))';
    expect(evaluateExpression(`[${Array(5).fill(f).join(', ')}]`, ctx())).toEqual([25, 25, 25, 25, 25]);
    expect(evaluateExpression(`{"a": ${f}, "b": ${f}, "c": ${f}}`, ctx())).toEqual({ a: 25, b: 25, c: 25 });
    const deeper = '($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(40))';
    expect(thrownWeftError(() => evaluateExpression(deeper, ctx())).details).toMatchObject({ limit: 'maxDepth' });
  });

  it('evaluates the items of an array constructor one after the other, left to right', () => {
    expect(evaluateExpression('[$x := 2, $x]', ctx())).toEqual([2, 2]);
    expect(evaluateExpression('{"a": $y := 3, "b": $y}', ctx())).toEqual({ a: 3, b: 3 });
  });

  it('groups over many keys without tripping the depth limit', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ sku: `sku-${i}`, qty: i }));
    const result = evaluateExpression('input{sku: $sum(qty)}', ctx({ input: items })) as Record<string, number>;
    expect(Object.keys(result)).toHaveLength(500);
    expect(result['sku-499']).toBe(499);
  });

  it('keeps budgets of evaluations of the same expression apart', () => {
    const loop = '($f := function($x){ $f($x) }; $f(1))';
    expect(thrownWeftError(() => evaluateExpression(loop, ctx(), { maxSteps: 5_000 })).details).toMatchObject({ stepsUsed: 5_001 });
    expect(evaluateExpression('$sum([1..100])', ctx())).toBe(5050);
    expect(thrownWeftError(() => evaluateExpression('$sum([1..100])', ctx(), { maxSteps: 5 })).details).toMatchObject({ limit: 'maxSteps' });
    expect(evaluateExpression('$sum([1..100])', ctx())).toBe(5050);
  });

  it('keeps budgets apart when an evaluation runs inside another one of the same expression', () => {
    // A getter of the input evaluates the same (cached, compiled) expression while the outer
    // evaluation is under way: each counts its own steps against its own limit.
    const source = '$sum(input.items)';
    let inner: unknown;
    const input = {
      get items(): number[] {
        inner ??= thrownWeftError(() => evaluateExpression(source, ctx({ input: { items: [1, 2] } }), { maxSteps: 2 })).details;
        return [1, 2, 3];
      },
    };
    expect(evaluateExpression(source, ctx({ input }), { maxSteps: 50 })).toBe(6);
    expect(inner).toMatchObject({ limit: 'maxSteps', stepsUsed: 3 });
    expect(evaluateExpression(source, ctx({ input: { items: [4, 5] } }))).toBe(9);
  });
});
