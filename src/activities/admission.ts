import { Context, sleep } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { releaseAdmission, tryAdmit } from '../domain/admission';
import type { AdmissionRequest } from '../shared/admission';

/** How often a queued execution asks again: a slot freed is taken within this. */
const POLL_MS = 250;

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
      for (;;) {
        const decision = await tryAdmit(db, req);
        if (decision.granted) return;
        ctx.heartbeat();
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
