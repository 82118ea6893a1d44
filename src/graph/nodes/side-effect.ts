/**
 * What every side-effecting node shares: the retry policy, timeout, continueOnError and
 * compensation properties, and the request a registry-named activity receives.
 */
import { z } from 'zod';

// --- common side-effect properties -------------------------------------------------------

/** Retry strategies of side-effect nodes. */
export const RETRY_STRATEGIES = ['NONE', 'IMMEDIATE', 'FIXED', 'LINEAR', 'EXPONENTIAL'] as const;

/**
 * Retry policy of a side-effect node, mapped onto the activity's Temporal retry policy.
 * Defaults are the ones docs/nodes.md publishes.
 */
export const RetrySpecSchema = z.strictObject({
  maxAttempts: z.number().int().min(1).default(3),
  strategy: z.enum(RETRY_STRATEGIES).default('EXPONENTIAL'),
  initialIntervalMs: z.number().int().min(0).default(1000),
  backoffCoefficient: z.number().min(1).default(2),
  maxIntervalMs: z.number().int().min(0).default(30_000),
  jitter: z.boolean().default(false),
  nonRetryableErrorCodes: z.array(z.string().min(1)).default([]),
});

/** A parsed retry policy (defaults applied). */
export type RetrySpec = z.output<typeof RetrySpecSchema>;

/** Properties every side-effect node accepts (defaults as docs/nodes.md publishes; `retry` absent means the interpreter's default policy). */
export const commonSideEffectShape = {
  retry: RetrySpecSchema.optional(),
  timeoutMs: z.number().int().min(1).default(30_000),
  continueOnError: z.boolean().default(false),
  /** The node that undoes this one when the execution fails and `settings.rollbackOnFailure` is on (see compensation.ts). */
  compensation: z.string().min(1).optional(),
};

/** The common side-effect properties on their own (each side-effect type's schema spreads {@link commonSideEffectShape}). */
export const CommonSideEffectPropertiesSchema = z.strictObject(commonSideEffectShape);

/** The parsed common side-effect properties. */
export type CommonSideEffectProperties = z.output<typeof CommonSideEffectPropertiesSchema>;

/**
 * What the interpreter sends the activity of a side-effecting node (see {@link NodeSpec.activity}):
 * the node's properties with every string rendered as a template, minus the common retry,
 * timeout and continueOnError properties, which the interpreter applies itself.
 */
export interface NodeActivityRequest {
  executionId: string;
  definitionId: string;
  nodeId: string;
  nodeType: string;
  iteration: number;
  /** `<execution id>:<node id>:<iteration>`: the key that makes the side effect happen once. */
  idempotencyKey: string;
  properties: Record<string, unknown>;
  /** The node's `timeoutMs`, so the activity can bound its own I/O below Temporal's timeout. */
  timeoutMs: number;
  /** The site the execution runs at (connector secrets written `$config:<key>` are read there). */
  siteId?: string;
}
