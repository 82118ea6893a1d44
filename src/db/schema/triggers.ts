/** Triggers managed through `/workflows/{id}/triggers`, and the webhook deliveries they received. */
import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';
import { workflowDefinitions } from './definitions';

/** What starts an execution: a person (`manual`), a signed HTTP call, a Temporal Schedule, a published event. */
export const TRIGGER_TYPES = ['manual', 'webhook', 'schedule', 'event'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/**
 * One trigger of a definition. Its type-specific settings (`config`) are checked by the service
 * (src/domain/trigger-config.ts); a webhook's secret is stored only sealed (SecretBox).
 */
export const triggers = pgTable(
  'triggers',
  {
    /** `trg-<uuid>`; also names the Temporal Schedule of a schedule trigger (`weft-trigger-<id>`). */
    id: text('id').primaryKey(),
    definitionId: text('definition_id')
      .notNull()
      .references(() => workflowDefinitions.id, { onDelete: 'cascade' }),
    type: text('type', { enum: TRIGGER_TYPES }).notNull(),
    name: text('name'),
    enabled: boolean('enabled').notNull().default(true),
    /** JSONata over the trigger's payload giving the execution's input; null: the type's default. */
    inputMapping: text('input_mapping'),
    /** The site executions start at (its deployed version and configuration); null: no site. */
    siteId: text('site_id'),
    /** Type-specific settings (schedule spec, webhook tolerance, event name and filter). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** A webhook's signing secret, sealed; null for other types. */
    secretSealed: text('secret_sealed'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('triggers_definition_idx').on(t.definitionId, t.createdAt),
    index('triggers_event_idx')
      .on(sql`(${t.config}->>'event')`)
      .where(sql`${t.type} = 'event'`),
    check('triggers_type_ck', sql`${t.type} in (${sqlList(TRIGGER_TYPES)})`),
  ],
);

/**
 * A webhook delivery that passed its signature check: one per (trigger, delivery id), and one
 * per signature, so the same delivery (or the same signed request under a new delivery id)
 * never starts a second execution.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    triggerId: text('trigger_id')
      .notNull()
      .references(() => triggers.id, { onDelete: 'cascade' }),
    deliveryId: text('delivery_id').notNull(),
    /** SHA-256 of the signature header, hex. */
    signatureHash: text('signature_hash').notNull(),
    /** Set once the execution has started. */
    executionId: text('execution_id'),
    receivedAt: timestamp('received_at', tz).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.triggerId, t.deliveryId] }), uniqueIndex('webhook_deliveries_signature_uq').on(t.triggerId, t.signatureHash)],
);

/** A stored trigger. */
export type Trigger = typeof triggers.$inferSelect;
/** Values to insert a trigger. */
export type NewTrigger = typeof triggers.$inferInsert;
/** A stored webhook delivery. */
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
