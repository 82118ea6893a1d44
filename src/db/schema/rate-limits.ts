/** Per-user rate limits and per-workflow admission (queue of starts over a workflow's limits). */
import { sql } from 'drizzle-orm';
import { bigserial, check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

/**
 * One GCRA state per limited key (`<category>:<user>`): the theoretical arrival time of the next
 * request. Shared by every API process, so a limit holds across them.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  tat: timestamp('tat', tz).notNull(),
});

/** Where an execution of a limited workflow stands in its workflow's admission. */
export const ADMISSION_STATES = ['queued', 'running', 'released'] as const;
export type AdmissionState = (typeof ADMISSION_STATES)[number];

/**
 * One execution of a workflow with `maxConcurrentExecutions` or `maxStartsPerMinute`: queued
 * at its start (in `seq` order), running once granted, released when it ends.
 */
export const executionAdmissions = pgTable(
  'execution_admissions',
  {
    executionId: text('execution_id').primaryKey(),
    definitionId: text('definition_id').notNull(),
    /** Start order: slots are granted strictly in it. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    state: text('state', { enum: ADMISSION_STATES }).notNull().default('queued'),
    queuedAt: timestamp('queued_at', tz).notNull().defaultNow(),
    grantedAt: timestamp('granted_at', tz),
    releasedAt: timestamp('released_at', tz),
  },
  (t) => [
    index('execution_admissions_open_idx')
      .on(t.definitionId, t.seq)
      .where(sql`${t.state} <> 'released'`),
    index('execution_admissions_granted_idx').on(t.definitionId, t.grantedAt),
    check('execution_admissions_state_ck', sql`${t.state} in (${sqlList(ADMISSION_STATES)})`),
  ],
);

/** A stored admission. */
export type ExecutionAdmission = typeof executionAdmissions.$inferSelect;
