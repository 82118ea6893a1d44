/**
 * PARALLEL: branches that run at once until they reach the join node.
 */
import { z } from 'zod';
import { spec } from './spec';

/** How many branches must succeed before PARALLEL goes on (001: waitStrategy). */
export const WAIT_STRATEGIES = ['all', 'any', 'majority'] as const;
/** What a failed branch does to the others (001: failureStrategy). */
export const FAILURE_STRATEGIES = ['fail_fast', 'wait_all', 'continue'] as const;

/**
 * PARALLEL: every outgoing edge whose condition holds starts a branch; branches run until they
 * reach the `join` node, which runs once afterwards. `weights` (by the branch's first node id)
 * count for `majority`; branches no longer needed are cancelled.
 */
export const ParallelPropertiesSchema = z.strictObject({
  join: z.string().min(1),
  waitStrategy: z.enum(WAIT_STRATEGIES).default('all'),
  failureStrategy: z.enum(FAILURE_STRATEGIES).default('fail_fast'),
  weights: z.record(z.string().min(1), z.number().positive()).default({}),
});

export type ParallelProperties = z.output<typeof ParallelPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const parallelNodes = {
  PARALLEL: spec({
    type: 'PARALLEL',
    propertiesSchema: ParallelPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
} as const;
