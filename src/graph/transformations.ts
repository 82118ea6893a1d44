/**
 * The `operations` of DATA_TRANSFORMATION (004: map, rename, calculate, format, merge): their
 * schemas, where their expressions are, and how they run. Operations run in order after
 * `assign`; each stores its result in the variable `target`, so later operations (and later
 * nodes) read it as `vars.<target>`.
 *
 * Everything here runs inside the workflow: evaluation goes through the bounded expression
 * engine, arrays are capped at {@link MAX_OPERATION_ITEMS}, deep merges at
 * {@link MAX_MERGE_DEPTH}. Dates are formatted by JSONata's `$fromMillis`, in UTC unless an
 * explicit `timezone` offset is given: no Intl, no host time zone.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { isWeftError, WeftError } from './errors';
import { evaluateExpression, type ExpressionContext, type ExpressionLimits, DEFAULT_EXPRESSION_LIMITS } from './expressions';
import { isPlainObject, toPointer } from './json';
import { VARIABLE_NAME_PATTERN } from './schema';
import { renderTemplate } from './templates';

/** Items a `map` may iterate over, or a `rename` of an array may touch. */
export const MAX_OPERATION_ITEMS = 5_000;
/** Evaluation steps one `map` may spend over all its items (see {@link mapItemLimits}). */
export const MAP_STEP_BUDGET = 500_000;
/** Steps each `map` item gets at least, however many items there are. */
export const MIN_STEPS_PER_ITEM = 100;
/** Nesting a deep `merge` follows; deeper objects are refused. */
export const MAX_MERGE_DEPTH = 100;
/** Operations one node may list. */
export const MAX_OPERATIONS = 100;

/** The operation types (004: "map, rename, calculate, format, merge"). */
export const OPERATION_TYPES = ['map', 'rename', 'calculate', 'format', 'merge'] as const;
/** What `format` can produce. */
export const FORMAT_KINDS = ['date', 'datetime', 'number', 'currency', 'uppercase', 'lowercase', 'trim', 'template'] as const;
/** How `merge` combines objects. */
export const MERGE_STRATEGIES = ['shallow', 'deep'] as const;

const expression = z.string().min(1, 'Expression must not be empty');
const target = z.string().regex(VARIABLE_NAME_PATTERN, 'Variable names must start with a letter or _ and contain only letters, digits, _ and -');

/** `map`: evaluates `expression` once per item of `source` (with `item` and `index` in the context). */
export const MapOperationSchema = z.strictObject({ type: z.literal('map'), source: expression, expression, target });

/** `rename`: renames keys of the object (or of each object of the array) `source` per `mapping` (old → new). */
export const RenameOperationSchema = z.strictObject({
  type: z.literal('rename'),
  source: expression,
  mapping: z
    .record(z.string().min(1), z.string().min(1))
    .refine((m) => Object.keys(m).length > 0, 'mapping needs at least one key')
    .superRefine((m, ctx) => {
      const seen = new Set<string>();
      for (const [from, to] of Object.entries(m)) {
        if (seen.has(to)) ctx.addIssue({ code: 'custom', path: [from], message: `two keys are renamed to "${to}"` });
        seen.add(to);
      }
    }),
  target,
});

/** `calculate`: `target` := `expression` (as one entry of `assign`, but in the ordered list). */
export const CalculateOperationSchema = z.strictObject({ type: z.literal('calculate'), expression, target });

