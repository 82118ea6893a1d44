import { ApplicationFailure, Context } from '@temporalio/activity';
import type { NodeCallError } from '../domain/node-call-error';
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


/** The node failure for a NodeCallError: its code, retryability, status and Retry-After. */
export function nodeFailureOf(err: NodeCallError): ApplicationFailure {
  return nodeFailure(err.code, err.message, { retryable: err.retryable, status: err.status, retryAfterMs: err.retryAfterMs });
}
