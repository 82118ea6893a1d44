/**
 * Shapes of events as they cross the workflow/activity/client boundaries. Types only: workflow
 * code imports them; everything must survive the JSON payload converter (timestamps are ISO strings).
 */

/** An event as subscribers, triggered executions and the API see it. */
export interface DeliveredEvent {
  id: string;
  name: string;
  correlationKey: string | null;
  payload: unknown;
  publishedAt: string;
}

/** The `event` signal: `event` delivered to the EVENT_SUBSCRIBER run whose wait id is `waitId`. */
export interface EventDelivery {
  waitId: string;
  event: DeliveredEvent;
}

/** What an EVENT_SUBSCRIBER registers (see the `registerEventWait` activity). */
export interface EventWaitRequest {
  /** The node run's idempotency key `<execution>:<node>:<iteration>`. */
  id: string;
  executionId: string;
  nodeId: string;
  eventName: string;
  correlationKey: string | null;
  filter: string | null;
  /** ISO timestamp: events published from then on are candidates. */
  since: string;
}

/** The answer of `registerEventWait` and `expireEventWait`: the event taken, if any. */
export interface EventWaitOutcome {
  event: DeliveredEvent | null;
}
