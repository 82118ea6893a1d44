/**
 * JSON Schema for the VALIDATION node: validating data against a schema inside the workflow,
 * reporting every error with a JSON Pointer into the data. Checking a schema when a definition
 * is validated is json-schema-check.ts; the bounds on the work are json-schema-limits.ts.
 *
 * The validator is `@cfworker/json-schema`, which interprets schemas (no code generation, so no
 * `new Function` on user text, DESIGN rule 3) and runs in Temporal's workflow sandbox. What it
 * cannot bound by itself is bounded by Weft: schemas are checked for size, depth, unsafe regular
 * expressions and references that leave the document before they are accepted; data is checked
 * for size and depth before it is validated; and every subschema evaluation is counted (through
 * a read-only proxy over the schema), so a schema whose combinators multiply the work
 * (`anyOf` of recursive `$ref`s over deep data) fails with `VALIDATION_ERROR` instead of running on.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { type Schema, type SchemaDraft, Validator } from '@cfworker/json-schema';
import { WeftError } from './errors';
import { MAX_REGEX_SUBJECT_LENGTH } from './expressions';
import { copyJson } from './json';
import { checkJsonSchema, type JsonSchemaDraft, type SchemaIssue } from './json-schema-check';
import { counted, MAX_DATA_VALUES, MAX_JSON_DEPTH, measure, usesRegex } from './json-schema-limits';

/** Errors reported at most; the result says when more were found. */
export const MAX_REPORTED_ERRORS = 1_000;

/** One reason the data does not match: where (a JSON Pointer into the data, `""` for the whole), why, and which keyword. */
export interface JsonSchemaError {
  path: string;
  message: string;
  keyword: string;
}

/** The outcome of {@link validateJson}. */
export interface JsonSchemaResult {
  valid: boolean;
  errors: JsonSchemaError[];
  /** True when more than {@link MAX_REPORTED_ERRORS} errors were found. */
  truncated?: boolean;
}

/**
 * Validates `data` against a schema {@link checkJsonSchema} accepted, listing every error (up to
 * {@link MAX_REPORTED_ERRORS}) with a JSON Pointer into the data. Errors that only say that a
 * part failed (`properties`, `items`, `$ref`, `allOf`, …) are left out when the errors inside
 * them are listed; failed `anyOf` / `oneOf` / `not` are reported once, not branch by branch.
 * Errors are ordered by their path (array indexes numerically), then in the schema's order.
 *
 * @throws WeftError `VALIDATION_ERROR` when the schema is not usable, or the data or the work
 *   exceeds the bounds (see the constants of this module).
 */
export function validateJson(data: unknown, schema: unknown, draft: JsonSchemaDraft = '2020-12'): JsonSchemaResult {
  const issues = checkJsonSchema(schema, draft);
  if (issues.length > 0) {
    const first = issues[0] as SchemaIssue;
    throw new WeftError('VALIDATION_ERROR', `the schema is not usable: ${first.path || '/'}: ${first.message}`, { details: { issues } });
  }
  const value = data === undefined ? null : data;
  const size = measure(value, MAX_JSON_DEPTH);
  if (size.tooDeep) throw new WeftError('VALIDATION_ERROR', `the data is nested more than ${MAX_JSON_DEPTH} levels deep`);
  if (size.values > MAX_DATA_VALUES) throw new WeftError('VALIDATION_ERROR', `the data has ${size.values} values; at most ${MAX_DATA_VALUES} are validated`);
  if (usesRegex(schema) && size.longestString > MAX_REGEX_SUBJECT_LENGTH) {
    throw new WeftError(
      'VALIDATION_ERROR',
      `the schema matches regular expressions and formats, which apply to strings of at most ${MAX_REGEX_SUBJECT_LENGTH} characters; the data has one of ${size.longestString}`,
    );
  }
  const counter = { evaluations: 0 };
  const validator = new Validator(counted(copyJson(schema), counter) as Schema, draft as SchemaDraft, false);
  let raw: { valid: boolean; errors: Array<{ keyword: string; keywordLocation: string; instanceLocation: string; error: string }> };
  try {
    raw = validator.validate(value);
  } catch (err) {
    if (err instanceof WeftError) throw err;
    const message = err instanceof RangeError ? 'the schema recurses without end' : err instanceof Error ? err.message : String(err);
    throw new WeftError('VALIDATION_ERROR', `the data could not be validated: ${message}`);
  }
  if (raw.valid) return { valid: true, errors: [] };
  const errors = summarise(raw.errors);
  return errors.length > MAX_REPORTED_ERRORS ? { valid: false, errors: errors.slice(0, MAX_REPORTED_ERRORS), truncated: true } : { valid: false, errors };
}

/** Keywords whose own error only says that something inside failed. */
const WRAPPERS = new Set([
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  '$ref',
  '$recursiveRef',
  '$dynamicRef',
  'allOf',
  'dependentSchemas',
  'dependencies',
  'propertyNames',
  'then',
  'else',
]);
/** Keywords whose failure is reported as a whole: the branches' errors are noise. */
const BRANCHING = new Set(['anyOf', 'oneOf', 'not', 'contains']);

function summarise(raw: Array<{ keyword: string; keywordLocation: string; instanceLocation: string; error: string }>): JsonSchemaError[] {
  const branching = raw.filter((e) => BRANCHING.has(e.keyword)).map((e) => e.keywordLocation + '/');
  const inner = raw.filter((e) => !branching.some((prefix) => e.keywordLocation.startsWith(prefix)));
  const kept = inner.filter(
    (e) =>
      !WRAPPERS.has(e.keyword) ||
      !inner.some((f) => f !== e && (f.keywordLocation.startsWith(e.keywordLocation + '/') || f.instanceLocation.startsWith(e.instanceLocation + '/'))),
  );
  const seen = new Set<string>();
  const out: JsonSchemaError[] = [];
  for (const e of kept) {
    const path = dataPointer(e.instanceLocation);
    const message = e.keyword === 'false' ? 'is not allowed here' : e.error;
    const key = `${path}\u0000${e.keyword}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message, keyword: e.keyword === 'false' ? 'false' : e.keyword });
  }
  // Sorted by location: the schema's key order is not reliable once stored (PostgreSQL jsonb reorders keys).
  return out
    .map((e, i) => ({ e, i, key: pointerKey(e.path) }))
    .sort((a, b) => comparePointerKeys(a.key, b.key) || a.i - b.i)
    .map((x) => x.e);
}

function pointerKey(path: string): Array<string | number> {
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((t) => (/^(?:0|[1-9][0-9]*)$/.test(t) ? Number(t) : t));
}

function comparePointerKeys(a: Array<string | number>, b: Array<string | number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/** The validator's `#/a~1b/%25` instance locations as plain JSON Pointers (`/a~1b/%`). */
function dataPointer(location: string): string {
  const fragment = location.startsWith('#') ? location.slice(1) : location;
  try {
    return decodeURI(fragment).replace(/%23/g, '#');
  } catch {
    return fragment;
  }
}
