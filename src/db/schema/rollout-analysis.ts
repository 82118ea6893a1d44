/**
 * Gates and recovery of rollouts (issue 16, RollbackRecoveryService of `000_*.txt`): analysis
 * runs, site health checks and their configuration, rollback plans and their executions
 * (recovery points and which version a site runs are rollouts.ts). Rows are written by activities and services for
 * listing and audit; a rollback's durable state lives in its Temporal workflow.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, doublePrecision, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';
import { sites } from './sites';

export const ANALYSIS_VERDICTS = ['pass', 'fail', 'inconclusive'] as const;
export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy'] as const;
/** A rollback execution, one of its steps, or one site in it. */
export const ROLLBACK_STATUSES = ['pending', 'in_progress', 'success', 'failed', 'partial'] as const;
export type RollbackStatus = (typeof ROLLBACK_STATUSES)[number];

/** One analysis run of a rollout: what was measured, against which thresholds, and the verdict. */
export const rolloutAnalyses = pgTable(
  'rollout_analyses',
  {
    /** The analysis id the rollout workflow chose: a retried activity finds its row. */
    id: text('id').primaryKey(),
    rolloutId: text('rollout_id').notNull(),
    definitionId: text('definition_id').notNull(),
    version: text('version').notNull(),
    baselineVersion: text('baseline_version'),
    canarySites: jsonb('canary_sites').$type<string[]>().notNull(),
    baselineSites: jsonb('baseline_sites').$type<string[]>().notNull(),
    measured: jsonb('measured').$type<Record<string, unknown>>().notNull(),
    thresholds: jsonb('thresholds').$type<Record<string, unknown>>().notNull(),
    verdict: text('verdict', { enum: ANALYSIS_VERDICTS }).notNull(),
    pValue: doublePrecision('p_value'),
    reasons: jsonb('reasons').$type<string[]>().notNull(),
    windowFrom: timestamp('window_from', tz).notNull(),
    windowTo: timestamp('window_to', tz).notNull(),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('rollout_analyses_rollout_idx').on(t.rolloutId, t.createdAt),
    check('rollout_analyses_verdict_ck', sql`${t.verdict} in (${sqlList(ANALYSIS_VERDICTS)})`),
  ],
);

/** Which checks a site's health check runs (docs/rollouts.md, "Health checks"). */
export interface HealthCheckConfig {
  /** The site's recent error rate for the workflow being checked. */
  errorRate?: { windowSeconds: number; minSampleSize: number; degradedAbovePercentage: number; unhealthyAbovePercentage: number };
  /** A GET through the outbound address guard; any other status than `expectStatus` fails. */
  httpProbe?: { url: string; expectStatus: number; timeoutMs: number; degradedAboveMs?: number };
  /** A dry run of the version in simulation mode with this input; it must complete. */
  smoke?: { input: unknown; outputs?: Record<string, unknown> };
}

/** A site's health check configuration; a site without one has no checks and counts as healthy. */
export const siteHealthCheckConfigs = pgTable('site_health_check_configs', {
  siteId: text('site_id')
    .primaryKey()
    .references(() => sites.id, { onDelete: 'cascade' }),
  checks: jsonb('checks').$type<HealthCheckConfig>().notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
});

/** One health check run at a site. */
export const siteHealthChecks = pgTable(
  'site_health_checks',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull(),
    rolloutId: text('rollout_id'),
    definitionId: text('definition_id').notNull(),
    version: text('version').notNull(),
    status: text('status', { enum: HEALTH_STATUSES }).notNull(),
    checks: jsonb('checks').$type<Array<{ name: string; status: string; durationMs: number; detail?: string }>>().notNull(),
    failureCount: integer('failure_count').notNull(),
    warningCount: integer('warning_count').notNull(),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('site_health_checks_site_idx').on(t.siteId, t.createdAt),
    check('site_health_checks_status_ck', sql`${t.status} in (${sqlList(HEALTH_STATUSES)})`),
  ],
);

/** One step of a rollback plan, as the seed's RollbackPlan names it. */
export interface RollbackStep {
  stepNumber: number;
  /** `verify_recovery_point`, `revert_sites` or `verify_site_versions`. */
  action: string;
  siteIds: string[];
  estimatedTimeMs: number;
  /** Steps that must succeed first. */
  dependencies: number[];
}

export const rollbackPlans = pgTable(
  'rollback_plans',
  {
    id: text('id').primaryKey(),
    rolloutId: text('rollout_id').notNull(),
    recoveryPointId: text('recovery_point_id').notNull(),
    definitionId: text('definition_id').notNull(),
    reason: text('reason').notNull(),
    targetVersion: text('target_version').notNull(),
    affectedSites: jsonb('affected_sites').$type<string[]>().notNull(),
    steps: jsonb('steps').$type<RollbackStep[]>().notNull(),
    estimatedDurationMs: bigint('estimated_duration_ms', { mode: 'number' }).notNull(),
    initiatedBy: text('initiated_by').notNull(),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
  },
  (t) => [index('rollback_plans_rollout_idx').on(t.rolloutId)],
);

/** A step's or a site's progress inside a rollback execution. */
export interface RollbackProgress {
  status: RollbackStatus;
  startedAt?: string;
  completedAt?: string;
  error?: string;
  result?: Record<string, unknown>;
}

/** One run of a plan; `revision` orders the workflow's progress writes (an older one never overwrites a newer). */
export const rollbackExecutions = pgTable(
  'rollback_executions',
  {
    id: text('id').primaryKey(),
    planId: text('plan_id')
      .notNull()
      .references(() => rollbackPlans.id),
    status: text('status', { enum: ROLLBACK_STATUSES }).notNull().default('pending'),
    steps: jsonb('steps').$type<Record<string, RollbackProgress>>().notNull(),
    sites: jsonb('sites').$type<Record<string, RollbackProgress>>().notNull(),
    revision: integer('revision').notNull().default(0),
    executedBy: text('executed_by').notNull(),
    startedAt: timestamp('started_at', tz).notNull().defaultNow(),
    completedAt: timestamp('completed_at', tz),
    durationMs: bigint('duration_ms', { mode: 'number' }),
  },
  (t) => [index('rollback_executions_plan_idx').on(t.planId), check('rollback_executions_status_ck', sql`${t.status} in (${sqlList(ROLLBACK_STATUSES)})`)],
);

export type RolloutAnalysisRow = typeof rolloutAnalyses.$inferSelect;
export type SiteHealthCheckRow = typeof siteHealthChecks.$inferSelect;
export type RollbackPlanRow = typeof rollbackPlans.$inferSelect;
export type RollbackExecutionRow = typeof rollbackExecutions.$inferSelect;
