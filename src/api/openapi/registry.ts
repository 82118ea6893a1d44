import { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What one route takes and answers, described with the zod schemas that route parses with. */
export interface RouteDoc {
  method: HttpMethod;
  /** Express path (`/workflows/:id`) as mounted, e.g. under `/api/v1`. */
  path: string;
  summary: string;
  tag: string;
  /** Roles that may call it besides admin; `[]` means any authenticated caller; absent for public routes. */
  roles?: string[];
  query?: z.ZodType;
  body?: z.ZodType;
  /** Request headers the route reads (Idempotency-Key, If-Match). */
  headers?: Record<string, { description: string; required?: boolean }>;
  /** The success answer; `schema` absent means no body (204). */
  ok: { status: number; description: string; schema?: z.ZodType; contentType?: string };
}

const routes: RouteDoc[] = [];

/**
 * Adds routes to the API description. Each route file's documentation registers here with the
 * schemas the route itself parses, so the description cannot drift from validation.
 */
export function documentRoutes(tag: string, docs: Array<Omit<RouteDoc, 'tag'>>): void {
  for (const doc of docs) routes.push({ ...doc, tag });
}

/** Every documented route, in registration order. */
export function documentedRoutes(): readonly RouteDoc[] {
  return routes;
}

/** A JSON object whose listed keys are described; others may appear. */
export function objectWith(shape: z.ZodRawShape): z.ZodType {
  return z.looseObject(shape);
}

/** `{ items: [...] }` plus the paging keys that list answers. */
export function listOf(item: z.ZodType, extra: z.ZodRawShape = {}): z.ZodType {
  return z.looseObject({ items: z.array(item), ...extra });
}

/**
 * A cursor page (docs/api.md, "Pagination"): `items`, the `nextCursor` to pass back and its
 * `next` link, both null on the last page, plus `extra` keys some lists keep for older clients.
 */
export function cursorPage(item: z.ZodType, extra: z.ZodRawShape = {}): z.ZodType {
  return listOf(item, { nextCursor: z.string().nullable(), next: z.string().nullable(), ...extra });
}

/** `total`, kept on the lists that answered it before cursors; deprecated (counting costs a scan). */
export const deprecatedTotal = { total: z.number().meta({ deprecated: true, description: 'deprecated: items matching the filter; follow next instead' }) };

/** An object answered as is from a service, documented by its key fields only. */
export const anyObject = z.looseObject({});

const components = new Map<z.ZodType, string>();

/** Marks a schema used by several routes: the document states it once under components/schemas. */
export function named<T extends z.ZodType>(name: string, schema: T): T {
  components.set(schema, name);
  return schema;
}

/** The schemas marked with `named`, by name. */
export function namedSchemas(): ReadonlyMap<z.ZodType, string> {
  return components;
}
