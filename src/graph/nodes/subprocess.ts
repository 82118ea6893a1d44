/**
 * SUBPROCESS: another published definition run as a child workflow.
 */
import { z } from 'zod';
import { mapFields, spec } from './spec';

/** What a failed child does to the parent (001: failureHandling). */
export const SUBPROCESS_FAILURE_HANDLING = ['fail_parent', 'continue', 'retry'] as const;

/**
 * SUBPROCESS: runs another published definition (`workflowId`, optionally pinned to `version`)
 * as a child workflow. `inputMapping` (key → expression) builds its input; `outputMapping`
 * (variable → expression over `output`, the child's output) copies results back.
 */
export const SubprocessPropertiesSchema = z.strictObject({
  workflowId: z.string().min(1),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 1.2.0')
    .optional(),
  inputMapping: z.record(z.string().min(1), z.string().min(1)).default({}),
  outputMapping: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), z.string().min(1)).default({}),
  waitForCompletion: z.boolean().default(true),
  timeoutMinutes: z.number().positive().optional(),
  failureHandling: z.enum(SUBPROCESS_FAILURE_HANDLING).default('fail_parent'),
  maxAttempts: z.number().int().min(1).max(100).default(3),
});

export type SubprocessProperties = z.output<typeof SubprocessPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const subprocessNodes = {
  SUBPROCESS: spec({
    type: 'SUBPROCESS',
    propertiesSchema: SubprocessPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => [...mapFields(p, 'inputMapping', 'expression'), ...mapFields(p, 'outputMapping', 'expression')],
  }),
} as const;
