/**
 * Sites and their configuration (SiteConfigurationService of `000_*.txt`): where workflows run,
 * the parameters they are configured by, the values set at each scope, every change to them, and
 * changes waiting for an approval.
 */
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

export const SITE_ENVIRONMENTS = ['production', 'staging', 'development'] as const;
export type SiteEnvironment = (typeof SITE_ENVIRONMENTS)[number];

export const CONFIG_TYPES = ['string', 'number', 'boolean', 'json', 'select'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

/** The level a required parameter must be set at (or below: `regional` is met by a site's own value too). */
export const REQUIRED_LEVELS = ['global', 'regional', 'site'] as const;
export type RequiredLevel = (typeof REQUIRED_LEVELS)[number];

/** Where a value is set. `site` covers parent sites too: they are sites. */
export const CONFIG_SCOPES = ['global', 'region', 'site'] as const;
export type ConfigScope = (typeof CONFIG_SCOPES)[number];

export const CONFIG_CHANGE_STATUSES = ['pending', 'applied', 'rejected', 'conflict', 'invalid', 'failed'] as const;
export type ConfigChangeStatus = (typeof CONFIG_CHANGE_STATUSES)[number];

/** A plant, a warehouse, a line: where a workflow runs. `id` is a slug the user chooses. */
export const sites = pgTable(
  'sites',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    location: text('location').notNull().default(''),
    region: text('region').notNull(),
    environment: text('environment', { enum: SITE_ENVIRONMENTS }).notNull(),
    /** A site inherits configuration from its parent (a line from its plant); never a cycle. */
    parentSiteId: text('parent_site_id').references((): AnyPgColumn => sites.id),
    /** IANA name, e.g. `Europe/Berlin`. */
    timeZone: text('time_zone').notNull().default('UTC'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    isActive: boolean('is_active').notNull().default(true),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('sites_region_idx').on(t.region),
    index('sites_parent_idx').on(t.parentSiteId),
    check('sites_environment_ck', sql`${t.environment} in (${sqlList(SITE_ENVIRONMENTS)})`),
    check('sites_not_own_parent_ck', sql`${t.parentSiteId} is null or ${t.parentSiteId} <> ${t.id}`),
  ],
);

/** What may be configured: its type, default, allowed options, JSON Schema and where it is required. */
export const configParameters = pgTable(
  'config_parameters',
  {
    key: text('key').primaryKey(),
    name: text('name').notNull(),
    type: text('type', { enum: CONFIG_TYPES }).notNull(),
    /** JSON of the default; null when there is none (secret parameters never have one). */
    defaultValue: jsonb('default_value').$type<unknown>(),
    description: text('description'),
    /** For `select`: `[{ value, label }]`. */
    options: jsonb('options').$type<Array<{ value: string; label: string }>>(),
    /** A JSON Schema every value must match (a document, never code). */
    validation: jsonb('validation').$type<Record<string, unknown> | boolean>(),
    requiredAtLevel: text('required_at_level', { enum: REQUIRED_LEVELS }),
    category: text('category'),
    /** Values are stored sealed under WEFT_SECRETS_KEY and never shown. */
    secret: boolean('secret').notNull().default(false),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    check('config_parameters_type_ck', sql`${t.type} in (${sqlList(CONFIG_TYPES)})`),
    check('config_parameters_level_ck', sql`${t.requiredAtLevel} is null or ${t.requiredAtLevel} in (${sqlList(REQUIRED_LEVELS)})`),
  ],
);

/**
 * A value set at one scope: global (`scope_id` ''), a region (its name) or a site (its id). The
 * `etag` changes on every write, so a writer holding an older one is refused (If-Match).
 */
export const configValues = pgTable(
  'config_values',
  {
    scope: text('scope', { enum: CONFIG_SCOPES }).notNull(),
    scopeId: text('scope_id').notNull(),
    key: text('key')
      .notNull()
      .references(() => configParameters.key),
    /** The value's JSON; null when the parameter is secret (then `sealed` holds it). */
    value: jsonb('value').$type<unknown>(),
    /** `v1:<iv>:<tag>:<ciphertext>` of `{ "value": … }` for secret parameters. */
    sealed: text('sealed'),
    etag: text('etag').notNull(),
    /** Writes to this scope and key so far, 1 for the first. */
    revision: integer('revision').notNull().default(1),
    setBy: text('set_by').notNull(),
    setAt: timestamp('set_at', tz).notNull().defaultNow(),
    reason: text('reason'),
    /** The approval request that allowed this value, when one was needed. */
    approvalRequestId: text('approval_request_id'),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.scopeId, t.key] }),
    index('config_values_key_idx').on(t.key),
    check('config_values_scope_ck', sql`${t.scope} in (${sqlList(CONFIG_SCOPES)})`),
  ],
);

