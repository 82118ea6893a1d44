/**
 * Metered replacements for JSONata's built-in functions.
 *
 * Built-in functions run natively, outside the evaluation hooks, and some do a lot of work per
 * call: `$map(big, $string)` calls `$string` a million times without a single hook step,
 * `$distinct` compares every pair, `$sort` without a comparator is quadratic in JSONata 2.2,
 * `$pad("", 1e8)` allocates 100 MB. Each built-in is therefore replaced, in every compiled
 * expression, by a wrapper that charges the evaluation's budget in proportion to the size of
 * its arguments before it runs, and checks and charges its result after. Two are
 * reimplemented with the same results: `$sort` without a comparator (JavaScript's stable sort
 * instead of JSONata's quadratic merge) and `$distinct` over primitives (a Set instead of
 * pairwise comparison). `$eval` is disabled: it would parse text that validation never saw.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import jsonata from 'jsonata';
import { WeftError } from './errors';
import { budgetOf, CHARS_PER_STEP, type EvaluationBudget, ITEMS_PER_STEP, type JsonataFrame } from './expression-budget';

/** `this` of a JSONata native function. */
interface Focus {
  environment: JsonataFrame;
  input?: unknown;
  createSequence?: (...items: unknown[]) => unknown[];
}

type NativeImplementation = (this: Focus, ...args: unknown[]) => unknown;

/** A JSONata native function value, as `defineFunction` builds it. */
export interface NativeFunction {
  _jsonata_function: true;
  implementation: NativeImplementation;
  signature?: unknown;
  arity?: number;
}

/** The built-ins jsonata 2.2 binds in its static frame (`$now` and `$millis` are bound per expression and left alone). */
const BUILTIN_NAMES = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs',
  'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys',
  'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error', 'assert', 'type', 'sort',
  'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone',
] as const;

type BuiltinName = (typeof BUILTIN_NAMES)[number];

/** Steps charged before a call, from its arguments. */
type Cost = (args: readonly unknown[], budget: EvaluationBudget) => number;

/** Items and characters at the top level of a value, in steps. */
function shallowSteps(value: unknown): number {
  if (Array.isArray(value)) return value.length / ITEMS_PER_STEP;
  if (typeof value === 'string') return value.length / CHARS_PER_STEP;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length / ITEMS_PER_STEP;
  return 0;
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) || typeof value === 'string' ? value.length : 0;
}

/**
 * Array items plus object members plus characters/CHARS_PER_STEP of a whole value, counting no
 * further than `cap` so that measuring never costs more than the budget it is checked against.
 */
function deepCells(value: unknown, cap: number): number {
  let cells = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && cells <= cap) {
    const v = pending.pop();
    if (typeof v === 'string') {
      cells += v.length / CHARS_PER_STEP;
    } else if (Array.isArray(v)) {
      cells += v.length;
      for (const item of v) pending.push(item);
    } else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        cells += 1;
        pending.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return cells;
}

const remaining = (budget: EvaluationBudget): number => budget.limits.maxSteps - budget.stepsUsed + 1;

const defaultCost: Cost = (args) => 1 + args.reduce<number>((sum, a) => sum + shallowSteps(a), 0);
// JSON serialisation in JSONata costs about a microsecond per member, the price of a step.
const serialiseCost: Cost = (args, budget) => 1 + deepCells(args[0], remaining(budget));
// Higher-order functions may call a native function per item, which no hook sees.
const perItemCost: Cost = (args) => 1 + args.reduce<number>((sum, a) => sum + (Array.isArray(a) ? a.length : shallowSteps(a) * ITEMS_PER_STEP), 0);
const scanCost: Cost = (args) => 1 + lengthOf(args[0]) / ITEMS_PER_STEP;

const COSTS: Partial<Record<BuiltinName, Cost>> = {
  string: serialiseCost,
  clone: serialiseCost,
  map: perItemCost,
  filter: perItemCost,
  single: perItemCost,
  reduce: perItemCost,
  sift: perItemCost,
  each: perItemCost,
  zip: perItemCost,
  match: scanCost,
  replace: scanCost,
  split: scanCost,
  contains: scanCost,
  pad: (args, budget) => {
    const width = typeof args[1] === 'number' ? Math.abs(Math.trunc(args[1])) : 0;
    if (width > budget.limits.maxStringLength) {
      budget.fail('maxStringLength', `$pad to ${width} characters would exceed the string limit of ${budget.limits.maxStringLength}`);
    }
    return 1 + width / ITEMS_PER_STEP + lengthOf(args[0]) / CHARS_PER_STEP;
  },
  join: (args, budget) => {
    const items = Array.isArray(args[0]) ? args[0] : [args[0]];
    const separator = typeof args[1] === 'string' ? args[1].length : 0;
    let chars = Math.max(0, items.length - 1) * separator;
    for (const item of items) chars += lengthOf(item);
    if (chars > budget.limits.maxStringLength) {
      budget.fail('maxStringLength', `$join would produce ${chars} characters (limit ${budget.limits.maxStringLength})`);
    }
    return 1 + items.length / ITEMS_PER_STEP + chars / CHARS_PER_STEP;
  },
};

