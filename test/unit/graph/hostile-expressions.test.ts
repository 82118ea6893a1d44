/**
 * Expressions written to hang or exhaust a worker. Each must fail with EXPRESSION_ERROR, and
 * the assertion on `details.limit` shows it was stopped by a counter, not by luck. The jest
 * timeout per test is a hang guard (a stuck regex would block the event loop for minutes),
 * not a performance assertion.
 */
import { checkExpression, evaluateExpression, type ExpressionLimits, MAX_REGEX_SUBJECT_LENGTH, WeftError } from '../../../src/graph';
import { ctx } from './fixtures';

const HANG_GUARD_MS = 5_000;

// Most tests prove a mechanism and use a smaller step budget to stay fast; the first uses the default.
const SMALL: Partial<ExpressionLimits> = { maxSteps: 10_000 };

async function failure(source: string, input: unknown = {}, limits?: Partial<ExpressionLimits>): Promise<WeftError> {
  try {
    await evaluateExpression(source, ctx({ input }), limits);
  } catch (err) {
    if (err instanceof WeftError) return err;
    throw err;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('hostile expressions fail with EXPRESSION_ERROR', () => {
  // Loads the engine (and JSONata's built-ins) once, so each test measures only its expression.
  beforeAll(() => evaluateExpression('$sum([1..10])', ctx()));

  it(
    'infinite (tail) recursion is stopped by the step counter',
    async () => {
      const err = await failure('($f := function($x){ $f($x) }; $f(1))');
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ limit: 'maxSteps', stepsUsed: 50_001 });
    },
    HANG_GUARD_MS,
  );

  it(
    'non-tail recursion is stopped by the depth counter',
    async () => {
      const err = await failure('($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000))');
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ limit: 'maxDepth' });
    },
    HANG_GUARD_MS,
  );

  it(
    'an endless loop through $map and a recursive lambda is stopped',
    async () => {
      const err = await failure('($loop := function($i){ $map([1..10], function($v){ $loop($i + $v) }) }; $loop(0))', {}, SMALL);
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(['maxSteps', 'maxDepth']).toContain((err.details as { limit?: unknown }).limit);
    },
    HANG_GUARD_MS,
  );

  it(
    'a huge range is refused before it is allocated',
    async () => {
      const err = await failure('[1..10000000].($ * 2)');
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ jsonataCode: 'D2015' });
    },
    HANG_GUARD_MS,
  );

  it(
    'a large range mapped item by item runs out of steps',
    async () => {
      const err = await failure('[1..999999].($ * 2)');
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    '$pad to 100 million characters is refused before padding',
    async () => {
      const err = await failure('$pad("", 100000000)');
      expect(err.details).toMatchObject({ limit: 'maxStringLength' });
    },
    HANG_GUARD_MS,
  );

  it(
    'a string-doubling loop hits the string size limit',
    async () => {
      const err = await failure('($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("a", 40))');
      expect(err.details).toMatchObject({ limit: 'maxStringLength' });
    },
    HANG_GUARD_MS,
  );

  it(
    'many large strings in a loop run out of steps before memory',
    async () => {
      const err = await failure('[1..1000].$pad("", 999999)');
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    'deep nesting is refused at parse time',
    async () => {
      const source = `${'['.repeat(500)}1${']'.repeat(500)}`;
      expect(checkExpression(source)).toMatchObject({ code: 'EXPRESSION_ERROR' });
      expect((await failure(source)).code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'a catastrophic regex is refused at parse time, so it never runs',
    async () => {
      const source = '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)';
      expect(checkExpression(source)?.message).toMatch(/refused: a repeated group contains a quantifier/);
      const err = await failure(source);
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ expression: source });
    },
    HANG_GUARD_MS,
  );

  it.each([
    '$replace(input, /(a|aa)*$/, "")',
    '$contains(input, /(\\w+\\s?)*$/)',
    '$split(input, /(.*a){12}/)',
    '$match(input, /(a)\\1/)',
  ])(
    'refuses %s',
    async (source) => {
      expect(checkExpression(source)).not.toBeNull();
      expect((await failure(source, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')).code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'regexes are applied to bounded subjects only',
    async () => {
      const err = await failure('$contains(input, /\\s+$/)', ' '.repeat(MAX_REGEX_SUBJECT_LENGTH + 1));
      expect(err.details).toMatchObject({ limit: 'regexSubject' });
    },
    HANG_GUARD_MS,
  );

  it.each(['$eval("1 + 1")', '($e := $eval; $e("1 + 1"))', '"1 + 1" ~> $eval()'])(
    '$eval is refused: %s',
    async (source) => {
      expect(checkExpression(source)?.message).toMatch(/\$eval is disabled/);
      expect((await failure(source)).code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'a native function mapped over a large array is charged per item',
    async () => {
      const err = await failure('$map($$.input, $string)', Array.from({ length: 200_000 }, (_, i) => i));
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    'serialising a large input again and again is charged by its size',
    async () => {
      const input = Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] }));
      const err = await failure('[1..1000].$string($$.input)', input);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    '$distinct over many objects is charged for its pairwise comparisons',
    async () => {
      const input = Array.from({ length: 5_000 }, (_, i) => ({ id: i }));
      const err = await failure('$distinct($$.input)', input);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    '$sort with a comparator over many items runs out of steps; without one it is fast and exact',
    async () => {
      const input = Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 20_011);
      const err = await failure('$sort($$.input, function($a, $b){ $a > $b })', input, SMALL);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
      const sorted = await evaluateExpression('$sort($$.input)', ctx({ input }));
      expect(sorted).toEqual([...input].sort((a, b) => a - b));
    },
    HANG_GUARD_MS,
  );

  it(
    'order-by over many items is charged per comparison',
    async () => {
      const input = Array.from({ length: 20_000 }, (_, i) => ({ n: (i * 7919) % 20_011 }));
      const err = await failure('$$.input^(n)', input, SMALL);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    'a failure in one branch of an array constructor does not leave the others hanging',
    async () => {
      const err = await failure('[1, ($f := function($x){ $f($x) }; $f(1)), 3, 4]', {}, SMALL);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );
});
