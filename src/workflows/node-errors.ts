import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/workflow';
import { isWeftError } from '../graph/errors';
import type { NodeFailureDetails } from '../activities/types';
import type { NodeErrorInfo } from './types';

/** A node failed for good: the interpreter stops (or, with continueOnError, records and goes on). */
export class NodeFailed extends Error {
  constructor(
    readonly info: NodeErrorInfo,
    readonly attempts: number,
  ) {
    super(info.message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
  override get name(): string {
    return 'NodeFailed';
  }
}

/**
 * Turns what a node threw into the code users see. Returns undefined for anything that is not
 * a node failure (a bug in workflow code), which must fail the workflow task, not the execution.
 */
export function describeNodeError(err: unknown, nodeId: string): { info: NodeErrorInfo; attempts: number } | undefined {
  if (err instanceof NodeFailed) return { info: err.info, attempts: err.attempts };
  if (isWeftError(err)) {
    return { info: { code: err.code, message: err.message, nodeId, details: err.details }, attempts: 1 };
  }
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const details = (cause.details?.[0] ?? {}) as Partial<NodeFailureDetails>;
      return {
        info: { code: cause.type ?? 'ACTIVITY_FAILED', message: cause.message, nodeId, details: details.status ? { status: details.status } : undefined },
        attempts: details.attempt ?? 1,
      };
    }
    if (cause instanceof TimeoutFailure) {
      return { info: { code: 'TIMEOUT', message: `node ${nodeId} timed out (${cause.timeoutType})`, nodeId }, attempts: 1 };
    }
    return { info: { code: 'ACTIVITY_FAILED', message: cause?.message ?? err.message, nodeId }, attempts: 1 };
  }
  if (err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return { info: { code: cause.type ?? 'CHILD_FAILED', message: cause.message, nodeId }, attempts: 1 };
    if (cause instanceof TimeoutFailure) return { info: { code: 'TIMEOUT', message: `child of ${nodeId} timed out`, nodeId }, attempts: 1 };
    if (cause instanceof TerminatedFailure) return { info: { code: 'CHILD_TERMINATED', message: `child of ${nodeId} was terminated`, nodeId }, attempts: 1 };
    return { info: { code: 'CHILD_FAILED', message: cause?.message ?? err.message, nodeId }, attempts: 1 };
  }
  return undefined;
}

/** True when retrying cannot help: the activity said so, or the node lists the code as non-retryable. */
export function isNonRetryable(err: unknown, nonRetryableCodes: string[], retryableCodes?: string[]): boolean {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const code = err.cause.type ?? '';
    return err.cause.nonRetryable || nonRetryableCodes.includes(code) || (retryableCodes !== undefined && !retryableCodes.includes(code));
  }
  return !(err instanceof ActivityFailure);
}
