/**
 * Configuration changes to a production site that wait for a `config_change` approval: the
 * change is stored (secrets sealed) with the ETag each value had when it was asked for, and an
 * approval request runs the policy's chain. When the approval workflow records its outcome, the
 * change is applied or discarded in that same transaction (src/domain/config-changes.ts).
 */
import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getValue } from '../db/repositories/config';
import { insertChange, linkChangeToRequest, settleChange } from '../db/repositories/config-history';
import type { PendingConfigChange, SiteRow } from '../db/schema';
import { ABSENT_ETAG, preconditionHolds, SECRET_MASK, type ValueChange } from '../domain/config-changes';
import { WeftError } from '../graph/errors';
import type { ApprovalService } from './approvals';

/** What a gated write answers (202). */
export interface PendingView {
  status: 'pending_approval';
  changeId: string;
  approvalRequestId: string;
}

export class ConfigApprovals {
  constructor(
    private readonly db: WeftDb,
    private readonly approvals: ApprovalService,
  ) {}

  /**
   * Stores `changes` as pending and starts their approval request.
   * @throws WeftError PRECONDITION_FAILED when an If-Match does not hold already now
   */
  async request(site: SiteRow, changes: ValueChange[], reason: string | null, ctx: AuditContext): Promise<PendingView> {
    const pending: PendingConfigChange[] = [];
    for (const c of changes) {
      const stored = await getValue(this.db, c.scope, c.scopeId, c.key);
      if (!preconditionHolds(stored, c.expect)) {
        throw new WeftError('PRECONDITION_FAILED', `${c.key} at site ${site.id} changed since it was read (If-Match does not match); read it again`, {
          details: { key: c.key, scope: c.scope, scopeId: c.scopeId, currentEtag: stored?.etag ?? ABSENT_ETAG },
        });
      }
      const secret = (c.sealed ?? null) !== null || (c.op === 'delete' && (stored?.sealed ?? null) !== null);
      pending.push({
        scope: c.scope,
        scopeId: c.scopeId,
        key: c.key,
        op: c.op,
        secret,
        baseEtag: stored?.etag ?? ABSENT_ETAG,
        ...(c.sealed ? { sealed: c.sealed } : c.op === 'set' ? { value: c.value } : {}),
      });
    }
    const changeId = `cfgchg-${randomUUID()}`;
    await insertChange(this.db, { id: changeId, approvalRequestId: null, siteId: site.id, changes: pending, reason, requestedBy: ctx.actor });
    const shown = pending.map((p) => ({ scope: p.scope, scopeId: p.scopeId, key: p.key, op: p.op, value: p.secret ? SECRET_MASK : (p.value ?? null) }));
    let approvalRequestId: string;
    try {
      const request = await this.approvals.createRequest(
        {
          type: 'config_change',
          title: `Configuration of ${site.id}: ${pending.map((p) => p.key).join(', ')}`,
          ...(reason ? { description: reason } : {}),
          data: { changeId, siteId: site.id, changes: shown, reason },
        },
        ctx,
      );
      approvalRequestId = request.id;
    } catch (err) {
      await settleChange(this.db, changeId, 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
    await this.db.transaction(async (tx) => {
      await linkChangeToRequest(tx, changeId, approvalRequestId);
      await appendAudit(tx, {
        ...ctx,
        action: 'config.change_requested',
        resourceType: 'config_change',
        resourceId: changeId,
        details: { siteId: site.id, approvalRequestId, reason, changes: shown },
      });
    });
    return { status: 'pending_approval', changeId, approvalRequestId };
  }
}