/** `format`: the value of `value` (or the rendered `template`) as text of the kind `format`. */
export const FormatOperationSchema = z
  .strictObject({
    type: z.literal('format'),
    format: z.enum(FORMAT_KINDS),
    value: expression.optional(),
    template: z.string().optional(),
    /** JSONata picture: `$fromMillis` pictures for date/datetime, `$formatNumber` pictures for number. */
    pattern: z.string().min(1).max(200).optional(),
    decimals: z.number().int().min(0).max(20).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
      .optional(),
    timezone: z
      .string()
      .regex(/^[+-](?:[01]\d|2[0-3])[0-5]\d$/, 'must be a UTC offset such as +0100 or -0530')
      .optional(),
    target,
  })
  .superRefine((op, ctx) => {
    const allowed: Record<(typeof FORMAT_KINDS)[number], readonly string[]> = {
      date: ['pattern', 'timezone'],
      datetime: ['pattern', 'timezone'],
      number: ['pattern', 'decimals'],
      currency: ['decimals', 'currency'],
      uppercase: [],
      lowercase: [],
      trim: [],
      template: [],
    };
    for (const key of ['pattern', 'decimals', 'currency', 'timezone'] as const) {
      if (op[key] !== undefined && !allowed[op.format].includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" does not apply to format "${op.format}"` });
      }
    }
    if (op.format === 'number' && op.pattern !== undefined && op.decimals !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['decimals'], message: 'give "pattern" or "decimals", not both' });
    }
    if (op.format === 'template') {
      if (op.template === undefined) ctx.addIssue({ code: 'custom', path: ['template'], message: 'format "template" needs "template"' });
      if (op.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'format "template" takes "template", not "value"' });
    } else {
      if (op.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `format "${op.format}" needs "value"` });
      if (op.template !== undefined) ctx.addIssue({ code: 'custom', path: ['template'], message: '"template" is for format "template" only' });
    }
  });

/** `merge`: the objects `sources` evaluate to, later ones winning; `deep` merges nested objects too. */
export const MergeOperationSchema = z.strictObject({
  type: z.literal('merge'),
  sources: z.array(expression).min(1).max(50),
  strategy: z.enum(MERGE_STRATEGIES).default('shallow'),
  target,
});

/** One operation; `type` selects the shape. */
export const TransformationOperationSchema = z.discriminatedUnion('type', [
  MapOperationSchema,
  RenameOperationSchema,
  CalculateOperationSchema,
  FormatOperationSchema,
  MergeOperationSchema,
]);

/** The ordered list of operations of a DATA_TRANSFORMATION node. */
export const TransformationOperationsSchema = z.array(TransformationOperationSchema).min(1).max(MAX_OPERATIONS);

/** A parsed operation (defaults applied). */
export type TransformationOperation = z.output<typeof TransformationOperationSchema>;

/** Where an expression or template of `operations` sits, relative to the node's properties. */
export interface OperationExpressionField {
  pointer: string;
  kind: 'expression' | 'template';
  source: string;
}

/**
 * Every expression and template of a (possibly malformed) `operations` list, with its pointer
 * relative to the properties, e.g. `/operations/1/expression`. Skips what is not a string.
 */
export function operationExpressionFields(operations: unknown): OperationExpressionField[] {
  if (!Array.isArray(operations)) return [];
  const out: OperationExpressionField[] = [];
  operations.forEach((op, i) => {
    if (!isPlainObject(op)) return;
    for (const key of ['source', 'expression', 'value'] as const) {
      const v = op[key];
      if (typeof v === 'string') out.push({ pointer: toPointer(['operations', i, key]), kind: 'expression', source: v });
    }
    if (typeof op.template === 'string') out.push({ pointer: toPointer(['operations', i, 'template']), kind: 'template', source: op.template });
    if (Array.isArray(op.sources)) {
      op.sources.forEach((s, j) => {
        if (typeof s === 'string') out.push({ pointer: toPointer(['operations', i, 'sources', j]), kind: 'expression', source: s });
      });
    }
  });
  return out;
}

/**
 * Runs `operations` in order. `context` is called before each evaluation so that an operation
 * sees the variables set by the ones before it; `assign` stores each result (a variable).
 * Returns the values assigned, by target.
 *
 * @throws WeftError `EXPRESSION_ERROR` when an expression fails, `VALIDATION_ERROR` when a
 *   value has the wrong shape or size; the message starts with the JSON pointer of the
 *   offending property (e.g. `/operations/1/source`), also in `details.path`.
 */
export function applyOperations(
  operations: readonly TransformationOperation[],
  context: () => ExpressionContext,
  assign: (name: string, value: unknown) => void,
): Record<string, unknown> {
  const assigned: Record<string, unknown> = {};
  operations.forEach((op, i) => {
    const value = plain(runOperation(op, i, context));
    assign(op.target, value);
    assigned[op.target] = value;
  });
  return assigned;
}

