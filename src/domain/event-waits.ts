/**
 * The database half of events that publishing (the API, an EVENT_PUBLISHER run) and
 * EVENT_SUBSCRIBER's activities share: the event as subscribers see it, filters, and waits.
 */
import type { WeftDb } from '../db/client';
import { candidateEvents, getEvent, insertWait, lockEventName, markWaitDelivered, moveWait } from '../db/repositories/events';
import type { EventRow, EventWait } from '../db/schema';
import { evaluateBoolean, type ExpressionContext } from '../graph/expressions';
import type { DeliveredEvent, EventWaitOutcome, EventWaitRequest } from '../shared/events';

/** Candidate events read per round when a new wait looks for one already published. */
const CANDIDATE_PAGE = 200;

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
