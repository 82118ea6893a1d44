/** Executions (one Temporal workflow run of a graph) and their node runs. */
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ExecutionSite } from '../../graph/expressions';
import { tz, sqlList } from './columns';

/** Lifecycle of an execution (one Temporal workflow run of a graph, continue-as-new included). */
export const EXECUTION_STATUSES = ['pending', 'running', 'waiting', 'suspended', 'completed', 'failed', 'cancelled', 'escalated'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** Statuses an execution never leaves once reached. `escalated` is not one: a person takes it over. */
export const TERMINAL_EXECUTION_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly ExecutionStatus[];
export type TerminalExecutionStatus = (typeof TERMINAL_EXECUTION_STATUSES)[number];

/** Statuses an execution may move between while it is still alive. */
export type LiveExecutionStatus = Exclude<ExecutionStatus, TerminalExecutionStatus>;

/** What an execution started at a site recorded of its configuration. */
export interface ConfigSnapshot {
  /** The site as expressions see it (`execution.site`). */
  site?: ExecutionSite;
  /** Non-secret effective values, as expressions see them (`config.<key>`). */
  values: Record<string, unknown>;
  /** Secret parameters that had a value (never their values). */
  secretKeys?: string[];
  /** The configuration revision it was resolved at: where each value came from is in the history up to the start. */
  revision?: number;
}

/** The summary of one execution. `id` is the Temporal workflow id. */
export const executions = pgTable(
  'executions',
  {
    id: text('id').primaryKey(),
    definitionId: text('definition_id').notNull(),
    version: text('version').notNull(),
    status: text('status', { enum: EXECUTION_STATUSES }).notNull().default('pending'),
    input: jsonb('input').$type<unknown>(),
    output: jsonb('output').$type<unknown>(),
    /** The failure, serialised (conventionally `{ code, message, details }`); null unless failed. */
    error: jsonb('error').$type<unknown>(),
    startedAt: timestamp('started_at', tz).notNull().defaultNow(),
    completedAt: timestamp('completed_at', tz),
    // bigint, not integer: an execution that waits 25 days for an approver overflows int4 milliseconds.
    durationMs: bigint('duration_ms', { mode: 'number' }),
    /** Client-supplied `Idempotency-Key`; unique per definition. */
    idempotencyKey: text('idempotency_key'),
    startedBy: text('started_by'),
    /** The latest run id (continue-as-new changes it). */
    temporalRunId: text('temporal_run_id'),
    /** The site it runs at, when started at one. */
    siteId: text('site_id'),
    /** The site's effective configuration as resolved at the start (secrets left out), fixed for the execution. */
    configSnapshot: jsonb('config_snapshot').$type<ConfigSnapshot>(),
  },
  (t) => [
    uniqueIndex('executions_definition_idempotency_uq')
      .on(t.definitionId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('executions_definition_started_idx').on(t.definitionId, t.startedAt),
    index('executions_status_idx').on(t.status),
    index('executions_site_started_idx').on(t.siteId, t.startedAt),
    // Serves the unfiltered "newest first" listing. drizzle/0014 adds by hand executions_window_idx,
    // (started_at) INCLUDE (status, duration_ms, definition_id), for the analytics overview.
    index('executions_started_idx').on(t.startedAt),
    // Serves "completed today" of the analytics overview.
    index('executions_completed_idx').on(t.completedAt),
    check('executions_status_ck', sql`${t.status} in (${sqlList(EXECUTION_STATUSES)})`),
  ],
);

/** One run of one node inside an execution, in the order the runs happened (`seq`). */
export const nodeResults = pgTable(
  'node_results',
  {
    executionId: text('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    nodeName: text('node_name'),
    /** How many times this node had run before in the execution (loops, cycles). */
    iteration: integer('iteration').notNull().default(0),
    status: text('status').notNull(),
    output: jsonb('output').$type<unknown>(),
    error: jsonb('error').$type<unknown>(),
    attempts: integer('attempts').notNull().default(1),
    startedAt: timestamp('started_at', tz),
    completedAt: timestamp('completed_at', tz),
    /**
     * The audit entry (`seq`) whose live events announced this run's start, and its end: set when
     * the node's activity recorded them while the execution ran, so that the execution's final
     * entry does not announce them again (src/services/execution-events.ts). Null: announced with
     * the final entry.
     */
    startedEventSeq: bigint('started_event_seq', { mode: 'number' }),
    endedEventSeq: bigint('ended_event_seq', { mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.seq] }),
    // Error statistics read failed runs only: a small share of all runs.
    index('node_results_failed_idx')
      .on(t.executionId)
      .where(sql`${t.status} = 'failed'`),
  ],
);

/** A stored execution summary row. */
export type Execution = typeof executions.$inferSelect;
/** Values to insert an execution (`status` defaults to `pending`, `startedAt` to now). */
export type NewExecution = typeof executions.$inferInsert;
/** A stored node run row. */
export type NodeResult = typeof nodeResults.$inferSelect;
/** Values to insert a node run. */
export type NewNodeResult = typeof nodeResults.$inferInsert;