function runOperation(op: TransformationOperation, i: number, context: () => ExpressionContext): unknown {
  const evaluate = (key: string | number, source: string, ctx: ExpressionContext = context(), limits?: Partial<ExpressionLimits>) =>
    at(pointer(i, key), () => evaluateExpression(source, ctx, limits));
  switch (op.type) {
    case 'calculate':
      return evaluate('expression', op.expression);
    case 'map': {
      const items = asArray(evaluate('source', op.source), pointer(i, 'source'));
      const limits = mapItemLimits(items.length);
      const base = context();
      return items.map((item, index) => {
        const v = evaluate('expression', op.expression, { ...base, item, index } as ExpressionContext, limits);
        return v === undefined ? null : v;
      });
    }
    case 'rename': {
      const source = evaluate('source', op.source);
      const path = pointer(i, 'source');
      if (Array.isArray(source)) {
        checkSize(source.length, path);
        return source.map((item) => (isPlainObject(item) ? renameKeys(item, op.mapping) : item));
      }
      if (source === undefined || source === null) return null;
      if (!isPlainObject(source)) throw invalid(path, `rename needs an object or an array of objects, got ${kindOf(source)}`);
      return renameKeys(source, op.mapping);
    }
    case 'merge': {
      let out: Record<string, unknown> = {};
      op.sources.forEach((source, j) => {
        const v = evaluate(`sources/${j}`, source);
        if (v === undefined || v === null) return;
        const path = pointer(i, `sources/${j}`);
        if (!isPlainObject(v)) throw invalid(path, `merge needs objects, got ${kindOf(v)}`);
        out = op.strategy === 'deep' ? deepMerge(out, v, 0, path) : { ...out, ...v };
      });
      return out;
    }
    case 'format':
      return format(op, i, context);
  }
}

/** Steps each `map` item may take: {@link MAP_STEP_BUDGET} shared out, at least {@link MIN_STEPS_PER_ITEM}, at most the usual limit. */
export function mapItemLimits(count: number): Partial<ExpressionLimits> {
  const share = Math.floor(MAP_STEP_BUDGET / Math.max(1, count));
  return { maxSteps: Math.min(DEFAULT_EXPRESSION_LIMITS.maxSteps, Math.max(MIN_STEPS_PER_ITEM, share)) };
}

function renameKeys(obj: Record<string, unknown>, mapping: Record<string, string>): Record<string, unknown> {
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  // A key renamed onto the name of a key that stays wins over it.
  const renamedTo = new Set(Object.keys(mapping).flatMap((k) => (has(obj, k) ? [mapping[k] as string] : [])));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    if (has(mapping, key)) out[mapping[key] as string] = obj[key];
    else if (!renamedTo.has(key)) out[key] = obj[key];
  }
  return out;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>, depth: number, path: string): Record<string, unknown> {
  if (depth > MAX_MERGE_DEPTH) throw invalid(path, `merge goes deeper than ${MAX_MERGE_DEPTH} levels`);
  const out: Record<string, unknown> = { ...a };
  for (const key of Object.keys(b)) {
    const left = out[key];
    const right = b[key];
    out[key] = isPlainObject(left) && isPlainObject(right) ? deepMerge(left, right, depth + 1, path) : right;
  }
  return out;
}

// --- format ---------------------------------------------------------------------------------

const CURRENCY_SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CNY: '¥', INR: '₹', KRW: '₩', CHF: 'CHF ' };
const DEFAULT_DATE_PICTURE = '[Y0001]-[M01]-[D01]';
const DEFAULT_NUMBER_PICTURE = '#,##0.##';

/** Fixed expressions over a tiny document: the user's value never becomes expression text. */
const FROM_MILLIS_PICTURE = '$fromMillis(ms, picture, timezone)';
const FROM_MILLIS_ISO = '$fromMillis(ms)';
const TO_MILLIS = '$toMillis(text)';
const FORMAT_NUMBER = '$formatNumber(n, picture)';

