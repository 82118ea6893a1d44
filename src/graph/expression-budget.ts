/**
 * The bound on one JSONata evaluation: steps, depth and value sizes, counted through JSONata's
 * evaluation hooks. Never the clock: inside a Temporal workflow the clock stands still during
 * a workflow task, so only counting can stop a runaway expression there.
 *
 * How the hooks work (jsonata 2.2): `evaluate()` looks up
 * `Symbol.for('jsonata.__evaluate_entry')` and `Symbol.for('jsonata.__evaluate_exit')` in the
 * environment and awaits them around every AST node it evaluates, including lambda bodies,
 * every iteration of a tail call, and every comparison of an order-by. A step is one entry.
 *
 * Depth is the number of evaluations entered and not yet exited on the current branch. JSONata
 * evaluates the items of an array constructor and the values of an object constructor with
 * `Promise.all`, so a plain counter would add up the depths of siblings (an object with 300
 * keys would look 300 deep). The entry hook therefore serialises those siblings: when the first
 * item of such a constructor is entered, a "launch" opens until the next microtask; any entry
 * made while it is open comes from the same synchronous run, before the first item could
 * resume, so it cannot be its child: it is a sibling launched by `Promise.all`, and it is held
 * (its hook returns a promise) until the previous sibling exits. Evaluation then runs
 * depth-first, one branch at a time, left to right, and the stack of open frames is exact.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { WeftError } from './errors';

/** The bounds of one evaluation. */
export interface ExpressionLimits {
  /** Evaluation steps (one per AST node evaluated, plus a charge for work done by built-in functions). Default 50,000. */
  maxSteps: number;
  /** Nested evaluations open at once on one branch (runaway recursion, deep nesting). Default 100. */
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

/** The hook keys jsonata 2.x looks up (verified in node_modules/jsonata/jsonata.js). */
export const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
export const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

/** Array items charged as one step when a value is created or handed to a built-in function. */
export const ITEMS_PER_STEP = 8;
/** Characters charged as one step. */
export const CHARS_PER_STEP = 64;

/** The part of a JSONata environment frame the hooks use. */
export interface JsonataFrame {
  lookup(name: string | symbol): unknown;
  base?: JsonataFrame;
}

/**
 * What the hooks return when evaluation may go on. JSONata awaits the hooks' return values; awaiting
 * an existing native promise allocates no new one, while awaiting `undefined` does, and inside
 * the workflow sandbox every new promise costs a captured stack trace (about a third of the
 * evaluation time, measured).
 */
const GO_ON: Promise<void> = Promise.resolve();

interface Frame {
  readonly expr: object;
  /** Lets the next sibling of a `Promise.all` launch run once this frame exits. */
  release?: () => void;
}

interface Launch {
  tail: Frame;
}

/**
 * AST nodes that JSONata evaluates as siblings under `Promise.all`: the items of array
 * constructors and the value expressions of object constructors and group-bys. Filled by the
 * parser side (`markParallelItems`); only entries of these can start a sibling launch, so only
 * they pay for the microtask that closes one (promises are costly inside the workflow sandbox,
 * where the SDK records a stack trace for each).
 */
const parallelItems = new WeakSet<object>();

/** Records the `Promise.all` items of a parsed AST (see {@link parallelItems}). Call once per parse. */
export function markParallelItems(root: unknown): void {
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof RegExp) continue;
    seen.add(value);
    const node = value as { type?: unknown; value?: unknown; expressions?: unknown; lhs?: unknown; group?: unknown };
    if (node.type === 'unary' && node.value === '[' && Array.isArray(node.expressions)) {
      for (const item of node.expressions) if (typeof item === 'object' && item !== null) parallelItems.add(item);
    }
    const pairs = node.type === 'unary' && node.value === '{' ? node.lhs : (node.group as { lhs?: unknown } | undefined)?.lhs;
    if (Array.isArray(pairs)) {
      for (const pair of pairs) {
        const item: unknown = Array.isArray(pair) ? pair[1] : undefined;
        if (typeof item === 'object' && item !== null) parallelItems.add(item);
      }
    }
    for (const key of Object.keys(value)) pending.push((value as Record<string, unknown>)[key]);
  }
}

