/**
 * Events, the EVENT_SUBSCRIBER waits they are delivered to, and the event triggers of
 * definitions. The matching rules live in services/events.ts; this module only reads and writes.
 */
import { and, asc, count, eq, gte, isNull, or, sql } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { eventTriggers, eventWaits, events, workflowDefinitions, type EventRow, type EventTrigger, type EventWait, type EventWaitState } from '../schema';
import { keysetAfter, keysetOrderBy, type KeysetOrder, type Page, type PageRequest } from './page';

/** First key of the two-key advisory locks that serialise publishing and registering per event name. */
const EVENT_LOCK_NAMESPACE = 0x57656674; // "Weft"

/**
 * Takes the transaction-scoped advisory lock of an event name: a publish and a registration for
 * the same name never interleave, so an event is either seen by the registration's look-up or
 * finds the wait the registration inserted.
 */
export async function lockEventName(tx: WeftDb, name: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${EVENT_LOCK_NAMESPACE}::int4, hashtext(${name}))`);
}

/** Inserts an event; with an idempotency key already used, the stored event is returned and `created` is false. */
export async function insertEvent(db: WeftDb, row: typeof events.$inferInsert): Promise<{ event: EventRow; created: boolean }> {
  const [inserted] = await db.insert(events).values(row).onConflictDoNothing().returning();
  if (inserted) return { event: inserted, created: true };
  const existing = row.idempotencyKey ? await findEventByIdempotencyKey(db, row.idempotencyKey) : undefined;
  if (!existing) throw new Error(`insertEvent: ${row.id} conflicted but no existing event was found`);
  return { event: existing, created: false };
}

export async function findEventByIdempotencyKey(db: WeftDb, key: string): Promise<EventRow | undefined> {
  const [row] = await db.select().from(events).where(eq(events.idempotencyKey, key)).limit(1);
  return row;
}

export async function getEvent(db: WeftDb, id: string): Promise<EventRow | undefined> {
  const [row] = await db.select().from(events).where(eq(events.id, id)).limit(1);
  return row;
}

const EVENT_ORDER: KeysetOrder = { table: events, at: events.publishedAt, id: events.id, direction: 'desc' };

/** Events, newest first (keyset after `query.after`), optionally of one name. */
export async function listEvents(db: WeftDb, query: PageRequest & { name?: string }): Promise<Page<EventRow>> {
  const where = query.name ? eq(events.name, query.name) : undefined;
  const items = await db
    .select()
    .from(events)
    .where(and(where, keysetAfter(EVENT_ORDER, query.after)))
    .orderBy(...keysetOrderBy(EVENT_ORDER))
    .limit(query.limit)
    .offset(query.offset ?? 0);
  const [total] = await db.select({ n: count() }).from(events).where(where);
  return { items, total: Number(total?.n ?? 0) };
}

/**
 * Waits an event of `name` with `correlationKey` may reach: those with the same key and those
 * without one (a subscriber without a key takes any key).
 */
export async function waitingFor(db: WeftDb, name: string, correlationKey: string | null): Promise<EventWait[]> {
  const key =
    correlationKey === null ? isNull(eventWaits.correlationKey) : or(eq(eventWaits.correlationKey, correlationKey), isNull(eventWaits.correlationKey));
  return db
    .select()
    .from(eventWaits)
    .where(and(eq(eventWaits.eventName, name), eq(eventWaits.state, 'waiting'), key))
    .orderBy(asc(eventWaits.createdAt));
}

/** Moves a waiting wait to delivered with `eventId`; false when it no longer waits. */
export async function markWaitDelivered(db: WeftDb, waitId: string, eventId: string): Promise<boolean> {
  const rows = await db
    .update(eventWaits)
    .set({ state: 'delivered', eventId, updatedAt: new Date() })
    .where(and(eq(eventWaits.id, waitId), eq(eventWaits.state, 'waiting')))
    .returning({ id: eventWaits.id });
  return rows.length > 0;
}

/** Moves a wait from state `from` to `to`; returns the row afterwards (changed or not), or undefined when missing. */
export async function moveWait(db: WeftDb, waitId: string, from: EventWaitState, to: EventWaitState): Promise<EventWait | undefined> {
  const [changed] = await db
    .update(eventWaits)
    .set({ state: to, updatedAt: new Date() })
    .where(and(eq(eventWaits.id, waitId), eq(eventWaits.state, from)))
    .returning();
  return changed ?? (await getWait(db, waitId));
}

export async function getWait(db: WeftDb, id: string): Promise<EventWait | undefined> {
  const [row] = await db.select().from(eventWaits).where(eq(eventWaits.id, id)).limit(1);
  return row;
}

/** Inserts a wait unless one with its id exists (a retried registration); returns the stored row. */
export async function insertWait(db: WeftDb, row: typeof eventWaits.$inferInsert): Promise<EventWait> {
  await db.insert(eventWaits).values(row).onConflictDoNothing();
  const stored = await getWait(db, row.id);
  if (!stored) throw new Error(`insertWait: ${row.id} was neither inserted nor found`);
  return stored;
}

/** Waits that received `eventId` (to signal them again when the same publish is repeated). */
export async function waitsDelivered(db: WeftDb, eventId: string): Promise<EventWait[]> {
  return db
    .select()
    .from(eventWaits)
    .where(and(eq(eventWaits.eventId, eventId), eq(eventWaits.state, 'delivered')));
}

/**
 * Events already published that a new wait may take, oldest first: same name, a key the wait
 * accepts, published at or after `since`, and not yet delivered to an earlier run of the same node.
 */
export async function candidateEvents(
  db: WeftDb,
  wait: { eventName: string; correlationKey: string | null; since: Date; executionId: string; nodeId: string },
  limit: number,
  offset = 0,
): Promise<EventRow[]> {
  const key = wait.correlationKey === null ? undefined : eq(events.correlationKey, wait.correlationKey);
  const taken = sql`not exists (select 1 from ${eventWaits} w where w.execution_id = ${wait.executionId} and w.node_id = ${wait.nodeId} and w.event_id = ${events.id})`;
  return db
    .select()
    .from(events)
    .where(and(eq(events.name, wait.eventName), key, gte(events.publishedAt, wait.since), taken))
    .orderBy(asc(events.publishedAt), asc(events.id))
    .limit(limit)
    .offset(offset);
}

/** The triggers of `name` whose definition exists and has an active version. */
export async function activeTriggersFor(db: WeftDb, name: string): Promise<EventTrigger[]> {
  return db
    .select({ definitionId: eventTriggers.definitionId, eventName: eventTriggers.eventName, filter: eventTriggers.filter })
    .from(eventTriggers)
    .innerJoin(workflowDefinitions, eq(workflowDefinitions.id, eventTriggers.definitionId))
    .where(and(eq(eventTriggers.eventName, name), isNull(workflowDefinitions.deletedAt), sql`${workflowDefinitions.activeVersion} is not null`))
    .orderBy(asc(eventTriggers.definitionId));
}

/** Replaces a definition's triggers with those of the version that just became active. */
export async function replaceTriggers(db: WeftDb, definitionId: string, triggers: Array<{ event: string; filter?: string }>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(eventTriggers).where(eq(eventTriggers.definitionId, definitionId));
    if (triggers.length > 0) {
      await tx.insert(eventTriggers).values(triggers.map((t) => ({ definitionId, eventName: t.event, filter: t.filter ?? null })));
    }
  });
}
