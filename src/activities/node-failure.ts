import { ApplicationFailure, Context } from '@temporalio/activity';
import type { NodeFailureDetails } from './types';

/**
 * Fails a node activity with a stable code as the failure type, so the workflow and Temporal's
 * `nonRetryableErrorTypes` see the same code, and with the attempt for the node trace.
 */
export function nodeFailure(code: string, message: string, opts: { retryable: boolean; status?: number; retryAfterMs?: number }): ApplicationFailure {
  const details: NodeFailureDetails = { attempt: Context.current().info.attempt, status: opts.status };
  return ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: !opts.retryable,
    details: [details],
    nextRetryDelay: opts.retryAfterMs,
  });
}

/**
 * A side effect that failed with the stable code its node fails with (HTTP, SMTP, …). Thrown
 * inside activities and turned into the node failure by {@link nodeFailureOf}.
 */
export class NodeCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'NodeCallError';
  }
}

/** The node failure for a NodeCallError: its code, retryability, status and Retry-After. */
export function nodeFailureOf(err: NodeCallError): ApplicationFailure {
  return nodeFailure(err.code, err.message, { retryable: err.retryable, status: err.status, retryAfterMs: err.retryAfterMs });
}
