import { z } from 'zod';
import { documentedRoutes, namedSchemas, type RouteDoc } from './registry';
import './paths';

type JsonSchema = Record<string, unknown>;

/** zod's own JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) of what a client sends. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const name = namedSchemas().get(schema);
  if (name) return { $ref: `#/components/schemas/${name}` };
  return rawInputSchema(schema);
}

function rawInputSchema(schema: z.ZodType): JsonSchema {
  // So a named part stays a reference inside the schemas built from it.
  if (schema instanceof z.ZodIntersection) return { allOf: [inputSchema(schema.def.left as z.ZodType), inputSchema(schema.def.right as z.ZodType)] };
  if (schema instanceof z.ZodOptional) return inputSchema(schema.unwrap() as z.ZodType);
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** What the API answers (`output` side: defaults applied, transforms shown as their result type). */
function outputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** RFC 9457 problem details as src/api/problem.ts writes them. */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string().describe('stable error code, e.g. INVALID_REQUEST, WORKFLOW_NOT_FOUND, PRECONDITION_FAILED'),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.looseObject({ path: z.string().describe('JSON Pointer of the offending value'), code: z.string(), message: z.string() })).optional(),
});

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** `/workflows/:id` → `/workflows/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

function parameters(route: RouteDoc): JsonSchema[] {
  const params: JsonSchema[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (route.query) {
    const query = inputSchema(route.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      params.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  for (const [name, header] of Object.entries(route.headers ?? {})) {
    params.push({ name, in: 'header', required: header.required ?? false, description: header.description, schema: { type: 'string' } });
  }
  return params;
}

function operation(route: RouteDoc): JsonSchema {
  const responses: Record<string, unknown> = {
    [route.ok.status]: {
      description: route.ok.description,
      ...(route.ok.schema ? { content: { [route.ok.contentType ?? 'application/json']: { schema: outputSchema(route.ok.schema) } } } : {}),
    },
  };
  if (route.query || route.body || route.path.includes(':'))
    responses['400'] = problem('the request is not valid (INVALID_REQUEST, with each JSON path in errors)');
  if (route.roles) {
    responses['401'] = problem('no valid bearer token (UNAUTHENTICATED); the answer carries WWW-Authenticate: Bearer');
    responses['403'] = problem(`the token lacks a role (PERMISSION_DENIED)`);
  }
  if (route.path.includes(':')) responses['404'] = problem('the resource does not exist');
  responses.default = problem('any other error, as problem+json with a stable code');
  const roles = route.roles && route.roles.length > 0 ? ` Roles: ${[...new Set(['admin', ...route.roles])].join(', ')}.` : '';
  return {
    operationId: `${route.method}${openApiPath(route.path)
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    ...(roles ? { description: roles.trim() } : {}),
    tags: [route.tag],
    security: route.roles ? [{ bearerAuth: [] }] : [],
    parameters: parameters(route),
    ...(route.body
      ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: inputSchema(route.body) } } } }
      : {}),
    responses,
  };
}

let cached: JsonSchema | undefined;

/** The OpenAPI 3.1 document of every documented route, generated once from their zod schemas. */
export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of documentedRoutes()) {
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Weft API',
      version: '1',
      description: 'Durable low-code workflows on Temporal. Errors are RFC 9457 problem+json with a stable `code`. See docs/api.md.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: outputSchema(problemSchema),
        ...Object.fromEntries([...namedSchemas()].map(([schema, name]) => [name, rawInputSchema(schema)])),
      },
    },
  };
  return cached;
}
