import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { activeTriggersFor, insertEvent, listEvents, lockEventName, markWaitDelivered, moveWait, waitingFor, waitsDelivered } from '../db/repositories/events';
import type { EventWait } from '../db/schema';
import { deliveredEvent, filterHolds } from '../domain/event-waits';
import { isWeftError } from '../graph/errors';
import type { DeliveredEvent, PublishRequest, PublishResult } from '../shared/events';
import { eventSignal } from '../workflows/messages';
import { callerScopedKey, requireSameBody, sameBody } from '../domain/idempotency';
import type { ExecutionService } from './executions';
import type { TriggerStarts } from './trigger-starts';
import { pageFromRows, timedKey, timedPosition, type CursorPage } from '../domain/pages';

/** An event as the API lists it. */
export interface EventView extends DeliveredEvent {
  source: string | null;
}

/** Publishing events: stored, delivered to waiting subscribers, and starting triggered definitions. */
export class EventService {
  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly executions: ExecutionService,
    /** Event triggers made through `/workflows/{id}/triggers`, started after the graph's own. */
    private readonly triggers?: Pick<TriggerStarts, 'startForEvent'>,
  ) {}

  /**
   * Stores the event (once per idempotency key), marks every matching waiting subscriber run
   * delivered and signals it, and starts every definition with a trigger for the name. A repeat
   * with the same key signals the same runs again (the workflow ignores a second delivery) and
   * starts nothing new, so a publish that failed half-way can simply be repeated. A caller's
   * `Idempotency-Key` (`callerKey`, as `POST /events` passes it) is that caller's own, and the
   * same key with another name, correlation key or payload is refused.
   * @throws WeftError IDEMPOTENCY_KEY_REUSED
   */
  async publish(req: PublishRequest, ctx: AuditContext, callerKey?: string): Promise<PublishResult> {
    if (callerKey !== undefined) req = { ...req, idempotencyKey: callerScopedKey(ctx.actor, callerKey) };
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
      await appendAudit(tx, {
        ...ctx,
        action: 'event.published',
        resourceType: 'event',
        resourceId: event.id,
        details: { name: event.name, correlationKey: event.correlationKey, source: req.source, deliveredTo: taken.map((w) => w.executionId) },
        after: { name: event.name, correlationKey: event.correlationKey, payload: event.payload },
      });
      return { row: inserted.event, created: true, deliveries: taken };
    });
    if (!created && callerKey !== undefined) {
      const same = row.name === req.name && (row.correlationKey ?? null) === (req.correlationKey ?? null) && sameBody(row.payload, req.payload);
      requireSameBody(callerKey, same, `event ${row.id}`);
    }
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
    // A triggered execution is started by the event's source (`user:<id>`, `execution:<id>`), as before.
    const started = await this.startTriggered(event, { ...ctx, actor: req.source });
    return { id: event.id, delivered, started, replayed: !created };
  }

  /** Starts each definition triggered by the event, once per event and definition. */
  private async startTriggered(event: DeliveredEvent, ctx: AuditContext): Promise<string[]> {
    const started: string[] = [];
    for (const trigger of await activeTriggersFor(this.db, event.name)) {
      if (!filterHolds(trigger.filter, event)) continue;
      try {
        const run = await this.executions.start(trigger.definitionId, { input: { event } }, `event:${event.id}`, ctx, { keyIdentifiesStart: true });
        started.push(run.id);
      } catch (err) {
        // Deleted or retired between the look-up and the start: that definition is not triggered.
        if (isWeftError(err) && ['WORKFLOW_NOT_FOUND', 'NO_ACTIVE_VERSION'].includes(err.code)) continue;
        throw err;
      }
    }
    if (this.triggers) started.push(...(await this.triggers.startForEvent(event, ctx)));
    return started;
  }

  /** Events, newest first, a cursor page (or at `offset`). @throws WeftError INVALID_REQUEST for a foreign cursor */
  async list(query: { name?: string; limit: number; offset?: number; cursor?: string }): Promise<CursorPage<EventView> & { total: number }> {
    const after = timedPosition('events', query.cursor);
    const rows = await listEvents(this.db, { ...query, limit: query.limit + 1, ...(after ? { after } : {}) });
    const page = pageFromRows(
      rows.items,
      query.limit,
      'events',
      timedKey(
        (r) => r.publishedAt,
        (r) => r.id,
      ),
    );
    return { items: page.items.map((row) => ({ ...deliveredEvent(row), source: row.source })), nextCursor: page.nextCursor, total: rows.total };
  }
}
