import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import type { RetrySpec } from '../graph/node-types';

/** Used when a side-effecting node says nothing about retries. */
export const DEFAULT_RETRY = {
  maxAttempts: 3,
  strategy: 'EXPONENTIAL',
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maxIntervalMs: 30_000,
  jitter: false,
  nonRetryableErrorCodes: [] as string[],
} as const;

export const DEFAULT_NODE_TIMEOUT_MS = 30_000;

type ResolvedRetry = {
  maxAttempts: number;
  strategy: NonNullable<RetrySpec['strategy']>;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maxIntervalMs: number;
  jitter: boolean;
  nonRetryableErrorCodes: string[];
  /** When set (RETRY_LOGIC), only these codes are retried. */
  retryableErrorCodes?: string[];
};

export function resolveRetry(spec: (Partial<RetrySpec> & { retryableErrorCodes?: string[] }) | undefined): ResolvedRetry {
  return {
    maxAttempts: spec?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    strategy: spec?.strategy ?? DEFAULT_RETRY.strategy,
    initialIntervalMs: spec?.initialIntervalMs ?? DEFAULT_RETRY.initialIntervalMs,
    backoffCoefficient: spec?.backoffCoefficient ?? DEFAULT_RETRY.backoffCoefficient,
    maxIntervalMs: spec?.maxIntervalMs ?? DEFAULT_RETRY.maxIntervalMs,
    jitter: spec?.jitter ?? DEFAULT_RETRY.jitter,
    nonRetryableErrorCodes: spec?.nonRetryableErrorCodes ?? [],
    ...(spec?.retryableErrorCodes ? { retryableErrorCodes: spec.retryableErrorCodes } : {}),
  };
}

/**
 * True when Temporal's own retry policy can express the strategy. LINEAR backoff and jitter
 * cannot: for those the interpreter retries with durable timers between single attempts.
 */
export function temporalCanRetry(retry: ResolvedRetry): boolean {
  // Temporal's policy has no allow-list of retryable types, so RETRY_LOGIC's list needs us too.
  return retry.strategy !== 'LINEAR' && !retry.jitter && !retry.retryableErrorCodes;
}

/** Temporal's retry policy for a node whose strategy Temporal can express. */
export function toTemporalRetryPolicy(retry: ResolvedRetry): RetryPolicy {
  const base = { nonRetryableErrorTypes: retry.nonRetryableErrorCodes };
  switch (retry.strategy) {
    case 'NONE':
      return { ...base, maximumAttempts: 1 };
    case 'IMMEDIATE':
      return { ...base, maximumAttempts: retry.maxAttempts, initialInterval: 1, backoffCoefficient: 1 };
    case 'FIXED':
      return { ...base, maximumAttempts: retry.maxAttempts, initialInterval: retry.initialIntervalMs, backoffCoefficient: 1 };
    default:
      return {
        ...base,
        maximumAttempts: retry.maxAttempts,
        initialInterval: retry.initialIntervalMs,
        backoffCoefficient: retry.backoffCoefficient,
        maximumInterval: Math.max(retry.maxIntervalMs, retry.initialIntervalMs),
      };
  }
}

/**
 * Delay before attempt `attempt + 1` for interpreter-driven retries. `random` is the workflow's
 * seeded Math.random, so replay sees the same jitter.
 */
export function interpreterRetryDelayMs(retry: ResolvedRetry, attempt: number, random: () => number): number {
  let delay: number;
  switch (retry.strategy) {
    case 'NONE':
    case 'IMMEDIATE':
      delay = 0;
      break;
    case 'FIXED':
      delay = retry.initialIntervalMs;
      break;
    case 'LINEAR':
      delay = retry.initialIntervalMs * attempt;
      break;
    default:
      delay = retry.initialIntervalMs * retry.backoffCoefficient ** (attempt - 1);
  }
  delay = Math.min(delay, retry.maxIntervalMs);
  // Full jitter in [delay/2, delay*1.5): spreads retries of many executions hitting one service.
  if (retry.jitter && delay > 0) delay = delay * (0.5 + random());
  return Math.round(delay);
}

/** Activity options for one side-effecting node run. */
export function nodeActivityOptions(args: {
  nodeId: string;
  nodeName?: string;
  nodeType: string;
  iteration: number;
  timeoutMs: number | undefined;
  retry: ResolvedRetry;
}): ActivityOptions {
  const timeout = args.timeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
  const label = args.nodeName ? `${args.nodeId} — ${args.nodeName}` : args.nodeId;
  return {
    activityId: `${args.nodeId}:${args.iteration}`,
    summary: `${label} (${args.nodeType})`,
    // A little over the node's own timeout so the activity reports its own TIMEOUT error first.
    startToCloseTimeout: timeout + 5_000,
    retry: temporalCanRetry(args.retry) ? toTemporalRetryPolicy(args.retry) : { maximumAttempts: 1 },
  };
}
