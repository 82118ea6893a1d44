import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WeftDb } from '../db/client';
import {
  activeTriggersFor,
  candidateEvents,
  getEvent,
  insertEvent,
  insertWait,
  listEvents,
  lockEventName,
  markWaitDelivered,
  moveWait,
  waitingFor,
  waitsDelivered,
} from '../db/repositories/events';
import type { EventRow, EventWait } from '../db/schema';
import { isWeftError } from '../graph/errors';
import { evaluateBoolean, type ExpressionContext } from '../graph/expressions';
import type { DeliveredEvent, EventWaitOutcome, EventWaitRequest } from '../shared/events';
import { eventSignal } from '../workflows/messages';
import type { ExecutionService } from './executions';

/** Candidate events read per round when a new wait looks for one already published. */
const CANDIDATE_PAGE = 200;

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

/** An event as the API lists it. */
export interface EventView extends DeliveredEvent {
  source: string | null;
}

/** The event as subscribers, filters and triggered executions see it. */
export function deliveredEvent(row: EventRow): DeliveredEvent {
  return {
    id: row.id,
    name: row.name,
    correlationKey: row.correlationKey,
    payload: row.payload ?? null,
    publishedAt: row.publishedAt.toISOString(),
  };
}

/**
 * True when `filter` (JSONata over `event`) holds for the event; no filter holds always. A
 * filter that fails to evaluate does not hold: one bad subscriber must not block a publish.
 */
export function filterHolds(filter: string | null | undefined, event: DeliveredEvent): boolean {
  if (!filter) return true;
  try {
    // Filters see only the event: they run outside any execution.
    return evaluateBoolean(filter, { event } as unknown as ExpressionContext);
  } catch {
    return false;
  }
}

/**
 * The database half of EVENT_SUBSCRIBER: registering a wait (taking an event published already
 * when one matches), and ending it on timeout or cancellation.
 */
export class EventWaits {
  constructor(private readonly db: WeftDb) {}

  /**
   * Registers the wait of a subscriber run, or finds it again on a retry. Under the event name's
   * lock, so that a concurrent publish either sees the new wait or is seen by the look-up here.
   * @returns the event the wait took (now or on an earlier attempt), or null when it waits
   */
  async register(req: EventWaitRequest): Promise<EventWaitOutcome> {
    return this.db.transaction(async (tx) => {
      await lockEventName(tx, req.eventName);
      const wait = await insertWait(tx, {
        id: req.id,
        executionId: req.executionId,
        nodeId: req.nodeId,
        eventName: req.eventName,
        correlationKey: req.correlationKey,
        filter: req.filter,
        since: new Date(req.since),
      });
      if (wait.state !== 'waiting') return { event: await this.eventOf(tx, wait) };
      for (let offset = 0; ; offset += CANDIDATE_PAGE) {
        const rows = await candidateEvents(tx, wait, CANDIDATE_PAGE, offset);
        for (const row of rows) {
          const event = deliveredEvent(row);
          if (filterHolds(wait.filter, event) && (await markWaitDelivered(tx, wait.id, row.id))) return { event };
        }
        if (rows.length < CANDIDATE_PAGE) return { event: null };
      }
    });
  }

  /**
   * Ends a wait whose timeout passed. When an event was delivered meanwhile (its signal still on
   * the way), that event is answered instead and the wait stays delivered.
   */
  async expire(id: string): Promise<EventWaitOutcome> {
    const wait = await moveWait(this.db, id, 'waiting', 'expired');
    return { event: wait ? await this.eventOf(this.db, wait) : null };
  }

  /** Ends the wait of a cancelled subscriber run, so that no publish counts it as delivered. */
  async cancel(id: string): Promise<void> {
    await moveWait(this.db, id, 'waiting', 'cancelled');
  }

  private async eventOf(db: WeftDb, wait: EventWait): Promise<DeliveredEvent | null> {
    if (wait.state !== 'delivered' || !wait.eventId) return null;
    const row = await getEvent(db, wait.eventId);
    return row ? deliveredEvent(row) : null;
  }
}

/** Publishing events: stored, delivered to waiting subscribers, and starting triggered definitions. */
export class EventService {
  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly executions: ExecutionService,
  ) {}

  /**
   * Stores the event (once per idempotency key), marks every matching waiting subscriber run
   * delivered and signals it, and starts every definition with a trigger for the name. A repeat
   * with the same key signals the same runs again (the workflow ignores a second delivery) and
   * starts nothing new, so a publish that failed half-way can simply be repeated.
   */
  async publish(req: PublishRequest): Promise<PublishResult> {
    const { row, created, deliveries } = await this.db.transaction(async (tx) => {
      await lockEventName(tx, req.name);
      const inserted = await insertEvent(tx, {
        id: `evt-${randomUUID()}`,
        name: req.name,
        correlationKey: req.correlationKey ?? null,
        payload: req.payload ?? null,
        source: req.source,
        idempotencyKey: req.idempotencyKey ?? null,
      });
      if (!inserted.created) return { row: inserted.event, created: false, deliveries: await waitsDelivered(tx, inserted.event.id) };
      const event = deliveredEvent(inserted.event);
      const taken: EventWait[] = [];
      for (const wait of await waitingFor(tx, event.name, event.correlationKey)) {
        if (filterHolds(wait.filter, event) && (await markWaitDelivered(tx, wait.id, event.id))) taken.push(wait);
      }
      return { row: inserted.event, created: true, deliveries: taken };
    });
    const event = deliveredEvent(row);
    let delivered = 0;
    for (const wait of deliveries) {
      try {
        await this.temporal.workflow.getHandle(wait.executionId).signal(eventSignal, { waitId: wait.id, event });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        if (created) {
          // The execution ended without withdrawing its wait: nobody received the event.
          await moveWait(this.db, wait.id, 'delivered', 'cancelled');
          continue;
        }
        // A repeat: the execution has most likely ended because it took the event the first time.
      }
      delivered++;
    }
    const started = await this.startTriggered(event, req.source);
    return { id: event.id, delivered, started, replayed: !created };
  }

  /** Starts each definition triggered by the event, once per event and definition. */
  private async startTriggered(event: DeliveredEvent, actor: string): Promise<string[]> {
    const started: string[] = [];
    for (const trigger of await activeTriggersFor(this.db, event.name)) {
      if (!filterHolds(trigger.filter, event)) continue;
      try {
        const run = await this.executions.start(trigger.definitionId, { input: { event } }, `event:${event.id}`, actor);
        started.push(run.id);
      } catch (err) {
        // Deleted or retired between the look-up and the start: that definition is not triggered.
        if (isWeftError(err) && ['WORKFLOW_NOT_FOUND', 'NO_ACTIVE_VERSION'].includes(err.code)) continue;
        throw err;
      }
    }
    return started;
  }

  /** Events, newest first. */
  async list(query: { name?: string; limit: number; offset: number }): Promise<{ total: number; items: EventView[] }> {
    const page = await listEvents(this.db, query);
    return { total: page.total, items: page.items.map((row) => ({ ...deliveredEvent(row), source: row.source })) };
  }
}
