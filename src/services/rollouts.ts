/**
 * Rollouts through the API (`000_*.txt` RolloutStrategyService): creation resolves the target
 * sites and the plan, takes the (workflow, site) locks and starts the rollout's workflow;
 * operator actions are the workflow's updates; reads join the rows with the live state.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../db/client';
import { getApprovalRequest, policyForType } from '../db/repositories/approvals';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import {
  getRollout,
  insertRollout,
  listDeployments,
  lockRolloutSites,
  pageRollouts,
  releaseRolloutSites,
  type RolloutFilter,
} from '../db/repositories/rollouts';
import { sitesWhere } from '../db/repositories/sites';
import { getActiveVersion } from '../db/repositories/versions';
import type { RolloutRow } from '../db/schema';
import { startRefusal } from '../domain/version-lifecycle';
import { WeftError } from '../graph/errors';
import { rolloutStateQuery, rolloutUpdates } from '../workflows/rollout/messages';
import type { rolloutWorkflow } from '../workflows/rollout/rollout';
import { TERMINAL_ROLLOUT_STATUSES, type RolloutAction, type RolloutInput, type RolloutLiveState, type RolloutPlan } from '../workflows/rollout/types';
import { rolloutDefinitionIdKey, rolloutStatusKey, rolloutVersionKey } from '../workflows/search-attributes';
import type { DefinitionService } from './definitions';
import { buildPlan, type CreateRolloutBody } from './rollout-config';
import { rolloutDetail, rolloutView, type RolloutDetail, type RolloutView } from './rollout-views';
import { updateRefusal } from './update-refusal';
import { WhatIfService, type WhatIfLink } from './what-if';

const QUERY_DEADLINE_MS = 3_000;

function rolloutNotFound(id: string): WeftError {
  return new WeftError('ROLLOUT_NOT_FOUND', `rollout ${id} does not exist`, { details: { rolloutId: id } });
}

function encodeCursor(row: RolloutRow): string {
  return Buffer.from(`rollout:${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const match = /^rollout:([^|]+)\|(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const at = match ? new Date(match[1] as string) : undefined;
  if (!match || !at || Number.isNaN(at.getTime())) {
    throw new WeftError('INVALID_REQUEST', 'the cursor is not one this API gave', {
      issues: [{ path: '/cursor', code: 'invalid_cursor', message: 'pass nextCursor from a previous page unchanged' }],
    });
  }
  return { at, id: match[2] as string };
}

export class RolloutService {
  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly definitions: DefinitionService,
    /** Events after which a rollout run continues as new; the workflow's default when undefined. */
    private readonly historyLimit?: number,
  ) {}

  private whatIfs: WhatIfService | undefined;
  /** What-ifs of rollout gates: created with the rollout, linked from it. */
  private get whatIf(): WhatIfService {
    return (this.whatIfs ??= new WhatIfService(this.db, this.temporal, this.taskQueue, this.definitions));
  }

  /**
   * Creates a rollout (pending, waiting for `start`) and its workflow.
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND, VERSION_DEPRECATED/ARCHIVED/NOT_PUBLISHED,
   *   VALIDATION_ERROR (sites, stages, schedule), ROLLOUT_CONFLICT (a site in another active
   *   rollout of the workflow), APPROVAL_NOT_FOUND, ROLLOUT_APPROVAL_INVALID
   */
  async create(body: CreateRolloutBody, ctx: AuditContext): Promise<RolloutView> {
    const version = await this.definitions.version(body.workflowId, body.version);
    const refusal = startRefusal(version);
    if (refusal) throw refusal;
    const targets = await this.targets(body);
    const id = `rollout-${randomUUID()}`;
    const plan = buildPlan(id, body, targets);
    const approvalPolicyId = await this.approvalGate(body.approvalRequestId);
    const baseline = (await getActiveVersion(this.db, body.workflowId))?.version ?? null;
    const siteIds = targets.map((t) => t.id);
    const whatIf = body.whatIf ? await this.whatIf.plan(body.workflowId, version.version, body.whatIf, '/whatIf') : undefined;
    const row = await this.db.transaction(async (tx) => {
      const created = await insertRollout(tx, {
        id,
        definitionId: body.workflowId,
        version: version.version,
        strategy: body.strategy,
        config: body.config as Record<string, unknown>,
        plan: plan as unknown as Record<string, unknown>,
        targetSites: siteIds,
        canarySites: plan.canarySites,
        status: 'pending',
        waitingFor: 'start',
        createdBy: ctx.actor,
        approvalRequestId: body.approvalRequestId ?? null,
      });
      const taken = await lockRolloutSites(tx, body.workflowId, siteIds, id);
      if (taken.length > 0) {
        throw new WeftError('ROLLOUT_CONFLICT', `sites ${taken.map((t) => t.siteId).join(', ')} are in another active rollout of workflow ${body.workflowId}`, {
          details: { sites: taken },
        });
      }
      await appendAudit(tx, {
        ...ctx,
        action: 'rollout.created',
        resourceType: 'rollout',
        resourceId: id,
        workflowId: body.workflowId,
        details: { version: version.version, strategy: body.strategy, sites: siteIds.length, canarySites: plan.canarySites },
        after: { status: 'pending', targetSites: siteIds },
      });
      if (whatIf) await this.whatIf.insert(tx, whatIf, ctx, id);
      return created;
    });
    const input: RolloutInput = {
      rolloutId: id,
      definitionId: body.workflowId,
      version: version.version,
      baselineVersion: baseline,
      actor: ctx.actor,
      plan,
      approvalPolicyId,
      ...(this.historyLimit !== undefined ? { historyLimit: this.historyLimit } : {}),
      ...(whatIf && body.whatIf
        ? { whatIf: { whatIfId: whatIf.id, maxChangedPercentage: body.whatIf.maxChangedPercentage, allowNowFails: body.whatIf.allowNowFails } }
        : {}),
    };
    await this.temporal.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
      workflowId: id,
      taskQueue: this.taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: rolloutDefinitionIdKey, value: body.workflowId },
        { key: rolloutVersionKey, value: version.version },
        { key: rolloutStatusKey, value: 'pending' },
      ],
      staticSummary: `rollout ${body.workflowId}@${version.version} (${body.strategy})`,
    });
    return rolloutView(row);
  }

  /** The target sites: the ids given (each must exist and be active), the active production sites of the regions, or of everywhere. */
  private async targets(body: CreateRolloutBody): Promise<Array<{ id: string; region: string }>> {
    const given = body.targetSites;
    if (Array.isArray(given)) {
      const ids = [...new Set(given)];
      const found = new Map((await sitesWhere(this.db, { ids })).map((s) => [s.id, s]));
      const issues = given.flatMap((id, i) => {
        const site = found.get(id);
        if (site?.isActive) return [];
        return [
          { path: `/targetSites/${i}`, code: site ? 'inactive_site' : 'not_found', message: site ? `site ${id} is inactive` : `site ${id} does not exist` },
        ];
      });
      if (issues.length) throw new WeftError('VALIDATION_ERROR', 'some target sites cannot take a rollout', { issues });
      return [...found.values()].map((s) => ({ id: s.id, region: s.region }));
    }
    const rows = await sitesWhere(this.db, { environment: 'production', ...(given ? { regions: given.regions } : {}) });
    if (rows.length === 0) {
      throw new WeftError('VALIDATION_ERROR', 'no active production site matches the rollout', {
        issues: [
          {
            path: '/targetSites',
            code: 'no_sites',
            message: given ? `no active production site in ${given.regions.join(', ')}` : 'there is no active production site',
          },
        ],
      });
    }
    return rows.map((s) => ({ id: s.id, region: s.region }));
  }

  /** The approval policy the rollout must pass, or null when a given approved request or no policy lets it go. */
  private async approvalGate(requestId: string | undefined): Promise<string | null> {
    if (requestId !== undefined) {
      const request = await getApprovalRequest(this.db, requestId);
      if (!request) throw new WeftError('APPROVAL_NOT_FOUND', `approval request ${requestId} does not exist`, { details: { requestId } });
      if (request.type !== 'rollout' || request.status !== 'approved') {
        throw new WeftError(
          'ROLLOUT_APPROVAL_INVALID',
          `approval request ${requestId} is a ${request.status} ${request.type} request; a rollout needs an approved rollout request`,
          {
            issues: [
              {
                path: '/approvalRequestId',
                code: 'not_approved',
                message: 'name an approved request of type rollout, or leave it out and the rollout asks for one',
              },
            ],
          },
        );
      }
      return null;
    }
    return (await policyForType(this.db, 'rollout'))?.id ?? null;
  }

  async list(filter: RolloutFilter, page: { limit: number; cursor?: string }): Promise<{ items: RolloutView[]; nextCursor: string | null }> {
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = await pageRollouts(this.db, filter, { ...(after ? { after } : {}), limit: page.limit + 1 });
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items: items.map(rolloutView), nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
  }

  /** @throws WeftError ROLLOUT_NOT_FOUND */
  async get(id: string): Promise<RolloutDetail & { whatIf?: WhatIfLink }> {
    const row = await getRollout(this.db, id);
    if (!row) throw rolloutNotFound(id);
    // The live state first, the rows after: rows are never older than the state they are shown with.
    const live = await this.live(id);
    const [fresh, deployments, analyses] = await Promise.all([getRollout(this.db, id), listDeployments(this.db, id), this.storedAnalyses(id)]);
    const detail = rolloutDetail(fresh ?? row, deployments, live, row.plan as unknown as RolloutPlan, analyses, new Date());
    // The report of its what-if gate, when it has one.
    const whatIf = await this.whatIf.ofRollout(id);
    return whatIf ? { ...detail, whatIf } : detail;
  }

  /**
   * An operator action: the workflow's update (its validator refuses with a code, nothing
   * changed). The workflow writes the action's audit record before it answers, so an accepted
   * action always has one and a refused one none. `rollback` of a rollout that already ended runs
   * a new workflow run that only takes its sites back.
   * @throws WeftError ROLLOUT_NOT_FOUND, ROLLOUT_FINISHED, ROLLOUT_NOT_PAUSED, ROLLOUT_NOT_WAITING,
   *   ROLLOUT_NOT_RUNNING, ROLLOUT_ALREADY_STARTED, ROLLOUT_AWAITS_PROMOTION, ROLLOUT_NOTHING_TO_RETRY
   */
  async act(id: string, action: RolloutAction, reason: string | undefined, ctx: AuditContext, sites?: string[]): Promise<RolloutDetail> {
    const row = await getRollout(this.db, id);
    if (!row) throw rolloutNotFound(id);
    const request = { requestId: ctx.requestId ?? null, clientIp: ctx.clientIp ?? null, userAgent: ctx.userAgent ?? null };
    const req = { by: ctx.actor, request, ...(reason !== undefined ? { reason } : {}), ...(sites !== undefined ? { sites } : {}) };
    if (TERMINAL_ROLLOUT_STATUSES.includes(row.status)) {
      if (action !== 'rollback' || row.status === 'rolled_back') throw new WeftError('ROLLOUT_FINISHED', `rollout ${id} is ${row.status}`);
      await this.rollbackEnded(row, { by: req.by, reason: reason ?? '', request, endedAs: row.status });
    } else {
      const handle = this.temporal.workflow.getHandle(id);
      try {
        await handle.executeUpdate(rolloutUpdates[action], { args: [req] });
      } catch (err) {
        const refusal = updateRefusal(err, 'ROLLOUT_FINISHED');
        if (refusal) throw refusal;
        if (err instanceof WorkflowNotFoundError) throw new WeftError('ROLLOUT_FINISHED', `rollout ${id} is not running`);
        throw err;
      }
    }
    return this.get(id);
  }

  /**
   * Takes the sites back after the rollout ended: their locks first (409 ROLLOUT_CONFLICT while
   * another rollout of the workflow holds one), released again when the rollback run ends.
   */
  private async rollbackEnded(row: RolloutRow, rollbackOnly: NonNullable<RolloutInput['rollbackOnly']>): Promise<void> {
    const touched = (await listDeployments(this.db, row.id)).filter((d) => d.status !== 'pending' && d.status !== 'rolled_back').map((d) => d.siteId);
    if (touched.length > 0) {
      await this.db.transaction(async (tx) => {
        // Locks this rollout holds already mean its rollback is under way: the start below says so.
        const others = (await lockRolloutSites(tx, row.definitionId, touched, row.id)).filter((t) => t.rolloutId !== row.id);
        if (others.length > 0) {
          throw new WeftError(
            'ROLLOUT_CONFLICT',
            `sites ${others.map((o) => o.siteId).join(', ')} are in rollout ${others[0]?.rolloutId}; roll back after it ends`,
            {
              details: { sites: others },
            },
          );
        }
      });
    }
    const input: RolloutInput = {
      rolloutId: row.id,
      definitionId: row.definitionId,
      version: row.version,
      baselineVersion: null,
      actor: row.createdBy,
      plan: row.plan as unknown as RolloutPlan,
      approvalPolicyId: null,
      rollbackOnly,
    };
    try {
      await this.temporal.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
        workflowId: row.id,
        taskQueue: this.taskQueue,
        args: [input],
        typedSearchAttributes: [
          { key: rolloutDefinitionIdKey, value: row.definitionId },
          { key: rolloutVersionKey, value: row.version },
          { key: rolloutStatusKey, value: row.status },
        ],
        staticSummary: `rollback of rollout ${row.id}`,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new WeftError('ROLLOUT_FINISHED', `rollout ${row.id} is being rolled back already`);
      await releaseRolloutSites(this.db, row.id);
      throw err;
    }
  }

  /** The workflow's state (also after it ended, while Temporal keeps its history); undefined when it cannot answer now. */
  private async live(id: string): Promise<RolloutLiveState | undefined> {
    try {
      const handle = this.temporal.workflow.getHandle(id);
      return await this.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(rolloutStateQuery));
    } catch {
      return undefined;
    }
  }

  /**
   * The analyses stored by the analysis activity in `rollout_analyses`, when this database has
   * that table; undefined otherwise (the workflow's own record of them is shown then).
   */
  private async storedAnalyses(id: string): Promise<unknown[] | undefined> {
    const [exists] = await executeRows<{ t: string | null }>(this.db, sql`select to_regclass('public.rollout_analyses')::text as t`);
    if (!exists?.t) return undefined;
    return executeRows(this.db, sql`select * from rollout_analyses where rollout_id = ${id} order by created_at`);
  }
}
