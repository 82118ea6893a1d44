/**
 * Recovery (RollbackRecoveryService of `000_*.txt`): manual recovery points, rollback plans
 * with ordered steps and an estimate, their execution as a workflow of its own, and the stats.
 * Every mutation is audited in its transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import {
  getPlan,
  getRecoveryPoint,
  getRollbackExecution,
  insertPlan,
  insertRecoveryPoint,
  insertRollbackExecution,
  listRecoveryPoints,
  recoveryTotals,
  siteVersionsOf,
  unfinishedExecutionOf,
  recentFinishedRollbacks,
} from '../db/repositories/recovery';
import { getSite } from '../db/repositories/sites';
import { getActiveVersion } from '../db/repositories/versions';
import type { RecoveryPointRow, RollbackExecutionRow, RollbackPlanRow } from '../db/schema';
import { buildRollbackSteps, durationsOf, estimatesFrom } from '../domain/rollback-plan';
import { WeftError, type ValidationIssue } from '../graph/errors';
import type { RollbackWorkflowInput } from '../shared/rollback';
import type { rollbackWorkflow } from '../workflows/rollback/workflow';
import type { DefinitionService } from './definitions';
import type { SiteConfigService } from './site-config';

export interface ManualPointInput {
  workflowId: string;
  siteId: string;
  description?: string;
  variableSnapshot?: Record<string, unknown>;
}

export interface PlanInput {
  rolloutId: string;
  recoveryPointId: string;
  reason: string;
  targetVersion: string;
  affectedSites: string[];
}

/** Rollback executions whose step durations estimate a new plan's (the latest finished ones). */
const MEASURED_RUNS = 100;

const notFound = (code: string, what: string, id: string) => new WeftError(code, `${what} ${id} does not exist`, { details: { id } });

