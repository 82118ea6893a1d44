/** Events, EVENT_SUBSCRIBER waits and event triggers. */
import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';
import { workflowDefinitions } from './definitions';

/**
 * An event published by an EVENT_PUBLISHER node or `POST /api/v1/events`. Events are kept, so a
 * subscriber that registers just after an event was published still receives it.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Matches subscribers waiting with the same key; null reaches only subscribers without one. */
    correlationKey: text('correlation_key'),
    payload: jsonb('payload').$type<unknown>(),
    /** Who published: `execution:<id>:<node>` or `user:<sub>`. */
    source: text('source'),
    /** The node run's key or the API's `Idempotency-Key`: one event per key. */
    idempotencyKey: text('idempotency_key'),
    publishedAt: timestamp('published_at', tz).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_idempotency_uq')
      .on(t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('events_name_key_idx').on(t.name, t.correlationKey, t.publishedAt),
  ],
);

/** Lifecycle of an EVENT_SUBSCRIBER's wait. */
export const EVENT_WAIT_STATES = ['waiting', 'delivered', 'expired', 'cancelled'] as const;
export type EventWaitState = (typeof EVENT_WAIT_STATES)[number];

/** One EVENT_SUBSCRIBER node run waiting for an event; `id` is the node run's idempotency key. */
export const eventWaits = pgTable(
  'event_waits',
  {
    id: text('id').primaryKey(),
    executionId: text('execution_id').notNull(),
    nodeId: text('node_id').notNull(),
    eventName: text('event_name').notNull(),
    correlationKey: text('correlation_key'),
    /** A JSONata expression over `event` that must hold; null accepts every matching event. */
    filter: text('filter'),
    /** Events published from this moment on are candidates. */
    since: timestamp('since', tz).notNull(),
    state: text('state', { enum: EVENT_WAIT_STATES }).notNull().default('waiting'),
    /** The event delivered, once `delivered`. */
    eventId: text('event_id'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('event_waits_waiting_idx')
      .on(t.eventName, t.correlationKey)
      .where(sql`${t.state} = 'waiting'`),
    index('event_waits_execution_idx').on(t.executionId),
    check('event_waits_state_ck', sql`${t.state} in (${sqlList(EVENT_WAIT_STATES)})`),
  ],
);

/** Which definitions start when an event is published (kept in step with their active version's graph). */
export const eventTriggers = pgTable(
  'event_triggers',
  {
    definitionId: text('definition_id')
      .notNull()
      .references(() => workflowDefinitions.id, { onDelete: 'cascade' }),
    eventName: text('event_name').notNull(),
    /** A JSONata expression over `event` that must hold for a start; null starts on every event. */
    filter: text('filter'),
  },
  (t) => [primaryKey({ columns: [t.definitionId, t.eventName] }), index('event_triggers_event_idx').on(t.eventName)],
);

/** A stored event. */
export type EventRow = typeof events.$inferSelect;
/** A stored event wait. */
export type EventWait = typeof eventWaits.$inferSelect;
/** A stored event trigger. */
export type EventTrigger = typeof eventTriggers.$inferSelect;
