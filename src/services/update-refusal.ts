import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { isErrorCode, WeftError, type ErrorCode } from '../graph/errors';

/**
 * The WeftError for an update a workflow's validator or handler refused: its failure type is one
 * of Weft's codes (`typeless` when it has none). Failure types that are not Weft's come from the
 * SDK or the server; for those, and for any other error, undefined.
 */
export function updateRefusal(err: unknown, typeless: ErrorCode): WeftError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const code = err.cause.type ?? typeless;
  return isErrorCode(code) ? new WeftError(code, err.cause.message) : undefined;
}
