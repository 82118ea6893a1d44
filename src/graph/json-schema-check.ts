/**
 * Checking a JSON Schema before a definition that holds it is accepted (VALIDATION nodes): its
 * shape, size and depth, its regular expressions, and its references. Validating data against
 * an accepted schema is json-schema.ts.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { type Schema, Validator } from '@cfworker/json-schema';
import { copyJson, isPlainObject, toPointer } from './json';
import { MAX_JSON_DEPTH, MAX_SCHEMA_VALUES, measure } from './json-schema-limits';
import { regexProblem } from './regex-safety';

/** The drafts a VALIDATION node may name (`draft`); 2020-12 by default. */
export const JSON_SCHEMA_DRAFTS = ['2020-12', '2019-09', '7', '4'] as const;
/** A supported draft. */
export type JsonSchemaDraft = (typeof JSON_SCHEMA_DRAFTS)[number];

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
      new Validator(copyJson(schema) as Schema, draft, false);
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
