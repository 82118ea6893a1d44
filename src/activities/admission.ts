import { Context, sleep } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WeftDb } from '../db/client';
import { openAdmissions, releaseAdmission, tryAdmit } from '../domain/admission';
import type { AdmissionRequest } from '../shared/admission';

/** How often a queued execution asks again: a slot freed is taken within this. */
const POLL_MS = 250;

/** How often a waiting execution checks that the slots ahead of it belong to running executions. */
const REAP_EVERY_MS = 5_000;

/** Slots younger than this are never reaped: their execution may be starting this very moment. */
const REAP_MIN_AGE_SECONDS = 10;

/**
 * Releases the slots (and the queue's head) of executions Temporal no longer runs: terminated or
 * timed out (they never reached their own release), or never started (the API failed between
 * queueing and starting). Without this, one such execution would hold its place for ever.
 */
async function reapEnded(db: WeftDb, client: Client, definitionId: string): Promise<void> {
  for (const executionId of await openAdmissions(db, definitionId, REAP_MIN_AGE_SECONDS)) {
    const running = await client.workflow
      .getHandle(executionId)
      .describe()
      .then(
        (d) => d.status.name === 'RUNNING',
        (err: unknown) => (err instanceof WorkflowNotFoundError ? false : true),
      );
    if (!running) await releaseAdmission(db, executionId);
  }
}

/** The slot activities of an execution under its workflow's limits (workflows/admission.ts). */
export function createAdmissionActivities(db: WeftDb) {
  return {
    /**
     * Returns once the execution holds a slot: granted in queue order as slots free up and the
     * per-minute budget allows. Heartbeats while it waits, so a worker that dies is replaced
     * within the heartbeat timeout; the place in the queue is in PostgreSQL and is kept.
     */
    async acquireExecutionSlot(req: AdmissionRequest): Promise<void> {
      const ctx = Context.current();
      let reapedAt = Date.now();
      for (;;) {
        const decision = await tryAdmit(db, req);
        if (decision.granted) return;
        ctx.heartbeat();
        if (Date.now() - reapedAt >= REAP_EVERY_MS) {
          reapedAt = Date.now();
          await reapEnded(db, ctx.client, req.definitionId);
        }
        // Cancellation (the execution cancelled while queued) arrives with a heartbeat and ends this sleep.
        await sleep(Math.min(Math.max(POLL_MS, decision.retryAfterMs ?? POLL_MS), 5_000));
      }
    },

    /** Frees the execution's slot, or its place in the queue. */
    async releaseExecutionSlot(req: { executionId: string }): Promise<void> {
      await releaseAdmission(db, req.executionId);
    },
  };
}
