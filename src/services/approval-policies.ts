import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { deleteApprovalPolicy, getApprovalPolicy, insertApprovalPolicy, listApprovalPolicies, updateApprovalPolicy } from '../db/repositories/approvals';
import type { ApprovalPolicyRow } from '../db/schema';
import { parseApprovalChain } from '../graph/approval-chain';
import { WeftError } from '../graph/errors';

/** A policy as the API shows it. */
export type PolicyView = ApprovalPolicyRow;

export function policyNotFound(id: string): WeftError {
  return new WeftError('APPROVAL_POLICY_NOT_FOUND', `approval policy ${id} does not exist`, { details: { policyId: id } });
}

/** Approval policies: the named chains approval requests run by request type (validated with paths). */
export class ApprovalPolicyService {
  constructor(private readonly db: WeftDb) {}

  /**
   * @throws WeftError VALIDATION_ERROR (paths under `/chain`), APPROVAL_POLICY_CONFLICT
   */
  async createPolicy(
    body: { id?: string; name: string; description?: string; requestType?: string; chain: unknown; enabled?: boolean; priority?: number },
    ctx: AuditContext,
  ): Promise<PolicyView> {
    const chain = parseApprovalChain(body.chain, ['chain']);
    return this.db.transaction(async (tx) => {
      const row = await insertApprovalPolicy(tx, {
        id: body.id ?? `policy-${randomUUID()}`,
        name: body.name,
        description: body.description ?? null,
        requestType: body.requestType ?? null,
        chain: chain as unknown as Record<string, unknown>,
        enabled: body.enabled ?? true,
        priority: body.priority ?? 0,
        createdBy: ctx.actor,
      });
      if (!row) throw new WeftError('APPROVAL_POLICY_CONFLICT', `approval policy ${body.id ?? ''} exists already`);
      await appendAudit(tx, { ...ctx, action: 'approval_policy.created', resourceType: 'approval_policy', resourceId: row.id, after: row });
      return row;
    });
  }

  listPolicies(filter: { requestType?: string }): Promise<PolicyView[]> {
    return listApprovalPolicies(this.db, filter);
  }

  async getPolicy(id: string): Promise<PolicyView> {
    const row = await getApprovalPolicy(this.db, id);
    if (!row) throw policyNotFound(id);
    return row;
  }

  /** Running requests keep the chain they started with. @throws WeftError APPROVAL_POLICY_NOT_FOUND, VALIDATION_ERROR */
  async updatePolicy(
    id: string,
    patch: { name?: string; description?: string | null; requestType?: string | null; chain?: unknown; enabled?: boolean; priority?: number },
    ctx: AuditContext,
  ): Promise<PolicyView> {
    const chain = patch.chain === undefined ? undefined : (parseApprovalChain(patch.chain, ['chain']) as unknown as Record<string, unknown>);
    const { chain: _raw, ...rest } = patch;
    return this.db.transaction(async (tx) => {
      const before = await getApprovalPolicy(tx, id);
      const row = await updateApprovalPolicy(tx, id, { ...rest, ...(chain ? { chain } : {}) });
      if (!before || !row) throw policyNotFound(id);
      await appendAudit(tx, {
        ...ctx,
        action: 'approval_policy.updated',
        resourceType: 'approval_policy',
        resourceId: id,
        details: { fields: Object.keys(patch) },
        before,
        after: row,
      });
      return row;
    });
  }

  async deletePolicy(id: string, ctx: AuditContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await getApprovalPolicy(tx, id);
      if (!before || !(await deleteApprovalPolicy(tx, id))) throw policyNotFound(id);
      await appendAudit(tx, { ...ctx, action: 'approval_policy.deleted', resourceType: 'approval_policy', resourceId: id, before });
    });
  }
}
