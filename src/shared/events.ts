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

/** What is published: by the API (`POST /events`) or an EVENT_PUBLISHER node run. */
export interface PublishRequest {
  name: string;
  correlationKey?: string | null;
  payload?: unknown;
  /** One event per key: a repeat answers (and delivers) the stored event again. */
  idempotencyKey?: string;
  /** `user:<sub>` or `execution:<id>:<node>`; also the actor of executions it starts. */
  source: string;
}

/** The answer to a publish. */
export interface PublishResult {
  id: string;
  /** Subscriber runs the event reached. */
  delivered: number;
  /** Executions started by event triggers (the same ids again on a repeat). */
  started: string[];
  /** True when the idempotency key had been used: the stored event was answered. */
  replayed: boolean;
}
