/**
 * The bounds Weft puts on JSON Schema validation (json-schema.ts), where the validator cannot
 * bound itself: the size and depth of a schema and of the data, and the number of subschema
 * evaluations one validation may make, counted through a read-only proxy over the schema.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { WeftError } from './errors';
import { isPlainObject } from './json';

/** JSON values (objects, arrays, scalars) a schema may contain. */
export const MAX_SCHEMA_VALUES = 10_000;
/** Nesting of a schema, and of the data validated. */
export const MAX_JSON_DEPTH = 64;
/** JSON values the data validated may contain. */
export const MAX_DATA_VALUES = 100_000;
/** Subschema evaluations one validation may make. */
export const MAX_SCHEMA_EVALUATIONS = 50_000;

/** Whether the schema matches regular expressions (`pattern`, `patternProperties`, `format`): then the strings of the data must be short enough for them. */
export function usesRegex(schema: unknown): boolean {
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
export function measure(value: unknown, maxDepth: number): { values: number; longestString: number; tooDeep: boolean } {
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

/**
 * The schema behind proxies that count how often the validator starts on a subschema: it reads
 * `$ref` first from every object schema it evaluates, whether the schema has one or not.
 */
export function counted(schema: unknown, counter: { evaluations: number }): unknown {
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
