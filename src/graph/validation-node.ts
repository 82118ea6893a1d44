/**
 * The VALIDATION node (004: "VALIDATION – Data validation with custom rules"): checks `data`
 * against a JSON Schema inside the workflow and either fails with VALIDATION_FAILED, listing
 * every error, or leaves through port `invalid`.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import type { ValidationIssue } from './errors';
import { WeftError } from './errors';
import { checkJsonSchema, JSON_SCHEMA_DRAFTS } from './json-schema-check';
import { type JsonSchemaResult, validateJson } from './json-schema';
import { isPlainObject, toPointer } from './json';

/** What a VALIDATION node does with data that does not match. */
export const ON_INVALID_ACTIONS = ['fail', 'port'] as const;

/**
 * VALIDATION: `data` (expression, default `input`) checked against `schema` (a JSON Schema,
 * `draft` 2020-12 by default). `onInvalid: fail` (default) fails the node with
 * VALIDATION_FAILED; `port` leaves through port `invalid` instead (valid data leaves through
 * `valid`, or through edges that name no port).
 */
export const ValidationPropertiesSchema = z
  .strictObject({
    data: z.string().min(1, 'Expression must not be empty').default('input'),
    schema: z.union([z.record(z.string(), z.unknown()), z.boolean()]),
    draft: z.enum(JSON_SCHEMA_DRAFTS).default('2020-12'),
    onInvalid: z.enum(ON_INVALID_ACTIONS).default('fail'),
  })
  .superRefine((p, ctx) => {
    for (const issue of checkJsonSchema(p.schema, p.draft)) {
      ctx.addIssue({ code: 'custom', path: ['schema', ...pointerSegments(issue.path)], message: `invalid JSON Schema: ${issue.message}` });
    }
  });

/** Parsed VALIDATION properties (defaults applied). */
export type ValidationProperties = z.output<typeof ValidationPropertiesSchema>;

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Graph rules of VALIDATION nodes: with `onInvalid: port` an edge must leave through `invalid`;
 * with `fail`, an edge through `invalid` would never be taken.
 */
export function checkValidationNodes(rawNodes: unknown[], rawEdges: unknown[], issues: ValidationIssue[]): void {
  rawNodes.forEach((node, index) => {
    if (!isPlainObject(node) || node.type !== 'VALIDATION' || typeof node.id !== 'string') return;
    const props = isPlainObject(node.properties) ? node.properties : {};
    const invalidEdges = rawEdges.flatMap((e, i) => (isPlainObject(e) && e.source === node.id && e.sourcePort === 'invalid' ? [i] : []));
    if (props.onInvalid === 'port' && invalidEdges.length === 0) {
      issues.push({
        path: toPointer(['nodes', index, 'properties', 'onInvalid']),
        code: 'INVALID_WORKFLOW',
        message: `VALIDATION "${node.id}" sends invalid data to port "invalid", but no edge leaves through it`,
      });
    }
    if (props.onInvalid !== 'port') {
      for (const i of invalidEdges) {
        issues.push({
          path: toPointer(['edges', i, 'sourcePort']),
          code: 'INVALID_WORKFLOW',
          message: `VALIDATION "${node.id}" fails on invalid data (onInvalid "fail"); set onInvalid to "port" to use port "invalid"`,
        });
      }
    }
  });
}

/** The error a VALIDATION node with `onInvalid: fail` fails with: every error in `details.errors`. */
export function validationFailed(result: JsonSchemaResult): WeftError {
  const first = result.errors[0];
  const n = result.errors.length;
  const summary = first ? ` (first: ${first.path || '/'}: ${first.message})` : '';
  return new WeftError('VALIDATION_FAILED', `data does not match the schema: ${n}${result.truncated ? '+' : ''} error${n === 1 ? '' : 's'}${summary}`, {
    details: { errors: result.errors, ...(result.truncated ? { truncated: true } : {}) },
  });
}

/**
 * Runs a VALIDATION node on `data` (the value of its `data` expression): validates it
 * and says which port to leave by. `validPortNamed`: some edge names port `valid` (else valid
 * data follows the edges that name no port).
 *
 * @throws WeftError VALIDATION_FAILED for invalid data with `onInvalid: fail`;
 *   VALIDATION_ERROR when the data or the work exceed the bounds of json-schema.ts.
 */
export function runValidation(props: ValidationProperties, data: unknown, validPortNamed: boolean): { output: JsonSchemaResult; port: string | undefined } {
  const result = validateJson(data, props.schema, props.draft);
  if (result.valid) return { output: result, port: validPortNamed ? 'valid' : undefined };
  if (props.onInvalid === 'fail') throw validationFailed(result);
  return { output: result, port: 'invalid' };
}
