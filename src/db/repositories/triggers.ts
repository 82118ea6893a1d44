/** Triggers and webhook deliveries: reads and writes only (the rules are in services/triggers.ts). */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { eventTriggers, triggers, webhookDeliveries, workflowDefinitions, type NewTrigger, type Trigger, type WebhookDelivery } from '../schema';

export async function insertTrigger(db: WeftDb, row: NewTrigger): Promise<Trigger> {
  const [inserted] = await db.insert(triggers).values(row).returning();
  if (!inserted) throw new Error('insertTrigger: insert returned no row');
  return inserted;
}

export async function getTrigger(db: WeftDb, id: string): Promise<Trigger | undefined> {
  const [row] = await db.select().from(triggers).where(eq(triggers.id, id)).limit(1);
  return row;
}

/** The trigger, locked until the transaction ends (a PATCH and a DELETE never interleave). */
export async function getTriggerForUpdate(db: WeftDb, id: string): Promise<Trigger | undefined> {
  const [row] = await db.select().from(triggers).where(eq(triggers.id, id)).limit(1).for('update');
  return row;
}

/** A definition's triggers, oldest first. */
export async function listTriggers(db: WeftDb, definitionId: string): Promise<Trigger[]> {
  return db.select().from(triggers).where(eq(triggers.definitionId, definitionId)).orderBy(asc(triggers.createdAt), asc(triggers.id));
}

export async function updateTrigger(
  db: WeftDb,
  id: string,
  patch: Partial<Omit<Trigger, 'id' | 'definitionId' | 'type' | 'createdAt' | 'createdBy'>>,
): Promise<Trigger> {
  const [row] = await db
    .update(triggers)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(triggers.id, id))
    .returning();
  if (!row) throw new Error(`updateTrigger: ${id} is gone`);
  return row;
}

export async function deleteTrigger(db: WeftDb, id: string): Promise<void> {
  await db.delete(triggers).where(eq(triggers.id, id));
}

/** Enabled event triggers of `eventName` whose definition exists and has an active version. */
export async function enabledEventTriggers(db: WeftDb, eventName: string): Promise<Trigger[]> {
  return db
    .select({ trigger: triggers })
    .from(triggers)
    .innerJoin(workflowDefinitions, eq(workflowDefinitions.id, triggers.definitionId))
    .where(
      and(
        eq(triggers.type, 'event'),
        eq(triggers.enabled, true),
        sql`${triggers.config}->>'event' = ${eventName}`,
        isNull(workflowDefinitions.deletedAt),
        sql`${workflowDefinitions.activeVersion} is not null`,
      ),
    )
    .orderBy(asc(triggers.createdAt), asc(triggers.id))
    .then((rows) => rows.map((r) => r.trigger));
}

/** The event triggers written in the definition's active graph (kept in step by version activation). */
export async function graphEventTriggers(db: WeftDb, definitionId: string): Promise<Array<{ event: string; filter: string | null }>> {
  const rows = await db.select().from(eventTriggers).where(eq(eventTriggers.definitionId, definitionId)).orderBy(asc(eventTriggers.eventName));
  return rows.map((r) => ({ event: r.eventName, filter: r.filter }));
}

/**
 * Claims a delivery: inserted when neither its id nor its signature was seen for the trigger.
 * @returns `claimed` for a new delivery, `same` for a repeat of a known delivery id (with its row), `replayed` for a known signature under another id
 */
export async function claimDelivery(
  db: WeftDb,
  row: { triggerId: string; deliveryId: string; signatureHash: string },
): Promise<{ outcome: 'claimed' | 'same' | 'replayed'; delivery?: WebhookDelivery }> {
  const [inserted] = await db.insert(webhookDeliveries).values(row).onConflictDoNothing().returning();
  if (inserted) return { outcome: 'claimed', delivery: inserted };
  const [known] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.triggerId, row.triggerId), eq(webhookDeliveries.deliveryId, row.deliveryId)))
    .limit(1);
  return known ? { outcome: 'same', delivery: known } : { outcome: 'replayed' };
}

/** Records the execution a delivery started. */
export async function setDeliveryExecution(db: WeftDb, key: { triggerId: string; deliveryId: string }, executionId: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ executionId })
    .where(and(eq(webhookDeliveries.triggerId, key.triggerId), eq(webhookDeliveries.deliveryId, key.deliveryId)));
}

/** Forgets a claimed delivery whose start failed, so that the sender's retry is taken afresh. */
export async function releaseDelivery(db: WeftDb, key: { triggerId: string; deliveryId: string }): Promise<void> {
  await db
    .delete(webhookDeliveries)
    .where(and(eq(webhookDeliveries.triggerId, key.triggerId), eq(webhookDeliveries.deliveryId, key.deliveryId), isNull(webhookDeliveries.executionId)));
}