/** Every change of a value: who changed what from what to what, why and when (secrets redacted). */
export const configHistory = pgTable(
  'config_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', tz).notNull().defaultNow(),
    scope: text('scope', { enum: CONFIG_SCOPES }).notNull(),
    scopeId: text('scope_id').notNull(),
    key: text('key').notNull(),
    /** `set` or `deleted`. */
    action: text('action').notNull(),
    /** The values' JSON; for secret parameters never the value, only `"***"` when one was set. */
    oldValue: jsonb('old_value').$type<unknown>(),
    newValue: jsonb('new_value').$type<unknown>(),
    secret: boolean('secret').notNull().default(false),
    changedBy: text('changed_by').notNull(),
    reason: text('reason'),
    approvalRequestId: text('approval_request_id'),
    requestId: text('request_id'),
  },
  (t) => [
    index('config_history_scope_idx').on(t.scope, t.scopeId, t.at),
    index('config_history_key_idx').on(t.key, t.at),
    index('config_history_at_idx').on(t.at),
  ],
);

/** One value change inside a {@link configChanges} row. */
export interface PendingConfigChange {
  scope: ConfigScope;
  scopeId: string;
  key: string;
  op: 'set' | 'delete';
  /** The value for a non-secret `set`. */
  value?: unknown;
  /** The sealed value for a secret `set`. */
  sealed?: string;
  secret: boolean;
  /** The etag the value had when the change was asked for (`absent` when there was none). */
  baseEtag: string;
}

/** Changes to a production site's configuration waiting for a `config_change` approval. */
export const configChanges = pgTable(
  'config_changes',
  {
    id: text('id').primaryKey(),
    approvalRequestId: text('approval_request_id'),
    siteId: text('site_id').notNull(),
    changes: jsonb('changes').$type<PendingConfigChange[]>().notNull(),
    reason: text('reason'),
    requestedBy: text('requested_by').notNull(),
    requestedAt: timestamp('requested_at', tz).notNull().defaultNow(),
    status: text('status', { enum: CONFIG_CHANGE_STATUSES }).notNull().default('pending'),
    /** Why it was not applied (conflict, invalid value, rejection). */
    outcome: text('outcome'),
    settledAt: timestamp('settled_at', tz),
  },
  (t) => [
    index('config_changes_request_idx').on(t.approvalRequestId),
    check('config_changes_status_ck', sql`${t.status} in (${sqlList(CONFIG_CHANGE_STATUSES)})`),
  ],
);

export type SiteRow = typeof sites.$inferSelect;
export type ConfigParameterRow = typeof configParameters.$inferSelect;
export type ConfigValueRow = typeof configValues.$inferSelect;
export type ConfigHistoryRow = typeof configHistory.$inferSelect;
export type ConfigChangeRow = typeof configChanges.$inferSelect;

/**
 * One row counting changes to sites, parameters and values: triggers bump it with every
 * statement that touches them (drizzle/0011_config_revision.sql), so a process may keep a site's
 * resolved configuration until the revision moves, whichever process made the change.
 */
export const configRevision = pgTable(
  'config_revision',
  {
    id: integer('id').primaryKey().default(1),
    revision: bigint('revision', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('config_revision_single_ck', sql`${t.id} = 1`)],
);
