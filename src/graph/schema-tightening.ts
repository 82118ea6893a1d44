/**
 * Whether a JSON Schema accepts less after a change than before: the compare verdict needs it for
 * VALIDATION nodes, whose data an instance may already hold. Best-effort and one-sided: it finds
 * the usual tightenings (a type narrowed, a property newly required, a bound raised or lowered,
 * an enum shrunk, extra properties forbidden, a pattern or format added or changed), recursing
 * through `properties` and `items`; it never claims a schema became looser, and it does not
 * reason about `$ref`, `allOf`/`anyOf`/`oneOf` or `if`/`then` (a change there is not reported).
 *
 * Pure TypeScript: imported by workflow code (through diff.ts), so no Node APIs here.
 */
import { isPlainObject, jsonEqual, toPointer, type JsonObject } from './json';

/** One way the new schema refuses what the old one accepted, at a JSON Pointer inside the schema. */
export interface Tightening {
  path: string;
  message: string;
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

/** The tightenings from `before` to `after` (JSON Schemas: objects or booleans). */
export function schemaTightenings(before: unknown, after: unknown): Tightening[] {
  const out: Tightening[] = [];
  walk(before, after, [], out);
  return out;
}

function walk(before: unknown, after: unknown, at: string[], out: Tightening[]): void {
  const found = (segments: string[], message: string) => out.push({ path: toPointer([...at, ...segments]), message });
  if (jsonEqual(before, after)) return;
  if (after === false) {
    found([], 'now accepts nothing');
    return;
  }
  if (!isPlainObject(after)) return;
  // `true`, `{}` and an absent sub-schema accept anything.
  const old: JsonObject = isPlainObject(before) ? before : {};
  if (before === false) return;

  const oldTypes = types(old.type);
  const newTypes = types(after.type);
  if (newTypes && (!oldTypes || newTypes.length === 0 || oldTypes.some((t) => !accepts(newTypes, t)))) {
    found(['type'], `type narrowed from ${oldTypes ? oldTypes.join('|') : 'any'} to ${newTypes.join('|')}`);
  }
  const oldRequired = new Set(strings(old.required));
  const added = strings(after.required).filter((r) => !oldRequired.has(r));
  if (added.length > 0) found(['required'], `now requires ${added.join(', ')}`);
  if (after.additionalProperties === false && old.additionalProperties !== false) found(['additionalProperties'], 'no longer allows other properties');
  if (Array.isArray(after.enum)) {
    const kept = after.enum;
    const lost = Array.isArray(old.enum) ? old.enum.filter((v) => !kept.some((k) => jsonEqual(k, v))) : undefined;
    if (!lost || lost.length > 0) found(['enum'], lost ? `no longer allows ${JSON.stringify(lost)}` : 'now limited to listed values');
  }
  if ('const' in after && !jsonEqual(old.const, after.const)) found(['const'], 'now requires one value');
  for (const key of LOWER_BOUNDS) {
    const n = after[key];
    if (typeof n === 'number' && !(typeof old[key] === 'number' && (old[key] as number) >= n)) found([key], `${key} raised to ${n}`);
  }
  for (const key of UPPER_BOUNDS) {
    const n = after[key];
    if (typeof n === 'number' && !(typeof old[key] === 'number' && (old[key] as number) <= n)) found([key], `${key} lowered to ${n}`);
  }
  for (const key of ['pattern', 'format'] as const) {
    if (after[key] !== undefined && !jsonEqual(old[key], after[key])) found([key], `${key} ${old[key] === undefined ? 'added' : 'changed'}`);
  }
  const oldProps = isPlainObject(old.properties) ? old.properties : {};
  if (isPlainObject(after.properties)) {
    for (const [name, schema] of Object.entries(after.properties)) {
      // A property the old schema did not describe was only constrained by its additionalProperties.
      walk(name in oldProps ? oldProps[name] : (old.additionalProperties ?? true), schema, [...at, 'properties', name], out);
    }
  }
  if (after.items !== undefined) walk(old.items ?? true, after.items, [...at, 'items'], out);
}

function types(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? strings(value) : undefined;
}

/** Whether a schema of `allowed` types accepts values of type `t` (a number schema accepts integers). */
function accepts(allowed: string[], t: string): boolean {
  return allowed.includes(t) || (t === 'integer' && allowed.includes('number'));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
