/**
 * The audit trail: an append-only, hash-chained log.
 *
 * Chaining happens in the database, not in application code: the `audit_log_chain` trigger
 * (drizzle/0007_audit_chain.sql) gives every inserted row the next `seq`, the previous row's
 * hash as `prev_hash`, and `hash = weft_audit_hash(...)` — SHA-256 over a canonical JSON array of
 * the previous hash and the row's own content. It takes the row lock of the one-row
 * `audit_chain_head` first, so appends from any number of processes queue up one at a time and
 * the lock is held until the appending transaction ends: a rolled-back change leaves no record and
 * no gap in `seq`. Other triggers refuse UPDATE, DELETE and TRUNCATE.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz } from './columns';

/** Append-only trail of who did what to which resource, one row per change. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Position in the hash chain, 1, 2, 3… without gaps; set by the chain trigger (the default is never stored). */
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    at: timestamp('at', tz).notNull().defaultNow(),
    /** User id, or `system` for the worker. */
    actor: text('actor').notNull(),
    /** The event type, a dotted verb such as `workflow.published`. */
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    /** The workflow (definition) the change concerns, when it concerns one: its own changes and its executions'. */
    workflowId: text('workflow_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    /** The resource before and after the change, secrets redacted; null when it did not exist (or is not kept). */
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    /** The API request that made the change (X-Request-Id); null for the worker. */
    requestId: text('request_id'),
    clientIp: text('client_ip'),
    userAgent: text('user_agent'),
    /** Set by the chain trigger (the defaults are never stored). */
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [
    uniqueIndex('audit_log_seq_idx').on(t.seq),
    index('audit_log_resource_idx').on(t.resourceType, t.resourceId),
    index('audit_log_actor_idx').on(t.actor, t.at),
    index('audit_log_workflow_idx').on(t.workflowId, t.at),
    index('audit_log_action_idx').on(t.action, t.at),
    index('audit_log_at_idx').on(t.at),
  ],
);

/**
 * The end of the chain: the last `seq` and its hash. One row; its row lock serializes appends, and
 * verification compares it with the last record, so removing records from the end shows too.
 */
export const auditChainHead = pgTable(
  'audit_chain_head',
  {
    id: smallint('id').primaryKey().default(1),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
    lastHash: text('last_hash').notNull(),
  },
  (t) => [check('audit_chain_head_single_ck', sql`${t.id} = 1`)],
);

/** The `prev_hash` of the first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** A stored audit entry. */
export type AuditEntry = typeof auditLog.$inferSelect;
/** Values to insert an audit entry (`id`, `seq`, hashes and `at` come from the database). */
export type NewAuditEntry = typeof auditLog.$inferInsert;
