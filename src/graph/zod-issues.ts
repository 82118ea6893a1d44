/**
 * Zod issues as Weft validation issues: a JSON Pointer path, a code, a message.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import type { z } from 'zod';
import type { ValidationIssue } from './errors';
import { toPointer } from './json';

/**
 * Maps zod issues to ours, with `prefix` locating the validated value in the document. An
 * unknown key becomes one issue at that key; a custom issue with `params.weftCode` keeps that
 * code; everything else is `VALIDATION_ERROR`.
 */
export function fromZodIssues(zodIssues: readonly z.core.$ZodIssue[], prefix: ReadonlyArray<string | number>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of zodIssues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p.description) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: toPointer([...path, key]), code: 'VALIDATION_ERROR', message: `Unknown property "${key}"` });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues.map((i) => i.message).join('; ');
      out.push({ path: toPointer(path), code: 'VALIDATION_ERROR', message: `Invalid name "${String(path[path.length - 1])}": ${inner}` });
      continue;
    }
    const weftCode = issue.code === 'custom' ? (issue.params as { weftCode?: unknown } | undefined)?.weftCode : undefined;
    out.push({ path: toPointer(path), code: typeof weftCode === 'string' ? weftCode : 'VALIDATION_ERROR', message: issue.message });
  }
  return out;
}
