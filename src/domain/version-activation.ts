/**
 * A `version_activation` approval request, once approved, activates its version. The approval
 * workflow's final row write (activity `saveApprovalRequest`, retried until it succeeds) calls
 * this in the same transaction as the write, so the activation happens exactly when the approved
 * status is stored: once (the approval's id is unique among transitions), and even if the API
 * that asked is gone by then.
 */
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { transitionByApproval, VERSION_ACTIVATION } from '../db/repositories/version-transitions';
import { isWeftError } from '../graph/errors';
import { isPlainObject } from '../graph/json';
import { applyTransition, auditTransition } from './version-lifecycle';

/** What of the approval request row this needs. */
export interface ApprovedRequest {
  id: string;
  type: string;
  status: string;
  data: unknown;
  requestedBy: string | null;
}

/** Whether saving `request` may activate a version: an approved `version_activation` request. */
export function activatesVersion(request: Pick<ApprovedRequest, 'type' | 'status'>): boolean {
  return request.type === VERSION_ACTIVATION && request.status === 'approved';
}

/**
 * Activates the version an approved activation request names; anything else is left alone. A
 * version that can no longer be activated (archived, deleted meanwhile) is not an error to retry:
 * the refusal is audited and the request stays approved.
 */
export async function activateApprovedVersion(tx: WeftDb, request: ApprovedRequest): Promise<void> {
  if (!activatesVersion(request) || !isPlainObject(request.data)) return;
  const { definitionId, version, reason, throughPublished } = request.data;
  if (typeof definitionId !== 'string' || typeof version !== 'string') return;
  if (await transitionByApproval(tx, request.id)) return;
  const ctx = { actor: request.requestedBy ?? 'system' };
  const why = typeof reason === 'string' ? reason : null;
  try {
    // A savepoint: a refused activation must not abort the row write around it.
    await tx.transaction(async (sp) => {
      const out = await applyTransition(sp, {
        definitionId,
        version,
        to: 'active',
        actor: ctx.actor,
        reason: why,
        approvalRequestId: request.id,
        throughPublished: throughPublished === true,
      });
      if (out.transitions.length > 0) await auditTransition(sp, ctx, out, why);
    });
  } catch (err) {
    if (!isWeftError(err)) throw err;
    await appendAudit(tx, {
      ...ctx,
      action: 'version.activation_refused',
      resourceType: 'workflow',
      resourceId: definitionId,
      workflowId: definitionId,
      details: { version, approvalRequestId: request.id, code: err.code, message: err.message },
    });
  }
}
