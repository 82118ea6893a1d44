/**
 * The expression engine of Weft: JSONata, parsed once, evaluated with bounded steps, depth and
 * value sizes (see `expression-budget.ts` for how, `docs/expressions.md` for what users see).
 *
 * Evaluation is synchronous: jsonata 1.8 evaluates with generators driven to completion, and
 * creates no promise. That matters inside Temporal's workflow sandbox, which captures a stack
 * trace for every promise created: jsonata 2.x, which creates several per step, ran about 50
 * times slower there. Evaluation performs no I/O and reads no clock or randomness except
 * through JSONata's `$now()`, `$millis()`, `$random()` and `$shuffle()`, which inside a
 * Temporal workflow see the SDK's deterministic replacements.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs, no `eval`, no `new Function`.
 */
import jsonata from 'jsonata';
import { isWeftError, WeftError } from './errors';
import {
  DEFAULT_EXPRESSION_LIMITS,
  ENTRY_HOOK,
  EvaluationBudget,
  EXIT_HOOK,
  type ExpressionLimits,
  fallbackEntryHook,
  fallbackExitHook,
  indexAst,
  isReservedName,
  resolveLimits,
  withBudget,
} from './expression-budget';
import { builtinOverrides } from './expression-builtins';
import { unsafeRegexReason } from './regex-safety';

export { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './expression-budget';

/** What every expression can read: the JSONata input document. */
export interface ExpressionContext {
  /** The execution's input. */
  input: unknown;
  /** The variables: defaults, then every assignment so far. */
  vars: Record<string, unknown>;
  /** The output of each node that has run (the latest run, in loops). */
  nodes: Record<string, { output: unknown }>;
  /** Identity of the running execution. */
  execution: { id: string; workflowId: string; version: string; startedAt: string; site?: ExecutionSite };
  /** The site's effective configuration, fixed at the execution's start (absent without a site). */
  config?: Record<string, unknown>;
}

/** The site an execution runs at, as expressions see it (`execution.site`). */
export interface ExecutionSite {
  id: string;
  region: string;
  environment: string;
}

/** Why an expression was refused before it ran. `position` is a character offset in the source when known. */
export interface ExpressionProblem {
  code: 'EXPRESSION_ERROR';
  message: string;
  position?: number;
}

/** A parsed, checked expression, ready to evaluate any number of times. */
export interface CompiledExpression {
  readonly source: string;
  /**
   * Evaluates against `context` within `limits` (defaults: {@link DEFAULT_EXPRESSION_LIMITS}).
   * Returns a plain JSON value, or `undefined` when the expression selects nothing.
   *
   * @throws WeftError `EXPRESSION_ERROR` on a run-time error or a limit exceeded;
   *   `VALIDATION_ERROR` when `limits` holds a value that is not a positive integer.
   */
  evaluate(context: ExpressionContext, limits?: Partial<ExpressionLimits>): unknown;
}

/**
 * Regex matching runs natively and cannot be interrupted; the shapes that backtrack
 * exponentially are refused at parse time, and this caps the polynomial rest.
 */
export const MAX_REGEX_SUBJECT_LENGTH = 10_000;

/** AST nesting refused at parse time, so that validation catches what evaluation would refuse. */
const MAX_AST_DEPTH = DEFAULT_EXPRESSION_LIMITS.maxDepth;
/** Nesting of a result beyond which it cannot be a sensible JSON value. */
const MAX_RESULT_DEPTH = 1000;
const CACHE_SIZE = 500;

/**
 * RegExp with a cap on the subject length, JSONata's regex engine. jsonata 1.8 keeps the engine
 * in one module-wide slot (`jsonata.RegexEngine`), overwritten by every `jsonata()` call and read
 * when a regex literal is evaluated; the slot is pinned to this class below.
 */
class BoundedRegExp extends RegExp {
  override exec(subject: string): RegExpExecArray | null {
    if (typeof subject === 'string' && subject.length > MAX_REGEX_SUBJECT_LENGTH) {
      throw new WeftError(
        'EXPRESSION_ERROR',
        `Regular expressions can be applied to at most ${MAX_REGEX_SUBJECT_LENGTH} characters; this string has ${subject.length}`,
        { details: { limit: 'regexSubject' } },
      );
    }
    return super.exec(subject);
  }
}

/** What JSONata constructs a regex literal with: `new RegexEngine(literal)`. */
type RegexEngine = new (pattern: RegExp | string) => RegExp;

// An accessor that ignores writes, so jsonata's own assignment on each compile cannot unpin the
// bounded engine, in this module or in any workflow sharing it (see SHARED_WORKFLOW_MODULES).
Object.defineProperty(jsonata, 'RegexEngine', { get: () => BoundedRegExp, set: () => undefined });

/** `jsonata()` with the options jsonata 1.8 reads (its bundled typings omit them). */
const compile = jsonata as unknown as (source: string, options: { RegexEngine: RegexEngine }) => jsonata.Expression;

interface CacheEntry {
  readonly compiled: jsonata.Expression | undefined;
  readonly problem: ExpressionProblem | undefined;
  decorated: boolean;
}

// Pure (same source, same result), so sharing it between workflow runs cannot break determinism.
const cache = new Map<string, CacheEntry>();

function cached(source: string): CacheEntry {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const entry = parse(source);
  cache.set(source, entry);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return entry;
}

function parse(source: string): CacheEntry {
  if (typeof source !== 'string' || source.trim() === '') {
    return { compiled: undefined, problem: { code: 'EXPRESSION_ERROR', message: 'Expression is empty' }, decorated: false };
  }
  let compiled: jsonata.Expression;
  try {
    compiled = compile(source, { RegexEngine: BoundedRegExp });
  } catch (err) {
    return { compiled: undefined, problem: problemFrom(err), decorated: false };
  }
  const problem = inspectAst(compiled.ast());
  if (!problem) indexAst(compiled.ast());
  return problem ? { compiled: undefined, problem, decorated: false } : { compiled, problem: undefined, decorated: false };
}

function problemFrom(err: unknown): ExpressionProblem {
  const position = positionOf(err);
  if (err instanceof RangeError) {
    return { code: 'EXPRESSION_ERROR', message: 'Expression is nested too deeply to parse' };
  }
  return { code: 'EXPRESSION_ERROR', message: messageOf(err), ...(position === undefined ? {} : { position }) };
}

/**
 * Walks the parsed AST for what parsing alone does not refuse: unsafe regex literals, `$eval`,
 * names reserved for the evaluation hooks, and nesting beyond the default depth limit.
 */
function inspectAst(root: unknown): ExpressionProblem | null {
  const seen = new Set<object>();
  const pending: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof RegExp) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, depth });
      continue;
    }
    const node = value as { type?: unknown; value?: unknown; position?: unknown; focus?: unknown; index?: unknown };
    let childDepth = depth;
    if (typeof node.type === 'string') {
      childDepth = depth + 1;
      const position = typeof node.position === 'number' ? { position: node.position } : {};
      if (childDepth > MAX_AST_DEPTH) {
        return { code: 'EXPRESSION_ERROR', message: `Expression is nested more than ${MAX_AST_DEPTH} levels deep`, ...position };
      }
      if (node.type === 'regex' && node.value instanceof RegExp) {
        const reason = unsafeRegexReason(node.value.source);
        if (reason) {
          return { code: 'EXPRESSION_ERROR', message: `Regular expression /${node.value.source}/ refused: ${reason}`, ...position };
        }
      }
      if (node.type === 'variable' && node.value === 'eval') {
        return { code: 'EXPRESSION_ERROR', message: '$eval is disabled in Weft expressions: write the expression itself', ...position };
      }
      // Variables, parameters, and the `@$name` / `#$name` bindings of a path step.
      const bound = node.type === 'variable' ? [node.value] : [node.focus, node.index];
      for (const name of bound) {
        if (typeof name === 'string' && isReservedName(name)) {
          return { code: 'EXPRESSION_ERROR', message: `$${name} is reserved for the expression engine`, ...position };
        }
      }
    }
    for (const key of Object.keys(value)) {
      pending.push({ value: (value as Record<string, unknown>)[key], depth: childDepth });
    }
  }
  return null;
}

/**
 * Parses an expression and checks it against the rules evaluation relies on (regex shapes,
 * `$eval`, nesting). Returns why it is refused, or null when it is fine. Never throws.
 */
export function checkExpression(source: string): ExpressionProblem | null {
  return cached(source).problem ?? null;
}

/**
 * Parses and checks an expression once (results are cached by source, up to 500 entries).
 *
 * @throws WeftError `EXPRESSION_ERROR` with `details.expression` and `details.position` when
 *   {@link checkExpression} refuses it.
 */
export function compileExpression(source: string): CompiledExpression {
  const problem = checkExpression(source);
  if (problem) {
    throw new WeftError('EXPRESSION_ERROR', problem.message, { details: detailsOf(source, problem.position) });
  }
  return { source, evaluate: (context, limits) => evaluateExpression(source, context, limits) };
}

