/** The audit trail. */
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tz } from './columns';

/** Append-only trail of who did what to which resource. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', tz).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_resource_idx').on(t.resourceType, t.resourceId), index('audit_log_actor_idx').on(t.actor)],
);

/** A stored audit entry. */
export type AuditEntry = typeof auditLog.$inferSelect;
/** Values to insert an audit entry (`id` and `at` come from the database). */
export type NewAuditEntry = typeof auditLog.$inferInsert;
