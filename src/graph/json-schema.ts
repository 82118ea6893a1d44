/**
 * JSON Schema for the VALIDATION node: checking a schema when a definition is validated, and
 * validating data against it inside the workflow, reporting every error with a JSON Pointer
 * into the data.
 *
 * The validator is `@cfworker/json-schema`, which interprets schemas (no code generation, so no
 * `new Function` on user text, DESIGN rule 3) and runs in Temporal's workflow sandbox. What it
 * cannot bound by itself is bounded here: schemas are checked for size, depth, unsafe regular
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
import { isPlainObject, toPointer } from './json';
import { regexProblem } from './regex-safety';

/** The drafts a VALIDATION node may name (`draft`); 2020-12 by default. */
export const JSON_SCHEMA_DRAFTS = ['2020-12', '2019-09', '7', '4'] as const;
/** A supported draft. */
export type JsonSchemaDraft = (typeof JSON_SCHEMA_DRAFTS)[number];

/** JSON values (objects, arrays, scalars) a schema may contain. */
export const MAX_SCHEMA_VALUES = 10_000;
/** Nesting of a schema, and of the data validated. */
export const MAX_JSON_DEPTH = 64;
/** JSON values the data validated may contain. */
export const MAX_DATA_VALUES = 100_000;
/** Subschema evaluations one validation may make. */
export const MAX_SCHEMA_EVALUATIONS = 50_000;
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

/** A problem with a schema, located by a JSON Pointer relative to the schema. */
export interface SchemaIssue {
  path: string;
  message: string;
}

const TYPE_NAMES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = [
  'not',
  'if',
  'then',
  'else',
  'additionalProperties',
  'unevaluatedProperties',
  'additionalItems',
  'unevaluatedItems',
  'contains',
  'propertyNames',
] as const;
/** Keywords whose value is a non-empty array of schemas. */
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords whose value is an object of schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const;
const NON_NEGATIVE_INTEGERS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains'] as const;
const NUMBERS = ['minimum', 'maximum'] as const;
/** `url` is not a standard format, and the validator's regular expression for it backtracks exponentially. */
const REFUSED_FORMATS = new Set(['url']);

/**
 * Checks a schema before it is accepted: its shape (the common keywords have the right types),
 * size and depth, regular expressions (valid and safe), and references (local `#…` only, and
 * resolvable). Returns every problem, with its pointer relative to the schema. Never throws.
 */
