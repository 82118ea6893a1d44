import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isWeftError } from '../graph/errors';
import type { ScheduledFiring, ScheduledFiringResult } from '../shared/triggers';

/**
 * Starts the execution of a scheduled firing as the API would (services/trigger-starts.ts),
 * through `client` on `taskQueue`. Handed in by the worker, which wires the services.
 */
export type ScheduledTriggerFirer = (client: Client, taskQueue: string, firing: ScheduledFiring) => Promise<ScheduledFiringResult>;

const HEARTBEAT_MS = 10_000;

/** The activities of `scheduledTriggerStart` (src/workflows/scheduled-start/workflow.ts). */
export function createTriggerActivities(fire: ScheduledTriggerFirer) {
  return {
    /** Starts the firing's execution once (keyed by the firing); a refusal is final, not retried. */
    async fireScheduledTrigger(firing: ScheduledFiring): Promise<ScheduledFiringResult> {
      const ctx = Context.current();
      try {
        return await fire(ctx.client, ctx.info.taskQueue, firing);
      } catch (err) {
        if (!isWeftError(err)) throw err;
        throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: err.details ? [err.details] : [] });
      }
    },

    /**
     * Waits for the execution to end, heartbeating. Cancelled (the schedule's `cancel_other`),
     * it cancels the execution and waits for that.
     */
    async awaitExecutionEnd(executionId: string): Promise<void> {
      const ctx = Context.current();
      const handle = ctx.client.workflow.getHandle(executionId);
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
      const ended = handle.result().then(
        () => undefined,
        (err: unknown) => {
          // Failed, cancelled, terminated or gone: ended either way.
          if (err instanceof WorkflowNotFoundError || (err instanceof Error && err.name !== 'ServiceError')) return undefined;
          throw err;
        },
      );
      try {
        await Promise.race([ended, ctx.cancelled]);
      } catch (err) {
        if (!(err instanceof CancelledFailure)) throw err;
        await handle.cancel().catch(() => undefined);
        await ended;
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
