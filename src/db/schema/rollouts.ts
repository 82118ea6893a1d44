/**
 * Rollouts (RolloutStrategyService / RollbackRecoveryService of `000_*.txt`): which version each
 * site runs, the rollouts that move it, their per-site deployments, and the recovery points a
 * rollback returns to. The rollout's durable state is its Temporal workflow; these rows are
 * written by its activities for listing and audit.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

export const ROLLOUT_STRATEGIES = ['immediate', 'staged', 'canary', 'scheduled'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

export const ROLLOUT_STATUSES = ['pending', 'in_progress', 'paused', 'completed', 'rolled_back', 'failed'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

export const DEPLOYMENT_STATUSES = ['pending', 'in_progress', 'success', 'failed', 'rolled_back'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const RECOVERY_POINT_KINDS = ['pre_deployment', 'post_deployment', 'manual'] as const;
export type RecoveryPointKind = (typeof RECOVERY_POINT_KINDS)[number];

/** The version a site runs for a definition; without a row the site runs the active version. */
export const siteVersions = pgTable(
  'site_versions',
  {
    definitionId: text('definition_id').notNull(),
    siteId: text('site_id').notNull(),
    version: text('version').notNull(),
    /** The rollout that set it; null when set otherwise (a rollback to a hand-set version keeps its origin). */
    setByRollout: text('set_by_rollout'),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.definitionId, t.siteId] })],
);

/** One rollout of a version onto sites. */
export const rollouts = pgTable(
  'rollouts',
  {
    id: text('id').primaryKey(),
    definitionId: text('definition_id').notNull(),
    version: text('version').notNull(),
    strategy: text('strategy', { enum: ROLLOUT_STRATEGIES }).notNull(),
    /** The strategy's configuration as given. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    /** The site ids it targets, resolved at creation. */
    targetSites: jsonb('target_sites').$type<string[]>().notNull(),
    /** The plan the workflow runs (stages, canaries, durations in ms), resolved at creation. */
    plan: jsonb('plan').$type<Record<string, unknown>>().notNull(),
    /** Canary sites, chosen at creation (empty for other strategies). */
    canarySites: jsonb('canary_sites').$type<string[]>().notNull().default([]),
    status: text('status', { enum: ROLLOUT_STATUSES }).notNull().default('pending'),
    /** What it waits for now: start, approval, resume, promotion, delay, analysis, window. */
    waitingFor: text('waiting_for'),
    failureReason: text('failure_reason'),
    createdBy: text('created_by').notNull(),
    approvalRequestId: text('approval_request_id'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
    startedAt: timestamp('started_at', tz),
    completedAt: timestamp('completed_at', tz),
  },
  (t) => [
    index('rollouts_definition_idx').on(t.definitionId, t.createdAt),
    index('rollouts_status_idx').on(t.status),
    check('rollouts_strategy_ck', sql`${t.strategy} in (${sqlList(ROLLOUT_STRATEGIES)})`),
    check('rollouts_status_ck', sql`${t.status} in (${sqlList(ROLLOUT_STATUSES)})`),
  ],
);

/**
 * At most one active rollout per (workflow, site): the row is inserted when a rollout is created
 * and deleted when it ends, so a second rollout touching the site is refused by the primary key.
 */
export const rolloutSiteLocks = pgTable(
  'rollout_site_locks',
  {
    definitionId: text('definition_id').notNull(),
    siteId: text('site_id').notNull(),
    rolloutId: text('rollout_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.definitionId, t.siteId] }), index('rollout_site_locks_rollout_idx').on(t.rolloutId)],
);

/** Measured figures of one deployment (DeploymentMetrics of the seed, durations in ms). */
export interface DeploymentMetricsRow {
  durationMs?: number;
  health?: string;
  [key: string]: unknown;
}

/** One site of a rollout: its latest attempt. */
export const rolloutDeployments = pgTable(
  'rollout_deployments',
  {
    rolloutId: text('rollout_id').notNull(),
    siteId: text('site_id').notNull(),
    status: text('status', { enum: DEPLOYMENT_STATUSES }).notNull().default('pending'),
    attempt: integer('attempt').notNull().default(1),
    /** The version the site ran before (its active version when it had no row of its own). */
    fromVersion: text('from_version'),
    startedAt: timestamp('started_at', tz),
    finishedAt: timestamp('finished_at', tz),
    error: text('error'),
    metrics: jsonb('metrics').$type<DeploymentMetricsRow>(),
  },
  (t) => [
    primaryKey({ columns: [t.rolloutId, t.siteId] }),
    index('rollout_deployments_site_idx').on(t.siteId),
    check('rollout_deployments_status_ck', sql`${t.status} in (${sqlList(DEPLOYMENT_STATUSES)})`),
  ],
);

/** What a site was before (or after) a deployment: what a rollback restores. */
export interface DeploymentState {
  /** The site's own version row then; null when it followed the active version. */
  siteVersion: string | null;
  /** The definition's active version then. */
  activeVersion: string | null;
  [key: string]: unknown;
}

/** A snapshot of a site for one definition, taken around a deployment or by hand. */
export const recoveryPoints = pgTable(
  'recovery_points',
  {
    id: text('id').primaryKey(),
    rolloutId: text('rollout_id'),
    siteId: text('site_id').notNull(),
    definitionId: text('definition_id').notNull(),
    kind: text('kind', { enum: RECOVERY_POINT_KINDS }).notNull(),
    /** The version the site ran at that moment. */
    version: text('version'),
    configSnapshot: jsonb('config_snapshot').$type<Record<string, unknown>>().notNull(),
    variableSnapshot: jsonb('variable_snapshot').$type<Record<string, unknown>>(),
    deploymentState: jsonb('deployment_state').$type<DeploymentState>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('recovery_points_rollout_idx').on(t.rolloutId, t.siteId),
    index('recovery_points_site_idx').on(t.siteId, t.createdAt),
    check('recovery_points_kind_ck', sql`${t.kind} in (${sqlList(RECOVERY_POINT_KINDS)})`),
  ],
);

export type SiteVersionRow = typeof siteVersions.$inferSelect;
export type RolloutRow = typeof rollouts.$inferSelect;
export type RolloutDeploymentRow = typeof rolloutDeployments.$inferSelect;
export type RecoveryPointRow = typeof recoveryPoints.$inferSelect;
