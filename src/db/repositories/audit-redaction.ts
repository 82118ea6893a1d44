/**
 * What an audit record may keep of a value: its JSON form with every secret-looking field
 * replaced. Services pass views that already hide secrets (a connector's secrets appear as
 * `"set"`); this is the net under them, so a new field named like a credential never reaches the
 * trail by accident.
 */

/** Field names whose values are never stored: passwords, tokens, keys, credentials. */
const SECRET_FIELD = /pass(word|wd|phrase)?$|secret|token|api[-_]?key|private[-_]?key|authorization|credential|cookie/i;

/** Stands in for a secret's value. */
export const REDACTED = '[redacted]';

/**
 * The JSON form of `value` (Dates become ISO strings, undefined fields disappear) with the value
 * of every field named like a secret replaced by {@link REDACTED}; null stays null.
 */
export function redactSecrets(value: object | null | undefined): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  const json: unknown = JSON.parse(JSON.stringify(value));
  return redact(json) as Record<string, unknown>;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) ? mask(v) : redact(v)]));
}

/** Every leaf of a secret replaced; null and the views' `"set"` marker say nothing and stay. */
function mask(value: unknown): unknown {
  if (value === null || value === 'set') return value;
  if (Array.isArray(value)) return value.map(mask);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mask(v)]));
  return REDACTED;
}