function format(op: Extract<TransformationOperation, { type: 'format' }>, i: number, context: () => ExpressionContext): unknown {
  if (op.format === 'template') {
    return at(pointer(i, 'template'), () => renderTemplate(op.template as string, context()));
  }
  const path = pointer(i, 'value');
  const value = at(path, () => evaluateExpression(op.value as string, context()));
  if (value === undefined || value === null) return null;
  switch (op.format) {
    case 'uppercase':
      return text(value, path).toUpperCase();
    case 'lowercase':
      return text(value, path).toLowerCase();
    case 'trim':
      return text(value, path).trim();
    case 'date':
    case 'datetime': {
      const ms = toMillis(value, path);
      const picture = op.pattern ?? (op.format === 'date' ? DEFAULT_DATE_PICTURE : undefined);
      if (picture === undefined && op.timezone === undefined) return fixed(FROM_MILLIS_ISO, { ms }, pointer(i, 'value'));
      const pic = picture ?? '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01][Z01:01t]';
      return fixed(FROM_MILLIS_PICTURE, { ms, picture: pic, timezone: op.timezone }, pointer(i, op.pattern ? 'pattern' : 'value'));
    }
    case 'number': {
      const n = number(value, path);
      const picture = op.pattern ?? (op.decimals === undefined ? DEFAULT_NUMBER_PICTURE : numberPicture(op.decimals));
      return fixed(FORMAT_NUMBER, { n, picture }, pointer(i, op.pattern ? 'pattern' : 'value'));
    }
    case 'currency': {
      const n = number(value, path);
      const code = op.currency ?? 'USD';
      const digits = fixed(FORMAT_NUMBER, { n: Math.abs(n), picture: numberPicture(op.decimals ?? 2) }, path) as string;
      const symbol = CURRENCY_SYMBOLS[code];
      const sign = n < 0 ? '-' : '';
      return symbol === undefined ? `${sign}${code} ${digits}` : `${sign}${symbol}${digits}`;
    }
  }
}

function numberPicture(decimals: number): string {
  return decimals === 0 ? '#,##0' : `#,##0.${'0'.repeat(decimals)}`;
}

function toMillis(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    try {
      const ms = evaluateExpression(TO_MILLIS, document({ text: value }));
      if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
    } catch {
      // reported below, with the path
    }
  }
  throw invalid(path, `${JSON.stringify(value)} is not a date: give an ISO 8601 timestamp or epoch milliseconds`);
}

function number(value: unknown, path: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(path, `${JSON.stringify(value)} is not a number`);
  return n;
}

function text(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalid(path, `cannot format ${kindOf(value)} as text`);
}

function fixed(source: string, doc: Record<string, unknown>, path: string): unknown {
  return at(path, () => evaluateExpression(source, document(doc)));
}

/** The fixed format expressions read their arguments from a small document of their own. */
function document(doc: Record<string, unknown>): ExpressionContext {
  return doc as unknown as ExpressionContext;
}

// --- helpers ----------------------------------------------------------------------------------

function pointer(i: number, key: string | number): string {
  return `${toPointer(['operations', i])}/${String(key)}`;
}

function asArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  checkSize(items.length, path);
  return items;
}

function checkSize(length: number, path: string): void {
  if (length > MAX_OPERATION_ITEMS) throw invalid(path, `${length} items; an operation handles at most ${MAX_OPERATION_ITEMS}`);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`;
}

function invalid(path: string, message: string): WeftError {
  return new WeftError('VALIDATION_ERROR', `${path}: ${message}`, { details: { path } });
}

/** Runs `fn`, prefixing any error with the pointer of the property it came from. */
function at<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isWeftError(err)) {
      if (typeof err.details?.path === 'string') throw err;
      throw new WeftError(err.code, `${path}: ${err.message}`, { details: { ...err.details, path } });
    }
    throw err;
  }
}

/** Results are stored as variables: plain JSON only. */
function plain(value: unknown): unknown {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  return json === undefined ? null : (JSON.parse(json) as unknown);
}
