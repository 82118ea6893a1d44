import { isGrpcServiceError } from '@temporalio/client';
import { isDatabaseUnavailable } from '../db/errors';

/**
 * Seconds a client should wait before retrying a request the database could not serve: the
 * driver reconnects at the next query, so soon is right.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** How a failure of a service Weft depends on is answered: never a bare 500. */
export interface DependencyProblem {
  status: number;
  code: string;
  detail: string;
  /** Seconds for `Retry-After`, when waiting is what the caller should do. */
  retryAfterSeconds?: number;
}

/** gRPC answers that mean "the server is not there right now": wait and try again. */
const TRANSIENT = new Set<number>([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  14, // UNAVAILABLE
]);

/**
 * Maps an error thrown by the Temporal client (anywhere in its `cause` chain) to a problem:
 * an unreachable or overloaded server is 503 `TEMPORAL_UNAVAILABLE` with `Retry-After`; any other
 * refusal (a search attribute the namespace lacks, a missing namespace, a denied permission) is
 * 502 `TEMPORAL_REFUSED` carrying the server's own words, which name what to fix.
 * @returns undefined when the error did not come from Temporal
 */
export function temporalProblem(err: unknown): DependencyProblem | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (isGrpcServiceError(current)) {
      if (TRANSIENT.has(current.code)) {
        return { status: 503, code: 'TEMPORAL_UNAVAILABLE', detail: `Temporal is unavailable: ${current.details}`, retryAfterSeconds: 5 };
      }
      return { status: 502, code: 'TEMPORAL_REFUSED', detail: `Temporal refused the request: ${current.details}` };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The problem for an error that came from a dependency rather than from Weft: the database
 * unreachable (503 `DATABASE_UNAVAILABLE`), or Temporal (see {@link temporalProblem}).
 * @returns undefined for every other error
 */
export function dependencyProblem(err: unknown): DependencyProblem | undefined {
  if (isDatabaseUnavailable(err)) {
    return {
      status: 503,
      code: 'DATABASE_UNAVAILABLE',
      detail: 'the database cannot be reached right now; retry later',
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
    };
  }
  return temporalProblem(err);
}