export function checkJsonSchema(schema: unknown, draft: JsonSchemaDraft = '2020-12'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (typeof schema !== 'boolean' && !isPlainObject(schema)) return [{ path: '', message: 'a schema must be an object or a boolean' }];
  const size = measure(schema, MAX_JSON_DEPTH);
  if (size.tooDeep) return [{ path: '', message: `the schema is nested more than ${MAX_JSON_DEPTH} levels deep` }];
  if (size.values > MAX_SCHEMA_VALUES) return [{ path: '', message: `the schema has ${size.values} values; at most ${MAX_SCHEMA_VALUES} are accepted` }];
  const refs: Array<{ ref: string; path: string }> = [];
  const anchors = new Set<string>();
  checkSchemaNode(schema, [], issues, refs, anchors);
  for (const { ref, path } of refs) {
    if (!ref.startsWith('#')) {
      issues.push({ path, message: `only references inside this schema ("#…") are supported, not "${ref}"` });
    } else if (ref.startsWith('#/') || ref === '#') {
      if (!resolvesPointer(schema, ref.slice(1))) issues.push({ path, message: `"${ref}" does not point into this schema` });
    } else if (!anchors.has(ref.slice(1))) {
      issues.push({ path, message: `no $anchor "${ref.slice(1)}" in this schema` });
    }
  }
  if (issues.length === 0) {
    try {
      new Validator(clone(schema) as Schema, draft, false);
    } catch (err) {
      issues.push({ path: '', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return issues;
}

function checkSchemaNode(
  node: unknown,
  at: Array<string | number>,
  issues: SchemaIssue[],
  refs: Array<{ ref: string; path: string }>,
  anchors: Set<string>,
): void {
  if (typeof node === 'boolean') return;
  const here = (...more: Array<string | number>) => toPointer([...at, ...more]);
  if (!isPlainObject(node)) {
    issues.push({ path: here(), message: 'a schema must be an object or a boolean' });
    return;
  }
  const s = node;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.length === 0 || !types.every((t) => typeof t === 'string' && TYPE_NAMES.has(t))) {
      issues.push({ path: here('type'), message: `"type" must be one of ${[...TYPE_NAMES].join(', ')}, or an array of them` });
    }
  }
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) {
    issues.push({ path: here('required'), message: '"required" must be an array of property names' });
  }
  if (s.enum !== undefined && !Array.isArray(s.enum)) issues.push({ path: here('enum'), message: '"enum" must be an array' });
  for (const key of NON_NEGATIVE_INTEGERS) {
    const v = s[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      issues.push({ path: here(key), message: `"${key}" must be a non-negative integer` });
    }
  }
  for (const key of NUMBERS) {
    if (s[key] !== undefined && typeof s[key] !== 'number') issues.push({ path: here(key), message: `"${key}" must be a number` });
  }
  for (const key of ['exclusiveMinimum', 'exclusiveMaximum'] as const) {
    const v = s[key];
    if (v !== undefined && typeof v !== 'number' && typeof v !== 'boolean') issues.push({ path: here(key), message: `"${key}" must be a number` });
  }
  if (s.multipleOf !== undefined && !(typeof s.multipleOf === 'number' && s.multipleOf > 0)) {
    issues.push({ path: here('multipleOf'), message: '"multipleOf" must be a number greater than 0' });
  }
  if (s.pattern !== undefined) {
    const problem = typeof s.pattern === 'string' ? regexProblem(s.pattern) : '"pattern" must be a string';
    if (problem) issues.push({ path: here('pattern'), message: problem });
  }
  if (s.format !== undefined) {
    if (typeof s.format !== 'string') issues.push({ path: here('format'), message: '"format" must be a string' });
    else if (REFUSED_FORMATS.has(s.format)) issues.push({ path: here('format'), message: `format "${s.format}" is not supported; use "uri"` });
  }
  if (s.$ref !== undefined) {
    if (typeof s.$ref === 'string') refs.push({ ref: s.$ref, path: here('$ref') });
    else issues.push({ path: here('$ref'), message: '"$ref" must be a string' });
  }
  for (const key of ['$recursiveRef', '$dynamicRef'] as const) {
    if (s[key] !== undefined && s[key] !== '#') issues.push({ path: here(key), message: `only "${key}": "#" is supported` });
  }
  if (typeof s.$anchor === 'string') anchors.add(s.$anchor);
  if (typeof s.$id === 'string' && at.length > 0 && !s.$id.startsWith('#')) {
    issues.push({ path: here('$id'), message: 'nested "$id"s that change the base URI are not supported' });
  }

  for (const key of SCHEMA_KEYWORDS) {
    if (s[key] !== undefined) checkSchemaNode(s[key], [...at, key], issues, refs, anchors);
  }
  for (const key of SCHEMA_ARRAY_KEYWORDS) {
    const v = s[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0) {
      issues.push({ path: here(key), message: `"${key}" must be a non-empty array of schemas` });
      continue;
    }
    v.forEach((sub, i) => checkSchemaNode(sub, [...at, key, i], issues, refs, anchors));
  }
  if (s.items !== undefined) {
    if (Array.isArray(s.items)) s.items.forEach((sub, i) => checkSchemaNode(sub, [...at, 'items', i], issues, refs, anchors));
    else checkSchemaNode(s.items, [...at, 'items'], issues, refs, anchors);
  }
  for (const key of SCHEMA_MAP_KEYWORDS) {
    const v = s[key];
    if (v === undefined) continue;
    if (!isPlainObject(v)) {
      issues.push({ path: here(key), message: `"${key}" must be an object of schemas` });
      continue;
    }
    for (const name of Object.keys(v)) {
      if (key === 'patternProperties') {
        const problem = regexProblem(name);
        if (problem) issues.push({ path: here(key, name), message: problem });
      }
      checkSchemaNode(v[name], [...at, key, name], issues, refs, anchors);
    }
  }
  if (s.dependentRequired !== undefined) {
    const v = s.dependentRequired;
    if (!isPlainObject(v) || !Object.values(v).every((list) => Array.isArray(list) && list.every((x) => typeof x === 'string'))) {
      issues.push({ path: here('dependentRequired'), message: '"dependentRequired" must be an object of arrays of property names' });
    }
  }
}

function resolvesPointer(root: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return false;
    }
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token];
    else return false;
    if (node === undefined) return false;
  }
  return true;
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
  const validator = new Validator(counted(clone(schema), counter) as Schema, draft as SchemaDraft, false);
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

function usesRegex(schema: unknown): boolean {
  let found = false;
  walk(schema, (key) => {
    if (key === 'pattern' || key === 'patternProperties' || key === 'format') found = true;
  });
  return found;
}

function walk(value: unknown, visit: (key: string) => void): void {
  if (Array.isArray(value)) value.forEach((v) => walk(v, visit));
  else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      visit(key);
      walk(value[key], visit);
    }
  }
}

/** Counts values, finds the longest string (and key), and stops counting depth past `maxDepth`. */
function measure(value: unknown, maxDepth: number): { values: number; longestString: number; tooDeep: boolean } {
  const out = { values: 0, longestString: 0, tooDeep: false };
  const pending: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (pending.length > 0 && !out.tooDeep) {
    const { v, depth } = pending.pop() as { v: unknown; depth: number };
    out.values++;
    if (typeof v === 'string') out.longestString = Math.max(out.longestString, v.length);
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) {
      out.tooDeep = true;
      break;
    }
    if (Array.isArray(v)) for (const item of v) pending.push({ v: item, depth: depth + 1 });
    else
      for (const [k, item] of Object.entries(v)) {
        out.longestString = Math.max(out.longestString, k.length);
        pending.push({ v: item, depth: depth + 1 });
      }
    if (out.values > MAX_DATA_VALUES + 1) break;
  }
  return out;
}

/** A deep copy: the validator marks the schema objects it indexes, and the node's properties must stay as written. */
function clone(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/**
 * The schema behind proxies that count how often the validator starts on a subschema: it reads
 * `$ref` first from every object schema it evaluates, whether the schema has one or not.
 */
function counted(schema: unknown, counter: { evaluations: number }): unknown {
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const known = proxies.get(value);
    if (known) return known;
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (key === '$ref' && ++counter.evaluations > MAX_SCHEMA_EVALUATIONS) {
          throw new WeftError(
            'VALIDATION_ERROR',
            `validation took more than ${MAX_SCHEMA_EVALUATIONS} schema evaluations; simplify the schema or validate less data`,
            {
              details: { limit: 'schemaEvaluations' },
            },
          );
        }
        return wrap(Reflect.get(target, key, receiver) as unknown);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return wrap(schema);
}
