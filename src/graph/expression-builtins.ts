/**
 * Metered replacements for JSONata's built-in functions.
 *
 * Built-in functions run natively, outside the evaluation hooks, and some do a lot of work per
 * call: `$map(big, $string)` calls `$string` a million times without a single hook step,
 * `$distinct` compares every pair, `$pad("", 1e8)` allocates 100 MB. Each built-in is therefore
 * replaced, in every compiled expression, by a wrapper that charges the evaluation's budget in
 * proportion to the size of its arguments before it runs, and checks and charges its result
 * after. Two are reimplemented with the same results: `$sort`, because JSONata 1.8's merge
 * recurses once per item it takes (quadratic copying, a stack overflow beyond a few thousand
 * items, and every comparison yields through all those generators), and `$distinct` over
 * primitives (a Set instead of comparing every pair). `$eval` is disabled: it would parse text
 * that validation never saw.
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
}

/**
 * A built-in's implementation. Those that call back into JSONata (`$map`, `$sort`, …) are
 * generator functions: JSONata drives what they return with `yield*`, so a callback can yield.
 */
type NativeImplementation = (this: Focus, ...args: unknown[]) => unknown;
type GeneratorImplementation = (this: Focus, ...args: unknown[]) => Generator<unknown, unknown, unknown>;

/** A JSONata native function value, as `defineFunction` builds it. */
export interface NativeFunction {
  _jsonata_function: true;
  implementation: NativeImplementation;
  signature?: unknown;
  arity?: number;
}

/** The built-ins jsonata 1.8 binds in its static frame (`$now` and `$millis` are bound per expression and left alone). */
const BUILTIN_NAMES = [
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
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
const isPrimitive = (value: unknown): boolean => value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** `Object.getPrototypeOf` of every generator function: how a generator built-in is recognised. */
const GENERATOR_FUNCTION = Object.getPrototypeOf(function* () {
  // empty: only its prototype is used
}) as unknown;

function isGeneratorFunction(fn: NativeImplementation): fn is GeneratorImplementation {
  return Object.getPrototypeOf(fn) === GENERATOR_FUNCTION;
}

function isIterator(value: unknown): value is Iterator<unknown, unknown, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function' && Symbol.iterator in value;
}

/** `$sort(array)` without comparator: same stable order as JSONata's merge sort (swap when a > b), in n log n. */
function fastSort(budget: EvaluationBudget, arr: unknown): unknown[] | undefined {
  if (!Array.isArray(arr) || arr.length <= 1) return undefined;
  const numbers = arr.every((v) => typeof v === 'number' && Number.isFinite(v));
  const strings = !numbers && arr.every((v) => typeof v === 'string');
  if (!numbers && !strings) return undefined; // the original raises JSONata's own error (D3070, D1001)
  budget.charge(1 + (arr.length * Math.log2(arr.length)) / ITEMS_PER_STEP);
  return (arr as Array<number | string>).slice().sort((a, b) => (a > b ? 1 : a < b ? -1 : 0));
}

/**
 * `$sort(array, comparator)`: JSONata's merge sort, step for step (same halves, same
 * comparisons in the same order, so the same result even for an inconsistent comparator), with
 * the merge as a loop instead of one recursion per item. Each comparison is a JSONata call,
 * counted by the hooks.
 */
function* mergeSort(array: readonly unknown[], comparator: (a: unknown, b: unknown) => unknown): Generator<unknown, unknown[], unknown> {
  if (array.length <= 1) return array.slice();
  const middle = Math.floor(array.length / 2);
  const left = yield* mergeSort(array.slice(0, middle), comparator);
  const right = yield* mergeSort(array.slice(middle), comparator);
  const merged: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length && r < right.length) {
    let swap = comparator(left[l], right[r]);
    if (isIterator(swap)) swap = yield* swap as Generator<unknown, unknown, unknown>;
    // A true comparator result means "left after right", as in JSONata.
    if (swap) merged.push(right[r++]);
    else merged.push(left[l++]);
  }
  while (l < left.length) merged.push(left[l++]);
  while (r < right.length) merged.push(right[r++]);
  return merged;
}