const isSequence = (value: unknown): boolean => Array.isArray(value) && (value as { sequence?: unknown }).sequence === true;
const isPrimitive = (value: unknown): boolean =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** `$sort(array)` without comparator: same stable order as JSONata's merge sort (swap when a > b), in n log n. */
function fastSort(budget: EvaluationBudget, arr: unknown): unknown[] | undefined {
  if (!Array.isArray(arr) || arr.length <= 1) return undefined;
  const numbers = arr.every((v) => typeof v === 'number' && Number.isFinite(v));
  const strings = !numbers && arr.every((v) => typeof v === 'string');
  if (!numbers && !strings) return undefined; // the original raises JSONata's own error (D3070)
  budget.charge(1 + (arr.length * Math.log2(arr.length)) / ITEMS_PER_STEP);
  return (arr as Array<number | string>).slice().sort((a, b) => (a > b ? 1 : a < b ? -1 : 0));
}

/** `$distinct` over primitives: JSONata's deep equality is `===` for them, which a Set reproduces. */
function fastDistinct(focus: Focus, budget: EvaluationBudget, arr: unknown): unknown[] | undefined {
  if (!Array.isArray(arr) || arr.length <= 1) return undefined;
  if (!arr.every(isPrimitive)) {
    // The original compares every item with every distinct item so far.
    budget.charge((arr.length * arr.length) / 4);
    return undefined;
  }
  budget.charge(1 + arr.length / ITEMS_PER_STEP);
  const seen = new Set<unknown>();
  const result = isSequence(arr) && focus.createSequence ? focus.createSequence() : [];
  for (const value of arr) {
    if (!seen.has(value)) {
      seen.add(value);
      result.push(value);
    }
  }
  return result;
}

function wrap(name: BuiltinName, original: NativeFunction): NativeFunction {
  const cost = COSTS[name] ?? defaultCost;
  const originalImplementation = original.implementation;
  const implementation: NativeImplementation = function (this: Focus, ...args: unknown[]): unknown {
    const budget = budgetOf(this.environment);
    let result: unknown;
    if (name === 'sort' && args[1] === undefined) {
      result = fastSort(budget, args[0]);
    } else if (name === 'distinct') {
      result = fastDistinct(this, budget, args[0]);
    }
    if (result === undefined) {
      budget.charge(cost(args, budget));
      result = originalImplementation.apply(this, args);
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then((value) => settle(budget, value));
    }
    return settle(budget, result);
  };
  // JSONata reads a native function's parameter names from its source text when it is
  // partially applied (`$substring(?, 0, 2)`), so the wrapper must show the original's.
  implementation.toString = () => originalImplementation.toString();
  return {
    _jsonata_function: true,
    implementation,
    signature: original.signature,
    // Higher-order functions pass as many arguments as the callee declares.
    arity: typeof original.arity === 'number' ? original.arity : originalImplementation.length,
  };
}

function settle(budget: EvaluationBudget, value: unknown): unknown {
  budget.checkValue(value);
  budget.charge(shallowSteps(value));
  return value;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function disabledEval(original: NativeFunction): NativeFunction {
  const implementation: NativeImplementation = () => {
    throw new WeftError('EXPRESSION_ERROR', '$eval is disabled in Weft expressions: write the expression itself');
  };
  implementation.toString = () => original.implementation.toString();
  return { _jsonata_function: true, implementation, signature: original.signature, arity: 2 };
}

let overrides: Promise<ReadonlyArray<readonly [string, NativeFunction]>> | undefined;

/**
 * The metered built-ins, by name, to bind in every compiled expression. Loaded once: JSONata
 * does not export its function table, so the originals are read by evaluating `$name`s once.
 */
export function builtinOverrides(): Promise<ReadonlyArray<readonly [string, NativeFunction]>> {
  overrides ??= (async () => {
    const table = jsonata(`{${BUILTIN_NAMES.map((n) => `"${n}": $${n}`).join(', ')}}`);
    const originals = (await table.evaluate({})) as Record<string, NativeFunction | undefined>;
    return BUILTIN_NAMES.map((name) => {
      const original = originals[name];
      if (!original || original._jsonata_function !== true) {
        throw new WeftError('INTERNAL', `jsonata built-in $${name} not found; the expression engine needs updating`);
      }
      return [name, name === 'eval' ? disabledEval(original) : wrap(name, original)] as const;
    });
  })();
  return overrides;
}
