/**
 * Expressions written to hang or exhaust a worker. Each must fail with EXPRESSION_ERROR, and
 * the assertion on `details.limit` shows it was stopped by a counter, not by luck. The jest
 * timeout per test is a hang guard (a stuck regex would block the event loop for minutes),
 * not a performance assertion.
 */
import jsonata from 'jsonata';
import { checkExpression, evaluateExpression, type ExpressionLimits, MAX_REGEX_SUBJECT_LENGTH, WeftError } from '../../../src/graph';
import { DEPTH_LEVELS_PER_STEP, EvaluationBudget, FREE_DEPTH } from '../../../src/graph/expression-budget';
import { ctx } from './fixtures';

const HANG_GUARD_MS = 5_000;

// Most tests prove a mechanism and use a smaller step budget to stay fast; the first uses the default.
const SMALL: Partial<ExpressionLimits> = { maxSteps: 10_000 };

function failure(source: string, input: unknown = {}, limits?: Partial<ExpressionLimits>): WeftError {
  try {
    evaluateExpression(source, ctx({ input }), limits);
  } catch (err) {
    if (err instanceof WeftError) return err;
    throw err;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('hostile expressions fail with EXPRESSION_ERROR', () => {
  // Loads the engine (and JSONata's built-ins) once, so each test measures only its expression.
  beforeAll(() => {
    evaluateExpression('$sum([1..10])', ctx());
  });

  it(
    'infinite (tail) recursion is stopped by the step counter',
    () => {
      const err = failure('($f := function($x){ $f($x) }; $f(1))');
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ limit: 'maxSteps', stepsUsed: 50_001 });
    },
    HANG_GUARD_MS,
  );

  it(
    'non-tail recursion is stopped by the depth counter',
    () => {
      const err = failure('($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000))');
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ limit: 'maxDepth' });
    },
    HANG_GUARD_MS,
  );

  it(
    'an endless loop through $map and a recursive lambda is stopped',
    () => {
      const err = failure('($loop := function($i){ $map([1..10], function($v){ $loop($i + $v) }) }; $loop(0))', {}, SMALL);
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(['maxSteps', 'maxDepth']).toContain((err.details as { limit?: unknown }).limit);
    },
    HANG_GUARD_MS,
  );

  it(
    'a huge range is refused before it is allocated',
    () => {
      const err = failure('[1..10000000].($ * 2)');
      expect(err.code).toBe('EXPRESSION_ERROR');
      // jsonata 1.8 would allocate up to 10 million items; the hook on the range's bounds refuses first.
      expect(err.details).toMatchObject({ limit: 'maxArrayLength' });
      expect((err.details as { stepsUsed: number }).stepsUsed).toBeLessThan(10);
    },
    HANG_GUARD_MS,
  );

  it(
    'a large range mapped item by item runs out of steps',
    () => {
      const err = failure('[1..999999].($ * 2)');
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    '$pad to 100 million characters is refused before padding',
    () => {
      const err = failure('$pad("", 100000000)');
      expect(err.details).toMatchObject({ limit: 'maxStringLength' });
    },
    HANG_GUARD_MS,
  );

  it(
    'a string-doubling loop hits the string size limit',
    () => {
      const err = failure('($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("a", 40))');
      expect(err.details).toMatchObject({ limit: 'maxStringLength' });
    },
    HANG_GUARD_MS,
  );

  it(
    'many large strings in a loop run out of steps before memory',
    () => {
      const err = failure('[1..1000].$pad("", 999999)');
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    'deep nesting is refused at parse time',
    () => {
      const source = `${'['.repeat(500)}1${']'.repeat(500)}`;
      expect(checkExpression(source)).toMatchObject({ code: 'EXPRESSION_ERROR' });
      expect(failure(source).code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'a catastrophic regex is refused at parse time, so it never runs',
    () => {
      const source = '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)';
      expect(checkExpression(source)?.message).toMatch(/refused: a repeated group contains a quantifier/);
      const err = failure(source);
      expect(err.code).toBe('EXPRESSION_ERROR');
      expect(err.details).toMatchObject({ expression: source });
    },
    HANG_GUARD_MS,
  );

  it.each(['$replace(input, /(a|aa)*$/, "")', '$contains(input, /(\\w+\\s?)*$/)', '$split(input, /(.*a){12}/)', '$match(input, /(a)\\1/)'])(
    'refuses %s',
    (source) => {
      expect(checkExpression(source)).not.toBeNull();
      expect(failure(source, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!').code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'regexes are applied to bounded subjects only',
    () => {
      const err = failure('$contains(input, /\\s+$/)', ' '.repeat(MAX_REGEX_SUBJECT_LENGTH + 1));
      expect(err.details).toMatchObject({ limit: 'regexSubject' });
    },
    HANG_GUARD_MS,
  );

  it(
    'a jsonata() compiled elsewhere in the same process does not unpin the bounded regex engine',
    () => {
      // jsonata 1.8 sets its module-wide engine on every compile; workers share this module.
      jsonata('$contains("a", /a/)');
      const err = failure('$contains(input, /\\s+$/)', ' '.repeat(MAX_REGEX_SUBJECT_LENGTH + 1));
      expect(err.details).toMatchObject({ limit: 'regexSubject' });
    },
    HANG_GUARD_MS,
  );

  it.each(['$eval("1 + 1")', '($e := $eval; $e("1 + 1"))', '"1 + 1" ~> $eval()'])(
    '$eval is refused: %s',
    (source) => {
      expect(checkExpression(source)?.message).toMatch(/\$eval is disabled/);
      expect(failure(source).code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'a native function mapped over a large array is charged per item',
    () => {
      const err = failure(
        '$map($$.input, $string)',
        Array.from({ length: 200_000 }, (_, i) => i),
      );
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    'serialising a large input again and again is charged by its size',
    () => {
      const input = Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] }));
      const err = failure('[1..1000].$string($$.input)', input);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    '$distinct over many objects is charged for its pairwise comparisons',
    () => {
      const input = Array.from({ length: 5_000 }, (_, i) => ({ id: i }));
      const err = failure('$distinct($$.input)', input);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    '$sort with a comparator over many items runs out of steps; without one it is fast and exact',
    () => {
      const input = Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 20_011);
      const err = failure('$sort($$.input, function($a, $b){ $a > $b })', input, SMALL);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
      const sorted = evaluateExpression('$sort($$.input)', ctx({ input }));
      expect(sorted).toEqual([...input].sort((a, b) => a - b));
    },
    HANG_GUARD_MS,
  );

  it(
    'order-by over many items is charged per comparison',
    () => {
      const input = Array.from({ length: 20_000 }, (_, i) => ({ n: (i * 7919) % 20_011 }));
      const err = failure('$$.input^(n)', input, SMALL);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );

  it(
    'an endless loop deep inside a recursion is stopped by the step counter, charged for its depth',
    () => {
      // An operation at depth ~90 costs JSONata 1.8 several times a shallow one.
      const source = '($g := function($x){ $g($x) }; $f := function($n){ $n = 0 ? $g(1) : 1 + $f($n - 1) }; $f(29))';
      expect(failure(source).details).toMatchObject({ limit: 'maxSteps' });
      // One step per operation up to depth FREE_DEPTH; beyond it, j levels deeper costs 1 + j / DEPTH_LEVELS_PER_STEP.
      const budget = new EvaluationBudget({ maxSteps: 1_000, maxDepth: 100, maxStringLength: 10, maxArrayLength: 10 });
      const levels = 2 * DEPTH_LEVELS_PER_STEP;
      for (let depth = 1; depth <= FREE_DEPTH + levels; depth++) budget.enter();
      const extra = (levels * (levels + 1)) / 2 / DEPTH_LEVELS_PER_STEP;
      expect(budget.stepsUsed).toBe(FREE_DEPTH + levels + extra);
    },
    HANG_GUARD_MS,
  );

  it.each([
    '($__evaluate_entry := false; ($f := function($x){ $f($x) }; $f(1)))',
    '(function($__evaluate_entry){ ($f := function($x){ $f($x) }; $f(1)) })(0)',
    '$$.input@$__evaluate_exit.($f := function($x){ $f($x) }; $f(1))',
    '$$.input#$__evaluate_entry.($f := function($x){ $f($x) }; $f(1))',
    '$__evaluate_entry',
  ])(
    'the names of the evaluation hooks cannot be rebound or read: %s',
    (source) => {
      expect(checkExpression(source)?.message).toMatch(/is reserved for the expression engine/);
      expect(failure(source, [0]).code).toBe('EXPRESSION_ERROR');
    },
    HANG_GUARD_MS,
  );

  it(
    'a failure in one branch of an array constructor does not leave the others hanging',
    () => {
      const err = failure('[1, ($f := function($x){ $f($x) }; $f(1)), 3, 4]', {}, SMALL);
      expect(err.details).toMatchObject({ limit: 'maxSteps' });
    },
    HANG_GUARD_MS,
  );
});
