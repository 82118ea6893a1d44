import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { WeftDb } from '../db/client';
import type { NodeActivityRequest } from '../graph/node-types';
import { EventWaits } from '../domain/event-waits';
import type { EventWaitOutcome, EventWaitRequest, PublishRequest, PublishResult } from '../shared/events';
import { asNodeFailure, parseRendered } from './operations/failures';
import type { NodeActivityResult } from './types';

/** A correlation key renders to text; a number (say an order number) is taken as its text, nothing as no key. */
const renderedKey = z.preprocess(
  (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === '' ? null : v),
  z.string().max(500).nullable().optional(),
);

const RenderedEventPublisher = z.strictObject({
  event: z.string().min(1).max(200),
  correlationKey: renderedKey,
  payload: z.unknown().optional(),
});

/** What an EVENT_PUBLISHER node run answers. */
export interface PublishEventOutput {
  eventId: string;
  /** Subscriber runs the event reached. */
  delivered: number;
  /** Executions started by event triggers. */
  started: string[];
}

/**
 * Publishes an event as the API does (services/events.ts), through `client` and starting
 * triggered executions on `taskQueue`. Handed in by the worker, which wires the services.
 */
export type EventPublisher = (client: Client, taskQueue: string, request: PublishRequest) => Promise<PublishResult>;

/** EVENT_PUBLISHER's activity and EVENT_SUBSCRIBER's bookkeeping. */
export function createEventActivities(db: WeftDb, publish: EventPublisher) {
  const waits = new EventWaits(db);
  return {
    /**
     * The EVENT_PUBLISHER node: publishes once per node run (the run's key is the event's
     * idempotency key), so a retry delivers the same event again rather than a second one.
     */
    async publishEvent(request: NodeActivityRequest): Promise<NodeActivityResult<PublishEventOutput>> {
      const props = parseRendered(RenderedEventPublisher, request.properties, 'EVENT_PUBLISHER');
      const ctx = Context.current();
      try {
        // The worker's own client and task queue: triggered executions run where this one does.
        const result = await publish(ctx.client, ctx.info.taskQueue, {
          name: props.event,
          correlationKey: props.correlationKey ?? null,
          payload: props.payload ?? null,
          idempotencyKey: request.idempotencyKey,
          source: `execution:${request.executionId}:${request.nodeId}`,
        });
        return { output: { eventId: result.id, delivered: result.delivered, started: result.started }, attempt: ctx.info.attempt };
      } catch (err) {
        throw asNodeFailure(err);
      }
    },

    /** Registers an EVENT_SUBSCRIBER run's wait; answers an event it could take at once. */
    async registerEventWait(req: EventWaitRequest): Promise<EventWaitOutcome> {
      return waits.register(req);
    },

    /** Ends a wait whose timeout passed; answers the event if one was delivered meanwhile. */
    async expireEventWait(req: { id: string }): Promise<EventWaitOutcome> {
      return waits.expire(req.id);
    },

    /** Withdraws the wait of a cancelled subscriber run. */
    async cancelEventWait(req: { id: string }): Promise<void> {
      await waits.cancel(req.id);
    },
  };
}