/** Counts one evaluation. Created per evaluation; never shared. */
export class EvaluationBudget {
  private steps = 0;
  private readonly stack: Frame[] = [];
  private launch: Launch | null = null;
  private failure: WeftError | null = null;

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
    if (this.failure) throw this.failure;
    this.steps += steps;
    if (this.steps > this.limits.maxSteps) {
      this.fail(
        'maxSteps',
        `Expression exceeded ${this.limits.maxSteps} evaluation steps (an endless loop or recursion, or too much data for one expression)`,
      );
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

  /**
   * Throws the limit error with this evaluation's numbers, and keeps it so that any later hook
   * call of the same evaluation fails the same way.
   */
  fail(limit: keyof ExpressionLimits | 'regexSubject', message: string): never {
    this.failure ??= new WeftError('EXPRESSION_ERROR', message, { details: { limit, stepsUsed: Math.ceil(this.steps) } });
    throw this.failure;
  }

  /** The entry hook's work: one step, and the depth bookkeeping described in the module comment. */
  enter(expr: object): Promise<void> {
    this.charge(1);
    const launch = this.launch;
    if (launch !== null) {
      const frame: Frame = { expr };
      const previous = launch.tail;
      launch.tail = frame;
      return new Promise<void>((resolve) => {
        previous.release = () => {
          this.push(frame);
          resolve();
        };
      });
    }
    const frame: Frame = { expr };
    this.push(frame);
    if (!parallelItems.has(expr)) return GO_ON;
    const current: Launch = { tail: frame };
    this.launch = current;
    // Queued before the evaluation's own continuation (which awaits this hook's return value),
    // so it runs after every entry of this synchronous run and before the frame resumes.
    void Promise.resolve().then(() => {
      if (this.launch === current) this.launch = null;
    });
    return GO_ON;
  }

  /** The exit hook's work: size checks, allocation charges, and closing the frame. */
  exit(expr: { type?: unknown; value?: unknown }, result: unknown): void {
    this.checkValue(result);
    if (expr.type === 'binary' && expr.value === '..' && Array.isArray(result)) {
      this.charge(result.length / ITEMS_PER_STEP);
    } else if (expr.type === 'binary' && expr.value === '&' && typeof result === 'string') {
      this.charge(result.length / CHARS_PER_STEP);
    } else if (expr.type === 'unary' && expr.value === '[' && Array.isArray(result)) {
      this.charge(result.length / ITEMS_PER_STEP);
    }
    let frame = this.stack.pop();
    if (frame !== undefined && frame.expr !== expr) {
      // Not expected with jsonata 2.2; if its scheduling ever changes, close the right frame
      // rather than failing valid expressions.
      this.stack.push(frame);
      const index = this.stack.map((f) => f.expr).lastIndexOf(expr);
      frame = index >= 0 ? this.stack.splice(index, 1)[0] : undefined;
    }
    frame?.release?.();
  }

  private push(frame: Frame): void {
    this.stack.push(frame);
    if (this.stack.length > this.limits.maxDepth) {
      this.fail('maxDepth', `Expression nested deeper than ${this.limits.maxDepth} levels (runaway recursion or deep nesting)`);
    }
  }
}

/**
 * The budget of the evaluation an environment frame belongs to.
 *
 * @throws WeftError `EXPRESSION_ERROR` when the frame has none: the expression was evaluated
 *   without going through this module, which would leave it unbounded.
 */
export function budgetOf(frame: JsonataFrame | undefined): EvaluationBudget {
  const budget = (frame?.base ?? frame)?.lookup(BUDGET_BINDING);
  if (budget instanceof EvaluationBudget) return budget;
  throw new WeftError('EXPRESSION_ERROR', 'Expression evaluated without a budget; use evaluateExpression()');
}

/** Installed under {@link ENTRY_HOOK}. */
export function entryHook(expr: object, _input: unknown, environment: JsonataFrame): Promise<void> {
  return budgetOf(environment).enter(expr);
}

/** Installed under {@link EXIT_HOOK}. */
export function exitHook(expr: object, _input: unknown, environment: JsonataFrame, result: unknown): Promise<void> {
  budgetOf(environment).exit(expr as { type?: unknown; value?: unknown }, result);
  return GO_ON;
}