export class RecoveryService {
  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly definitions: DefinitionService,
    private readonly siteConfig: SiteConfigService,
  ) {}

  /**
   * A manual recovery point of one site for a rollout: the version the site runs (its
   * site_versions row, else the workflow's active version), its effective configuration (secrets
   * masked) and the deployment state.
   * @throws WeftError WORKFLOW_NOT_FOUND, SITE_NOT_FOUND, NO_ACTIVE_VERSION
   */
  async createManualPoint(rolloutId: string, input: ManualPointInput, ctx: AuditContext): Promise<RecoveryPointRow> {
    await this.definitions.require(input.workflowId);
    const config = await this.siteConfig.effective(input.siteId);
    const pinned = (await siteVersionsOf(this.db, input.workflowId, [input.siteId]))[input.siteId] ?? null;
    const active = (await getActiveVersion(this.db, input.workflowId))?.version ?? null;
    const version = pinned ?? active;
    if (!version) throw new WeftError('NO_ACTIVE_VERSION', `workflow ${input.workflowId} has no active version and site ${input.siteId} runs none`);
    const configSnapshot = Object.fromEntries(config.items.filter((i) => i.isSet).map((i) => [i.key, { value: i.value, scope: i.scope, source: i.source }]));
    return this.db.transaction(async (tx) => {
      const row = await insertRecoveryPoint(tx, {
        id: `rp-${randomUUID()}`,
        rolloutId,
        siteId: input.siteId,
        definitionId: input.workflowId,
        kind: 'manual',
        version,
        configSnapshot,
        variableSnapshot: input.variableSnapshot ?? null,
        deploymentState: { siteVersion: pinned, activeVersion: active, chain: config.chain, description: input.description ?? null },
        createdBy: ctx.actor,
      });
      await appendAudit(tx, {
        ...ctx,
        action: 'recovery_point.created',
        resourceType: 'recovery_point',
        resourceId: row.id,
        workflowId: input.workflowId,
        after: row,
      });
      return row;
    });
  }

  async listPoints(rolloutId: string, limit: number): Promise<{ items: RecoveryPointRow[] }> {
    return { items: await listRecoveryPoints(this.db, rolloutId, limit) };
  }

  /**
   * A plan to point `affectedSites` back at `targetVersion` of the recovery point's workflow.
   * @throws WeftError RECOVERY_POINT_NOT_FOUND, VALIDATION_ERROR (point of another rollout, unknown sites), VERSION_NOT_FOUND
   */
  async createPlan(input: PlanInput, ctx: AuditContext): Promise<RollbackPlanRow> {
    const point = await getRecoveryPoint(this.db, input.recoveryPointId);
    if (!point) throw notFound('RECOVERY_POINT_NOT_FOUND', 'recovery point', input.recoveryPointId);
    const issues: ValidationIssue[] = [];
    if (point.rolloutId !== input.rolloutId) {
      issues.push({ path: '/recoveryPointId', code: 'other_rollout', message: `recovery point ${point.id} belongs to rollout ${point.rolloutId}` });
    }
    for (const [i, siteId] of input.affectedSites.entries()) {
      if (!(await getSite(this.db, siteId))) issues.push({ path: `/affectedSites/${i}`, code: 'not_found', message: `site ${siteId} does not exist` });
    }
    if (issues.length > 0) throw new WeftError('VALIDATION_ERROR', 'the rollback plan does not fit', { issues });
    await this.definitions.version(point.definitionId, input.targetVersion);
    const { steps, estimatedDurationMs } = buildRollbackSteps(
      input.affectedSites,
      estimatesFrom(durationsOf(await recentFinishedRollbacks(this.db, MEASURED_RUNS))),
    );
    return this.db.transaction(async (tx) => {
      const row = await insertPlan(tx, {
        id: `rbp-${randomUUID()}`,
        rolloutId: input.rolloutId,
        recoveryPointId: point.id,
        definitionId: point.definitionId,
        reason: input.reason,
        targetVersion: input.targetVersion,
        affectedSites: input.affectedSites,
        steps,
        estimatedDurationMs,
        initiatedBy: ctx.actor,
      });
      await appendAudit(tx, {
        ...ctx,
        action: 'rollback_plan.created',
        resourceType: 'rollback_plan',
        resourceId: row.id,
        workflowId: point.definitionId,
        after: row,
      });
      return row;
    });
  }

  /** @throws WeftError ROLLBACK_PLAN_NOT_FOUND */
  async plan(id: string): Promise<RollbackPlanRow> {
    const row = await getPlan(this.db, id);
    if (!row) throw notFound('ROLLBACK_PLAN_NOT_FOUND', 'rollback plan', id);
    return row;
  }

  /**
   * Starts the plan's execution as a rollback workflow (id = execution id). The workflow starts
   * inside the transaction that stores the execution: a start Temporal refuses leaves no row.
   * @throws WeftError ROLLBACK_PLAN_NOT_FOUND, ROLLBACK_IN_PROGRESS
   */
  async execute(planId: string, ctx: AuditContext): Promise<RollbackExecutionRow> {
    return this.db.transaction(async (tx) => {
      const plan = await getPlan(tx, planId, { forUpdate: true });
      if (!plan) throw notFound('ROLLBACK_PLAN_NOT_FOUND', 'rollback plan', planId);
      const running = await unfinishedExecutionOf(tx, planId);
      if (running)
        throw new WeftError('ROLLBACK_IN_PROGRESS', `rollback plan ${planId} is being executed (${running.id})`, { details: { executionId: running.id } });
      const id = `rbx-${randomUUID()}`;
      const pending = { status: 'pending' as const };
      const row = await insertRollbackExecution(tx, {
        id,
        planId,
        status: 'pending',
        steps: Object.fromEntries(plan.steps.map((s) => [String(s.stepNumber), pending])),
        sites: Object.fromEntries(plan.affectedSites.map((s) => [s, pending])),
        executedBy: ctx.actor,
      });
      await appendAudit(tx, {
        ...ctx,
        action: 'rollback.started',
        resourceType: 'rollback_execution',
        resourceId: id,
        workflowId: plan.definitionId,
        details: { planId, reason: plan.reason },
      });
      const args: RollbackWorkflowInput = {
        executionId: id,
        planId,
        rolloutId: plan.rolloutId,
        recoveryPointId: plan.recoveryPointId,
        definitionId: plan.definitionId,
        targetVersion: plan.targetVersion,
        steps: plan.steps,
      };
      await this.temporal.workflow.start<typeof rollbackWorkflow>('rollbackWorkflow', {
        workflowId: id,
        taskQueue: this.taskQueue,
        args: [args],
        staticSummary: `rollback of ${plan.definitionId} to ${plan.targetVersion} (${plan.affectedSites.length} sites)`,
      });
      return row;
    });
  }

  /** @throws WeftError ROLLBACK_EXECUTION_NOT_FOUND */
  async execution(id: string): Promise<RollbackExecutionRow & { plan: RollbackPlanRow | undefined }> {
    const row = await getRollbackExecution(this.db, id);
    if (!row) throw notFound('ROLLBACK_EXECUTION_NOT_FOUND', 'rollback execution', id);
    return { ...row, plan: await getPlan(this.db, row.planId) };
  }

  async stats() {
    const totals = await recoveryTotals(this.db);
    const n = (s: string) => totals.byStatus[s] ?? 0;
    return {
      totalRecoveryPoints: totals.recoveryPoints,
      totalRollbacks: Object.values(totals.byStatus).reduce((a, b) => a + b, 0),
      successfulRollbacks: n('success'),
      failedRollbacks: n('failed'),
      partialRollbacks: n('partial'),
      pendingRollbacks: n('pending') + n('in_progress'),
      averageRollbackDurationMs: totals.averageDurationMs === null ? null : Math.round(totals.averageDurationMs),
    };
  }
}
