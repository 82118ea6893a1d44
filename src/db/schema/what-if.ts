/**
 * What-if runs (docs/what-if.md): a candidate version run in simulation over recorded executions.
 * One row per run and one per sampled execution, written by the API (the sample, at the start)
 * and by the what-if workflow's activities (each execution's category, the summary at the end).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { WHAT_IF_CATEGORIES, type WhatIfSample, type WhatIfSummary } from '../../shared/what-if';
import { tz, sqlList } from './columns';

export const WHAT_IF_STATUSES = ['running', 'completed', 'failed'] as const;
export type WhatIfStatus = (typeof WHAT_IF_STATUSES)[number];

/** One what-if run; its id is also its Temporal workflow id. */
export const whatIfRuns = pgTable(
  'what_if_runs',
  {
    id: text('id').primaryKey(),
    definitionId: text('definition_id').notNull(),
    version: text('version').notNull(),
    sample: jsonb('sample').$type<WhatIfSample>().notNull(),
    stubs: jsonb('stubs').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: WHAT_IF_STATUSES }).notNull().default('running'),
    total: integer('total').notNull(),
    /** Set when it ended: the totals the report and a rollout gate read. */
    summary: jsonb('summary').$type<WhatIfSummary>(),
    error: jsonb('error').$type<unknown>(),
    /** The rollout whose gate started it, if any. */
    rolloutId: text('rollout_id'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    completedAt: timestamp('completed_at', tz),
  },
  (t) => [
    index('what_if_runs_definition_idx').on(t.definitionId, t.createdAt),
    check('what_if_runs_status_ck', sql`${t.status} in (${sqlList(WHAT_IF_STATUSES)})`),
  ],
);

/** One sampled execution of a what-if; `category` stays null until it has been run. */
export const whatIfResults = pgTable(
  'what_if_results',
  {
    whatIfId: text('what_if_id')
      .notNull()
      .references(() => whatIfRuns.id, { onDelete: 'cascade' }),
    /** Its place in the sample (0 = newest). */
    ordinal: integer('ordinal').notNull(),
    executionId: text('execution_id').notNull(),
    category: text('category', { enum: WHAT_IF_CATEGORIES }),
    /** The nodes the difference is put down to (report: the nodes causing most differences). */
    culprits: jsonb('culprits').$type<string[]>(),
    /** Then and now side by side, the diff, where the paths part. */
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    updatedAt: timestamp('updated_at', tz),
  },
  (t) => [
    primaryKey({ columns: [t.whatIfId, t.ordinal] }),
    uniqueIndex('what_if_results_execution_uq').on(t.whatIfId, t.executionId),
    check('what_if_results_category_ck', sql`${t.category} is null or ${t.category} in (${sqlList(WHAT_IF_CATEGORIES)})`),
  ],
);

export type WhatIfRunRow = typeof whatIfRuns.$inferSelect;
export type WhatIfResultRow = typeof whatIfResults.$inferSelect;
