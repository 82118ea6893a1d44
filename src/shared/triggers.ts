/**
 * Shapes that cross the workflow/activity boundary for triggers. Types only: workflow code
 * imports them; everything survives the JSON payload converter (timestamps are ISO strings).
 */

/** What a schedule's run asks the worker to start. */
export interface ScheduledFiring {
  triggerId: string;
  /** The run's own workflow id (`weft-trigger-<id>-<scheduled time>`): the start's idempotency key. */
  firingId: string;
  /** When the run started, ISO: the payload's `scheduledAt`. */
  scheduledAt: string;
}

/** What a scheduled firing did: the execution it started, or why it started none. */
export interface ScheduledFiringResult {
  executionId: string | null;
  /** `deleted` (the trigger is gone; its schedule was removed), `disabled`. */
  skipped?: 'deleted' | 'disabled';
}