/** `$distinct` over primitives: JSONata's deep equality is `===` for them, which a Set reproduces. */
function fastDistinct(budget: EvaluationBudget, arr: unknown): unknown[] | undefined {
  if (!Array.isArray(arr) || arr.length <= 1) return undefined;
  if (!arr.every(isPrimitive)) {
    // The original compares every item with every distinct item so far.
    budget.charge((arr.length * arr.length) / 4);
    return undefined;
  }
  budget.charge(1 + arr.length / ITEMS_PER_STEP);
  const seen = new Set<unknown>();
  const result: unknown[] = [];
  // As JSONata's createSequence: a sequence in gives a sequence out.
  if (isSequence(arr)) (result as unknown[] & { sequence?: boolean }).sequence = true;
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
  let implementation: NativeImplementation;
  if (name === 'sort') {
    implementation = function* (this: Focus, ...args: unknown[]): Generator<unknown, unknown, unknown> {
      const budget = budgetOf(this.environment);
      const [arr, comparator] = args;
      let result: unknown = comparator === undefined ? fastSort(budget, arr) : undefined;
      if (result === undefined) {
        budget.charge(cost(args, budget));
        result =
          Array.isArray(arr) && arr.length > 1 && typeof comparator === 'function'
            ? yield* mergeSort(arr, comparator as (a: unknown, b: unknown) => unknown)
            : yield* drive(originalImplementation.apply(this, args));
      }
      return settle(budget, result);
    };
  } else if (isGeneratorFunction(originalImplementation)) {
    // Callbacks into JSONata yield; the wrapper passes their yields through and settles the result.
    implementation = function* (this: Focus, ...args: unknown[]): Generator<unknown, unknown, unknown> {
      const budget = budgetOf(this.environment);
      budget.charge(cost(args, budget));
      const result: unknown = yield* originalImplementation.apply(this, args);
      return settle(budget, result);
    };
  } else {
    implementation = function (this: Focus, ...args: unknown[]): unknown {
      const budget = budgetOf(this.environment);
      let result: unknown = name === 'distinct' ? fastDistinct(budget, args[0]) : undefined;
      if (result === undefined) {
        budget.charge(cost(args, budget));
        result = originalImplementation.apply(this, args);
      }
      return settle(budget, result);
    };
  }
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

/** Runs what a built-in returned to its end when it is a generator (JSONata does the same). */
function* drive(value: unknown): Generator<unknown, unknown, unknown> {
  return isIterator(value) ? yield* value as Generator<unknown, unknown, unknown> : value;
}

function settle(budget: EvaluationBudget, value: unknown): unknown {
  budget.checkValue(value);
  budget.charge(shallowSteps(value));
  return value;
}

function disabledEval(original: NativeFunction): NativeFunction {
  const implementation: NativeImplementation = () => {
    throw new WeftError('EXPRESSION_ERROR', '$eval is disabled in Weft expressions: write the expression itself');
  };
  implementation.toString = () => original.implementation.toString();
  return { _jsonata_function: true, implementation, signature: original.signature, arity: 2 };
}

let overrides: ReadonlyArray<readonly [string, NativeFunction]> | undefined;

/**
 * The metered built-ins, by name, to bind in every compiled expression. Built once: JSONata
 * does not export its function table, so the originals are read by evaluating `$name`s once.
 *
 * @throws WeftError `INTERNAL` when the installed JSONata lacks one of them.
 */
export function builtinOverrides(): ReadonlyArray<readonly [string, NativeFunction]> {
  overrides ??= readOriginals();
  return overrides;
}

function readOriginals(): ReadonlyArray<readonly [string, NativeFunction]> {
  const table = jsonata(`{${BUILTIN_NAMES.map((n) => `"${n}": $${n}`).join(', ')}}`);
  const originals = table.evaluate({}) as Record<string, NativeFunction | undefined>;
  return BUILTIN_NAMES.map((name) => {
    const original = originals[name];
    if (!original || original._jsonata_function !== true) {
      throw new WeftError('INTERNAL', `jsonata built-in $${name} not found; the expression engine needs updating`);
    }
    return [name, name === 'eval' ? disabledEval(original) : wrap(name, original)] as const;
  });
}
