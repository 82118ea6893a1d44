import { ApplicationFailure } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { getExecution } from '../db/repositories/executions';

/**
 * What LOOP batch children read instead of carrying a large execution input in every start
 * event of the parent's history (see src/workflows/steps/loop-batches.ts).
 */
export function createLoopBatchActivities(db: WeftDb) {
  return {
    /** The input an execution was started with, as recorded when it started. */
    async loadExecutionInput(req: { executionId: string }): Promise<unknown> {
      const row = await getExecution(db, req.executionId);
      if (!row) throw ApplicationFailure.nonRetryable(`execution ${req.executionId} is not recorded`, 'EXECUTION_NOT_FOUND');
      return row.input ?? null;
    },
  };
}
