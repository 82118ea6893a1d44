/**
 * API_CALL: one HTTP request, as one activity.
 */
import { z } from 'zod';
import { isPlainObject } from '../json';
import { commonSideEffectShape } from './side-effect';
import { deepTemplates, field, mapFields, spec } from './spec';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/**
 * API_CALL: `method` (default GET), `url` (template), `headers` and `query` (objects of
 * templates, default {}), `body` (JSON whose strings are templates), `timeoutMs` (default
 * 30000), `maxResponseBytes` (default 10 MiB), `connectorId` (a custom_api connector whose
 * base URL and auth the call uses), and the common side-effect properties.
 */
export const ApiCallPropertiesSchema = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  url: z.string().min(1),
  headers: z.record(z.string().min(1), z.string()).default({}),
  query: z.record(z.string().min(1), z.string()).default({}),
  body: z.unknown().optional(),
  maxResponseBytes: z
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  /** A custom_api connector lending its base URL (`url` may then be a path) and auth. */
  connectorId: z.string().min(1).optional(),
  ...commonSideEffectShape,
});

export type ApiCallProperties = z.output<typeof ApiCallPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const apiCallNodes = {
  API_CALL: spec({
    type: 'API_CALL',
    propertiesSchema: ApiCallPropertiesSchema,
    ports: [],
    sideEffect: true,
    expressionFields: (p) => [
      ...field(p, 'url', 'template'),
      ...mapFields(p, 'headers', 'template'),
      ...mapFields(p, 'query', 'template'),
      ...(isPlainObject(p) && p.body !== undefined ? deepTemplates(p.body, ['body']) : []),
    ],
  }),
} as const;
