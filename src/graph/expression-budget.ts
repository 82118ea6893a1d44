/**
 * The bound on one JSONata evaluation: steps, depth and value sizes, counted through JSONata's
 * evaluation hooks. Never the clock: inside a Temporal workflow the clock stands still during
 * a workflow task, so only counting can stop a runaway expression there.
 *
 * How the hooks work (jsonata 1.8): `evaluate()` looks up `__evaluate_entry` and
 * `__evaluate_exit` in the environment and calls them, synchronously, around every AST node it
 * evaluates, including lambda bodies, every iteration of a tail call, and every comparison of
 * an order-by. Evaluation is a synchronous, depth-first walk (generators driven to completion),
 * so entries and exits nest exactly and depth is a plain counter. A step is one entry (more
 * than one deep down, see below).
 *
 * What a step costs in time is not constant: JSONata 1.8 evaluates with generators, and every
 * AST node evaluated yields once through the whole chain of generators open above it, so a
 * step deep inside nested calls costs several times a shallow one. Measured inside the workflow
 * sandbox at the 50,000-step limit: an endless loop at depth 3 took 110 ms, the same loop at
 * depth 90 took 640 ms. Depth is therefore charged (see {@link FREE_DEPTH}): 100 ms after.
 *
 * Not charged: an order-by's merge recurses once per item merged (JSONata's internal sort,
 * which cannot be replaced), so its comparisons get dearer as it proceeds; an order-by of
 * 5,000 numbers stopped at the limit took 280 ms in the sandbox. Charging that in full (tried,
 * by following which items the hooks see compared) stopped order-bys of 700 objects, which
 * fit in 50,000 steps otherwise (up to about 1,300 sorted by one key), and over-charged
 * duplicates; the reach was kept and the extra cost is bounded by the step limit itself.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { WeftError } from './errors';

/** The bounds of one evaluation. */
export interface ExpressionLimits {
  /** Evaluation steps (one per AST node evaluated, plus a charge for work done by built-in functions). Default 50,000. */
  maxSteps: number;
  /** Nested evaluations open at once (runaway recursion, deep nesting). Default 100. */
  maxDepth: number;
  /** Characters in any string the expression produces. Default 1,000,000. */
  maxStringLength: number;
  /** Items in any array the expression produces. Default 1,000,000. */
  maxArrayLength: number;
}

/** The limits used when a caller gives none. */
export const DEFAULT_EXPRESSION_LIMITS: Readonly<ExpressionLimits> = Object.freeze({
  maxSteps: 50_000,
  maxDepth: 100,
  maxStringLength: 1_000_000,
  maxArrayLength: 1_000_000,
});

/**
 * Merges caller limits over the defaults.
 *
 * @throws WeftError `VALIDATION_ERROR` when a limit is not a positive integer.
 */
