/**
 * The rollout workflow's I/O: deployments (domain/rollout-deployments.ts), its row, and the
 * maintenance windows of sites. Every activity is idempotent: the workflow may run it again.
 */
import { inArray, sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { getRollout, listDeployments, releaseRolloutSites, updateRollout } from '../db/repositories/rollouts';
import { sites, type RolloutStatus } from '../db/schema';
import { nextOpening, windowOpen, type Window } from '../domain/maintenance-windows';
import { beginDeployment, completeDeployment, failDeployment, rollbackDeployment, type DeploymentKey } from '../domain/rollout-deployments';
import type { SecretBox } from '../domain/secret-box';
import type { RolloutActionRecord, RunSiteHealthChecksResult } from '../shared/rollouts';

import { policyForType } from '../db/repositories/approvals';
import type { ApproverSpec } from '../domain/approver-resolution';
import { parseApprovalChain } from '../graph/approval-chain';
import { sendNotice, type SendNotification } from './notification/notice';

const TERMINAL: readonly RolloutStatus[] = ['completed', 'rolled_back', 'failed'];

/** What the workflow records of itself in its row. */
export interface RolloutRecord {
  rolloutId: string;
  status: RolloutStatus;
  waitingFor: string | null;
  failureReason: string | null;
  startedAt: string | null;
  approvalRequestId?: string;
}

/** Who hears of a rollout waiting at a gate: the approvers of the `rollout` approval policy, else whoever created it. */
function gateRecipients(policyChain: unknown, createdBy: string | undefined): ApproverSpec[] {
  if (policyChain) {
    const specs = parseApprovalChain(policyChain).steps.flatMap((s) => s.approvers.map((a) => ({ type: a.type, identifier: a.identifier }) as ApproverSpec));
    if (specs.length > 0) return specs;
  }
  return createdBy ? [{ type: 'user', identifier: createdBy }] : [];
}

export function createRolloutActivities(deps: { db: WeftDb; box: SecretBox; sendNotification: SendNotification }) {
  const { db, box } = deps;
  return {
    /**
     * Tells the rollout's approvers that it waits at a gate and why (an inconclusive canary must
     * never pass silently); the audit log records who was told and whether mail went out. A
     * notice that cannot be delivered does not stop the rollout: it waits for `promote` anyway.
     */
    async notifyRolloutApprovers(req: { rolloutId: string; gate: string; reason: string }): Promise<{ delivered: boolean; recipients: ApproverSpec[] }> {
      const rollout = await getRollout(db, req.rolloutId);
      const policy = await policyForType(db, 'rollout');
      const recipients = gateRecipients(policy?.chain, rollout?.createdBy);
      const { delivered, error } = await sendNotice(deps.sendNotification, {
        executionId: req.rolloutId,
        definitionId: rollout?.definitionId ?? 'rollout',
        nodeId: req.gate,
        iteration: 0,
        idempotencyKey: `${req.rolloutId}:notice:${req.gate}`,
        recipients,
        subject: `Rollout ${req.rolloutId} waits for promotion`,
        message: `Rollout ${req.rolloutId} of version ${rollout?.version ?? '?'} paused at its ${req.gate} gate: ${req.reason}. Promote, abort or roll it back.`,
      });
      await appendAudit(db, {
        actor: 'system',
        action: 'rollout.approvers_notified',
        resourceType: 'rollout',
        resourceId: req.rolloutId,
        workflowId: rollout?.definitionId ?? null,
        details: { gate: req.gate, reason: req.reason, recipients, delivered, ...(error ? { error } : {}) },
      });
      return { delivered, recipients };
    },

    /** Validates the site's configuration, records the pre_deployment point and points the site at the version. */
    deploySite: (k: DeploymentKey) => beginDeployment(db, box, k),

    /** Records the health checks' outcome and the post_deployment point. */
    completeSiteDeployment: (req: DeploymentKey & { health: RunSiteHealthChecksResult }) => {
      const { health, ...k } = req;
      return completeDeployment(db, k, health);
    },

    /** Marks a deployed site failed (unhealthy after the bake). */
    failSiteDeployment: (req: { rolloutId: string; siteId: string; definitionId: string; actor: string; error: string }) => failDeployment(db, req),

    /** The sites a rollout touched (for a rollback after it ended). */
    async rolloutTouchedSites(req: { rolloutId: string }): Promise<string[]> {
      return (await listDeployments(db, req.rolloutId)).filter((d) => d.status !== 'pending' && d.status !== 'rolled_back').map((d) => d.siteId);
    },

    /** Puts a site back as this rollout found it. */
    rollbackSite: (req: { rolloutId: string; siteId: string; definitionId: string; actor: string; reason: string }) => rollbackDeployment(db, req),

    /**
     * Writes the rollout's status to its row; on reaching an end it releases the rollout's site
     * locks and records the end in the audit log, once (the row's status changes once).
     */
    async recordRolloutState(r: RolloutRecord): Promise<void> {
      await db.transaction(async (tx) => {
        const before = await getRollout(tx, r.rolloutId);
        if (!before) return;
        const ends = TERMINAL.includes(r.status) && before.status !== r.status;
        await updateRollout(tx, r.rolloutId, {
          status: r.status,
          waitingFor: r.waitingFor,
          failureReason: r.failureReason,
          startedAt: r.startedAt ? new Date(r.startedAt) : before.startedAt,
          ...(ends ? { completedAt: new Date() } : {}),
          ...(r.approvalRequestId ? { approvalRequestId: r.approvalRequestId } : {}),
        });
        if (!ends) return;
        await releaseRolloutSites(tx, r.rolloutId);
        await appendAudit(tx, {
          actor: 'system',
          action: `rollout.${r.status}`,
          resourceType: 'rollout',
          resourceId: r.rolloutId,
          workflowId: before.definitionId,
          details: { version: before.version, ...(r.failureReason ? { reason: r.failureReason } : {}) },
          before: { status: before.status },
          after: { status: r.status },
        });
      });
    },

    /** The audit record of an accepted operator action, once per action id (a retry finds it written). */
    async recordRolloutAction(r: RolloutActionRecord): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${r.actionId}))`);
        const row = await getRollout(tx, r.rolloutId);
        if (!row) return;
        const written = await executeRows(
          tx,
          sql`select 1 from audit_log where resource_type = 'rollout' and resource_id = ${r.rolloutId} and details->>'actionId' = ${r.actionId} limit 1`,
        );
        if (written.length > 0) return;
        await appendAudit(tx, {
          actor: r.by,
          requestId: r.request?.requestId ?? null,
          clientIp: r.request?.clientIp ?? null,
          userAgent: r.request?.userAgent ?? null,
          action: `rollout.${r.action}`,
          resourceType: 'rollout',
          resourceId: r.rolloutId,
          workflowId: row.definitionId,
          details: { reason: r.reason, actionId: r.actionId, ...(r.sites ? { sites: r.sites } : {}) },
          before: r.before,
        });
      });
    },

    /** For each site: whether its maintenance window is open now in its time zone, and when it next opens. */
    async siteWindows(req: { siteIds: string[]; window: Window; at: string }): Promise<Array<{ siteId: string; open: boolean; opensInMs: number | null }>> {
      const at = new Date(req.at);
      const rows = req.siteIds.length ? await db.select({ id: sites.id, timeZone: sites.timeZone }).from(sites).where(inArray(sites.id, req.siteIds)) : [];
      const zones = new Map(rows.map((r) => [r.id, r.timeZone]));
      return req.siteIds.map((siteId) => {
        const zone = zones.get(siteId) ?? 'UTC';
        const open = windowOpen(req.window, zone, at);
        return { siteId, open, opensInMs: open ? 0 : nextOpening(req.window, zone, at) };
      });
    },
  };
}
