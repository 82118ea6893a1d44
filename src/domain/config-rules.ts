/**
 * What a configuration value must be: the parameter's type, its select options and its JSON
 * Schema (a document checked by json-schema-check.ts, never code). Shared by the API (writes,
 * `validate`) and the approval activity that applies an approved change.
 */
import { isWeftError, type ValidationIssue } from '../graph/errors';
import { escapePointerToken } from '../graph/json';
import { checkJsonSchema } from '../graph/json-schema-check';
import { validateJson } from '../graph/json-schema';
import type { ConfigParameterRow } from '../db/schema';

/** What of a parameter decides whether a value fits. */
export type ParameterRules = Pick<ConfigParameterRow, 'key' | 'type' | 'options' | 'validation' | 'secret'>;

/** Configuration keys are what expressions read as `config.<key>`: identifiers. */
export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** `/value`-style pointer to the configuration key `key` (for the `validate` answer). */
export function keyPath(key: string): string {
  return `/${escapePointerToken(key)}`;
}

function typeIssue(rules: ParameterRules, value: unknown, path: string): ValidationIssue | undefined {
  const wrong = (expected: string): ValidationIssue => ({ path, code: 'wrong_type', message: `${rules.key} takes ${expected}` });
  switch (rules.type) {
    case 'string':
      return typeof value === 'string' ? undefined : wrong('a string');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : wrong('a finite number');
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrong('true or false');
    case 'select':
      if (typeof value !== 'string') return wrong('one of its options (a string)');
      if (!(rules.options ?? []).some((o) => o.value === value)) {
        const allowed = (rules.options ?? []).map((o) => o.value).join(', ');
        return { path, code: 'unknown_option', message: `"${value}" is not an option of ${rules.key} (${allowed})` };
      }
      return undefined;
    case 'json':
      return value === undefined ? wrong('a JSON value') : undefined;
  }
}

/**
 * Every reason `value` does not fit the parameter: the wrong type, an unknown select option,
 * each JSON Schema error with its pointer under `path` (`/value/limits/0`). Empty when it fits.
 */
export function checkValue(rules: ParameterRules, value: unknown, path = '/value'): ValidationIssue[] {
  const wrongType = typeIssue(rules, value, path);
  if (wrongType) return [wrongType];
  if (rules.validation === null || rules.validation === undefined) return [];
  try {
    const result = validateJson(value, rules.validation);
    return result.errors.map((e) => ({ path: `${path}${e.path}`, code: 'schema', message: e.message }));
  } catch (err) {
    if (!isWeftError(err)) throw err;
    return [{ path, code: 'schema', message: err.message }];
  }
}

/** A parameter as it is to be stored (after defaults). */
export interface ParameterDraft {
  type: ConfigParameterRow['type'];
  defaultValue?: unknown;
  options?: Array<{ value: string; label: string }> | null;
  validation?: Record<string, unknown> | boolean | null;
  secret: boolean;
}

/** Every problem of a parameter definition, with its path in the request body. */
export function checkParameter(key: string, draft: ParameterDraft): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (draft.type === 'select') {
    const values = (draft.options ?? []).map((o) => o.value);
    if (values.length === 0) issues.push({ path: '/options', code: 'required', message: 'a select parameter needs at least one option' });
    values.forEach((v, i) => {
      if (values.indexOf(v) !== i) issues.push({ path: `/options/${i}/value`, code: 'duplicate', message: `option "${v}" is listed twice` });
    });
  } else if (draft.options && draft.options.length > 0) {
    issues.push({ path: '/options', code: 'not_allowed', message: 'only select parameters have options' });
  }
  if (draft.validation !== null && draft.validation !== undefined) {
    for (const i of checkJsonSchema(draft.validation)) issues.push({ path: `/validation${i.path}`, code: 'invalid_schema', message: i.message });
  }
  const hasDefault = draft.defaultValue !== undefined && draft.defaultValue !== null;
  if (draft.secret && hasDefault) {
    issues.push({ path: '/defaultValue', code: 'not_allowed', message: 'a secret parameter has no default (it would be stored in clear)' });
  } else if (hasDefault && issues.length === 0) {
    const rules: ParameterRules = { key, type: draft.type, options: draft.options ?? null, validation: draft.validation ?? null, secret: draft.secret };
    issues.push(...checkValue(rules, draft.defaultValue, '/defaultValue'));
  }
  return issues;
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