export function resolveLimits(limits?: Partial<ExpressionLimits>): ExpressionLimits {
  const resolved: ExpressionLimits = { ...DEFAULT_EXPRESSION_LIMITS };
  for (const key of Object.keys(DEFAULT_EXPRESSION_LIMITS) as Array<keyof ExpressionLimits>) {
    const value = limits?.[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new WeftError('VALIDATION_ERROR', `Expression limit ${key} must be a positive integer, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/**
 * The name under which each evaluation's budget is bound in the JSONata environment. It holds a
 * space, which JSONata's tokenizer ends a variable name at, so user expressions cannot reach it.
 */
export const BUDGET_BINDING = 'weft budget';

/** The hook names jsonata 1.8 looks up (verified in node_modules/jsonata/jsonata.js, `function* evaluate`). */
export const ENTRY_HOOK = '__evaluate_entry';
export const EXIT_HOOK = '__evaluate_exit';

/**
 * Variable names users may not bind or read. The hooks are found by an ordinary environment
 * lookup, so `($__evaluate_entry := 0; …)` would switch the counting off in its block.
 */
export function isReservedName(name: string): boolean {
  return name.startsWith('__evaluate');
}

/** Array items charged as one step when a value is created or handed to a built-in function. */
export const ITEMS_PER_STEP = 8;
/** Characters charged as one step. */
export const CHARS_PER_STEP = 64;

/**
 * Depth up to which an operation counts as one step. Ordinary expressions stay within it
 * (`$sum(input.items.(price * qty))` reaches 6), so their counts are the plain number of
 * operations.
 */
export const FREE_DEPTH = 10;
/**
 * Levels of depth beyond {@link FREE_DEPTH} that add one step to each operation. Measured in
 * plain Node (jsonata 1.8, no hooks), an operation costs 0.4 µs at depth 5 plus about 0.13 µs
 * per level (12.5 µs at depth 98); with the hooks, and in the sandbox, the fixed part is larger
 * (about 1.4 and 3 µs), so an operation at depth 98 costs about 10 shallow ones in Node and 7
 * in the sandbox. It counts 12 steps.
 */
export const DEPTH_LEVELS_PER_STEP = 8;

/** The part of a JSONata environment frame the hooks use. */
export interface JsonataFrame {
  lookup(name: string): unknown;
}

/**
 * The lower and upper bounds of every range (`a..b`) of the parsed ASTs, which the exit hook
 * must recognise. Filled once per parse by {@link indexAst}; the nodes are the objects JSONata
 * evaluates, so lookups are by identity.
 */
const rangeStarts = new WeakSet<object>();
const rangeEnds = new WeakSet<object>();

/** Records the nodes the hooks must recognise in a parsed AST. Call once per parse. */
export function indexAst(root: unknown): void {
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof RegExp) continue;
    seen.add(value);
    const node = value as { type?: unknown; value?: unknown; lhs?: unknown; rhs?: unknown };
    if (node.type === 'binary' && node.value === '..') {
      if (typeof node.lhs === 'object' && node.lhs !== null) rangeStarts.add(node.lhs);
      if (typeof node.rhs === 'object' && node.rhs !== null) rangeEnds.add(node.rhs);
    }
    for (const key of Object.keys(value)) pending.push((value as Record<string, unknown>)[key]);
  }
}

/** Counts one evaluation. Created per evaluation; never shared. */
export class EvaluationBudget {
  private steps = 0;
  private depth = 0;
  /** Lower bounds of the ranges being evaluated, innermost last (a bound exits before its upper bound is entered). */
  private readonly rangeStarts: unknown[] = [];

  constructor(readonly limits: ExpressionLimits) {}

  /** Steps used so far (fractions come from per-item charges). */
  get stepsUsed(): number {
    return this.steps;
  }

  /**
   * Adds `steps` to the count.
   *
   * @throws WeftError `EXPRESSION_ERROR` when the total goes over `maxSteps`.
   */
  charge(steps: number): void {
    this.steps += steps;
    if (this.steps > this.limits.maxSteps) {
      this.fail('maxSteps', `Expression exceeded ${this.limits.maxSteps} evaluation steps (an endless loop or recursion, or too much data for one expression)`);
    }
  }

  /**
   * Checks that a produced value is within the size limits.
   *
   * @throws WeftError `EXPRESSION_ERROR` for a string over `maxStringLength` or an array over `maxArrayLength`.
   */
  checkValue(value: unknown): void {
    if (typeof value === 'string' && value.length > this.limits.maxStringLength) {
      this.fail('maxStringLength', `Expression produced a string of ${value.length} characters (limit ${this.limits.maxStringLength})`);
    }
    if (Array.isArray(value) && value.length > this.limits.maxArrayLength) {
      this.fail('maxArrayLength', `Expression produced an array of ${value.length} items (limit ${this.limits.maxArrayLength})`);
    }
  }

  /** Throws the limit error with this evaluation's numbers. */
  fail(limit: keyof ExpressionLimits | 'regexSubject', message: string): never {
    throw new WeftError('EXPRESSION_ERROR', message, { details: { limit, stepsUsed: Math.ceil(this.steps) } });
  }

  /** The entry hook's work: the depth check, and one step, more when deep (see {@link FREE_DEPTH}). */
  enter(): void {
    this.depth += 1;
    if (this.depth > this.limits.maxDepth) {
      this.fail('maxDepth', `Expression nested deeper than ${this.limits.maxDepth} levels (runaway recursion or deep nesting)`);
    }
    this.charge(this.depth > FREE_DEPTH ? 1 + (this.depth - FREE_DEPTH) / DEPTH_LEVELS_PER_STEP : 1);
  }

  /** The exit hook's work: size checks, allocation charges, and closing the level. */
  exit(expr: { type?: unknown; value?: unknown }, result: unknown): void {
    this.depth -= 1;
    this.checkValue(result);
    if (Array.isArray(result)) {
      // Values built natively in one go, without a hook per item.
      if (
        (expr.type === 'binary' && expr.value === '..') ||
        (expr.type === 'unary' && expr.value === '[') ||
        expr.type === 'wildcard' ||
        expr.type === 'descendant'
      ) {
        this.charge(result.length / ITEMS_PER_STEP);
      }
    } else if (typeof result === 'string' && expr.type === 'binary' && expr.value === '&') {
      this.charge(result.length / CHARS_PER_STEP);
    }
    // JSONata allocates a range before anything sees it (up to 10 million items in 1.8), so its
    // size is checked between the evaluation of its bounds and the allocation.
    if (rangeStarts.has(expr)) {
      this.rangeStarts.push(singleValue(result));
    } else if (rangeEnds.has(expr)) {
      const start = this.rangeStarts.pop();
      const end = singleValue(result);
      if (typeof start === 'number' && typeof end === 'number' && end - start + 1 > this.limits.maxArrayLength) {
        this.fail('maxArrayLength', `Range ${start}..${end} would produce ${end - start + 1} items (limit ${this.limits.maxArrayLength})`);
      }
    }
  }

  /**
   * The hooks and the budget, bound in the frame of one evaluation (JSONata's `bindings`), so
   * that evaluations of the same compiled expression never share a count.
   */
  bindings(): Record<string, unknown> {
    return {
      [BUDGET_BINDING]: this,
      [ENTRY_HOOK]: (): void => this.enter(),
      [EXIT_HOOK]: (expr: object, _input: unknown, _environment: unknown, result: unknown): void =>
        this.exit(expr as { type?: unknown; value?: unknown }, result),
    };
  }
}

/** A hook sees a value before JSONata unwraps a one-item sequence; this unwraps it the same way. */
function singleValue(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 && (value as { sequence?: unknown }).sequence === true ? value[0] : value;
}

/** The evaluations in progress, innermost last (one, unless an input getter evaluates again). */
const running: EvaluationBudget[] = [];

/**
 * Runs `evaluate` as the evaluation `budget` counts. Evaluation is synchronous, so while it
 * runs, the innermost budget here is the only one any JSONata code can be working for.
 */
export function withBudget<T>(budget: EvaluationBudget, evaluate: () => T): T {
  running.push(budget);
  try {
    return evaluate();
  } finally {
    running.pop();
  }
}

/**
 * The budget of the evaluation an environment frame belongs to: the one bound in its frame
 * chain, or else the innermost evaluation running. The fallback is for a partially applied
 * built-in (`$substring(?, 0, 2)`), which jsonata 1.8 calls in a frame with no parent.
 *
 * @throws WeftError `EXPRESSION_ERROR` when there is none: the expression was evaluated
 *   without going through this module, which would leave it unbounded.
 */
export function budgetOf(frame: JsonataFrame | undefined): EvaluationBudget {
  const budget = frame?.lookup(BUDGET_BINDING) ?? running[running.length - 1];
  if (budget instanceof EvaluationBudget) return budget;
  throw new WeftError('EXPRESSION_ERROR', 'Expression evaluated without a budget; use evaluateExpression()');
}

/**
 * Installed under {@link ENTRY_HOOK} in every compiled expression's own frame, beneath the
 * per-evaluation hooks of {@link EvaluationBudget.bindings}: it is reached only from a frame
 * that does not descend from an evaluation's frame (none is known in jsonata 1.8), and counts
 * against the evaluation running — or refuses to run at all outside one.
 */
export function fallbackEntryHook(_expr: object, _input: unknown, environment: JsonataFrame): void {
  budgetOf(environment).enter();
}

/** Installed under {@link EXIT_HOOK} beside {@link fallbackEntryHook}. */
export function fallbackExitHook(expr: object, _input: unknown, environment: JsonataFrame, result: unknown): void {
  budgetOf(environment).exit(expr as { type?: unknown; value?: unknown }, result);
}
