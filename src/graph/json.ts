/**
 * Small helpers for JSON values and JSON Pointers (RFC 6901), shared by validation, diff and
 * templates. Pure TypeScript: imported by workflow code, so no Node APIs here.
 */

/** A plain JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object: the shape of a JSON object. */
export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes one reference token of a JSON Pointer (`~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Builds a JSON Pointer from path segments, e.g. `['nodes', 3, 'properties']` → `/nodes/3/properties`.
 * The empty path is the whole document, `""`.
 */
export function toPointer(segments: ReadonlyArray<PropertyKey>): string {
  return segments.map((s) => `/${escapePointerToken(typeof s === 'symbol' ? String(s.description ?? '') : s)}`).join('');
}

/**
 * Deep structural equality of JSON values: object key order does not matter, array order does.
 * `undefined` object members count as absent, as they do once serialised.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!jsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const aKeys = Object.keys(a).filter((k) => a[k] !== undefined);
    const bKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    for (const key of aKeys) {
      if (!Object.prototype.hasOwnProperty.call(b, key) || !jsonEqual(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

/** A deep copy of a JSON value (the validator marks the schema objects it indexes; a node's properties must stay as written). */
export function copyJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