/**
 * Evaluates a JSONata expression against `context` (the JSONata input document, so
 * `vars.total > vars.threshold` and `$sum(input.items.(price * qty))` work), bounded by
 * `limits` (defaults: {@link DEFAULT_EXPRESSION_LIMITS}). Returns a plain JSON value —
 * sequences become arrays, functions are dropped — or `undefined` when nothing is selected.
 *
 * @throws WeftError `EXPRESSION_ERROR` with `details.expression` (and `details.position`, and
 *   `details.limit` for a limit) when the expression does not parse, is refused, fails at run
 *   time, or exceeds a limit; `VALIDATION_ERROR` when `limits` is malformed.
 */
export function evaluateExpression(source: string, context: ExpressionContext, limits?: Partial<ExpressionLimits>): unknown {
  const resolved = resolveLimits(limits);
  const entry = cached(source);
  if (!entry.compiled) {
    const problem = entry.problem;
    throw new WeftError('EXPRESSION_ERROR', problem?.message ?? 'Expression is invalid', { details: detailsOf(source, problem?.position) });
  }
  const compiled = entry.compiled;
  if (!entry.decorated) {
    for (const [name, fn] of builtinOverrides()) compiled.assign(name, fn);
    compiled.assign(ENTRY_HOOK, fallbackEntryHook);
    compiled.assign(EXIT_HOOK, fallbackExitHook);
    entry.decorated = true;
  }
  // A budget per evaluation, bound in the evaluation's own frame: a cached expression evaluated
  // again (even from inside its own evaluation, through a getter of the input) counts afresh.
  const budget = new EvaluationBudget(resolved);
  let raw: unknown;
  try {
    // Without a callback, jsonata 1.8 evaluates synchronously and returns the result.
    raw = withBudget(budget, () => compiled.evaluate(context, budget.bindings()) as unknown);
  } catch (err) {
    throw toExpressionError(err, source);
  }
  return toJsonValue(raw, 0, source);
}

/**
 * Evaluates an expression and reduces the value to a boolean with JSONata's `$boolean` rules:
 * false for nothing, `null`, `false`, `0`, `""`, `[]`, `{}`, functions, and arrays whose items
 * are all false; true otherwise.
 *
 * @throws WeftError as {@link evaluateExpression}.
 */
export function evaluateBoolean(source: string, context: ExpressionContext, limits?: Partial<ExpressionLimits>): boolean {
  return isTruthy(evaluateExpression(source, context, limits));
}

/** JSONata's effective boolean value (`$boolean`), with `undefined` (nothing) as false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) {
    if (value.length === 1) return isTruthy(value[0]);
    return value.some((item) => isTruthy(item));
  }
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object' && value !== null && !isJsonataFunction(value)) return Object.keys(value).length > 0;
  return false;
}

function isJsonataFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return v._jsonata_function === true || v._jsonata_lambda === true;
}

/**
 * Copies a JSONata result into plain JSON: sequences (arrays carrying JSONata's flags) become
 * plain arrays, and functions are dropped as JSON.stringify drops them — a lambda holds its
 * environment, which is circular and would break the payload converter.
 */
function toJsonValue(value: unknown, depth: number, source: string): unknown {
  if (depth > MAX_RESULT_DEPTH) {
    throw new WeftError('EXPRESSION_ERROR', `Expression result is nested more than ${MAX_RESULT_DEPTH} levels deep`, {
      details: detailsOf(source, undefined),
    });
  }
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? undefined : value;
  }
  if (isJsonataFunction(value)) return undefined;
  if (Array.isArray(value)) {
    return value.map((item) => {
      const v = toJsonValue(item, depth + 1, source);
      return v === undefined ? null : v;
    });
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = toJsonValue((value as Record<string, unknown>)[key], depth + 1, source);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function toExpressionError(err: unknown, source: string): WeftError {
  const position = positionOf(err);
  if (isWeftError(err)) {
    return new WeftError('EXPRESSION_ERROR', err.message, { details: { ...err.details, ...detailsOf(source, position) } });
  }
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const details: Record<string, unknown> = detailsOf(source, position);
  if (typeof code === 'string') details.jsonataCode = code;
  const message = err instanceof RangeError ? `Expression failed: ${err.message} (too deep or too large)` : messageOf(err);
  return new WeftError('EXPRESSION_ERROR', message, { details });
}

function detailsOf(source: string, position: number | undefined): Record<string, unknown> {
  return position === undefined ? { expression: source } : { expression: source, position };
}

function positionOf(err: unknown): number | undefined {
  const position = typeof err === 'object' && err !== null ? (err as { position?: unknown }).position : undefined;
  return typeof position === 'number' ? position : undefined;
}

function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return `Expression failed: ${String(err)}`;
}
