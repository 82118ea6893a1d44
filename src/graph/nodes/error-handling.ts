/**
 * ERROR_HANDLER, RETRY_LOGIC and FALLBACK_PATH: policies for the nodes they guard (applied by
 * src/workflows/steps/error-policies.ts), not steps of the main path.
 */
import { z } from 'zod';
import { RetrySpecSchema } from './side-effect';
import { spec } from './spec';

/** What an ERROR_HANDLER handler does with a failure it matches (000: ErrorHandler.action). */
export const ERROR_ACTIONS = ['retry', 'skip', 'fallback', 'notify', 'abort'] as const;

const guardsShape = z.array(z.string().min(1)).min(1);

/**
 * ERROR_HANDLER: a policy, not a step — it sits off the main path. Its handlers apply to the
 * nodes it `guards` (every node when absent); the highest `priority` handler whose `pattern`
 * (a regular expression) matches the failure's code decides.
 */
export const ErrorHandlerPropertiesSchema = z.strictObject({
  guards: guardsShape.optional(),
  handlers: z
    .array(
      z.strictObject({
        pattern: z.string().min(1),
        action: z.enum(ERROR_ACTIONS),
        priority: z.number().default(0),
        maxRetries: z.number().int().min(1).max(100).default(3),
        backoffMs: z.number().int().min(0).default(1000),
        jitter: z.boolean().default(false),
        fallbackNodeId: z.string().min(1).optional(),
        notifyNodeId: z.string().min(1).optional(),
        output: z.unknown().optional(),
      }),
    )
    .min(1),
});

/** RETRY_LOGIC: the retry policy of the nodes it `guards`, replacing their own `retry`. */
export const RetryLogicPropertiesSchema = z.strictObject({
  guards: guardsShape,
  ...RetrySpecSchema.shape,
  /** When given, only these codes are retried. */
  retryableErrorCodes: z.array(z.string().min(1)).optional(),
});

/** FALLBACK_PATH: where the walk goes when a node it `guards` fails for good (matching `errorCodes`, a regex). */
export const FallbackPathPropertiesSchema = z.strictObject({
  guards: guardsShape,
  errorCodes: z.string().min(1).optional(),
});

export type ErrorHandlerProperties = z.output<typeof ErrorHandlerPropertiesSchema>;
export type RetryLogicProperties = z.output<typeof RetryLogicPropertiesSchema>;
export type FallbackPathProperties = z.output<typeof FallbackPathPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const errorHandlingNodes = {
  ERROR_HANDLER: spec({
    type: 'ERROR_HANDLER',
    propertiesSchema: ErrorHandlerPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  RETRY_LOGIC: spec({
    type: 'RETRY_LOGIC',
    propertiesSchema: RetryLogicPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  FALLBACK_PATH: spec({
    type: 'FALLBACK_PATH',
    propertiesSchema: FallbackPathPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
} as const;
