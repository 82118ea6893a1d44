/**
 * How the operation activities fail: rule violations (a WeftError with a stable code) and
 * properties that rendered to the wrong shape fail the node at once; anything else (a lost
 * database connection) is left to Temporal's retries.
 */
import { z } from 'zod';
import { isWeftError } from '../../graph/errors';
import { nodeFailure } from '../node-failure';

/**
 * Turns a WeftError into a non-retryable node failure with the same code; other errors are
 * returned unchanged. Use as `throw asNodeFailure(err)`.
 */
export function asNodeFailure(err: unknown): unknown {
  return isWeftError(err) ? nodeFailure(err.code, err.message, { retryable: false }) : err;
}

/**
 * Parses the rendered properties of a node run.
 * @throws ApplicationFailure VALIDATION_ERROR (non-retryable) naming each offending property
 */
export function parseRendered<T extends z.ZodType>(schema: T, properties: unknown, nodeType: string): z.output<T> {
  const parsed = schema.safeParse(properties);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ');
  throw nodeFailure('VALIDATION_ERROR', `${nodeType} properties after rendering: ${problems}`, { retryable: false });
}

/** A positive number, or a string holding one (a `{{…}}` template renders to text). */
export const renderedPositiveNumber = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().positive());
