/** Connectors to outside systems, with their credentials encrypted. */
import { sql } from 'drizzle-orm';
import { boolean, check, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

/** The systems a connector instance talks to. */
export const CONNECTOR_TYPES = ['salesforce', 'sap', 'netsuite', 'custom_api'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/**
 * A configured connection to an outside system. `config` holds what may be shown (base URL,
 * auth mode, client id); `secrets` is AES-256-GCM ciphertext of the credentials, never returned.
 */
export const connectors = pgTable(
  'connectors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    type: text('type', { enum: CONNECTOR_TYPES }).notNull(),
    description: text('description'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** `v1:<iv>:<tag>:<ciphertext>` (base64) of the JSON of the secrets; null when there are none. */
    secrets: text('secrets'),
    /** Outcome of the last `POST /connectors/{id}/test`. */
    lastTestedAt: timestamp('last_tested_at', tz),
    lastTestOk: boolean('last_test_ok'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('connectors_name_uq').on(sql`lower(${t.name})`), check('connectors_type_ck', sql`${t.type} in (${sqlList(CONNECTOR_TYPES)})`)],
);

/** A stored connector (with its secrets still encrypted). */
export type ConnectorRow = typeof connectors.$inferSelect;
