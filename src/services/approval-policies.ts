import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
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
    actor: string,
  ): Promise<PolicyView> {
    const chain = parseApprovalChain(body.chain, ['chain']);
    const row = await insertApprovalPolicy(this.db, {
      id: body.id ?? `policy-${randomUUID()}`,
      name: body.name,
      description: body.description ?? null,
      requestType: body.requestType ?? null,
      chain: chain as unknown as Record<string, unknown>,
      enabled: body.enabled ?? true,
      priority: body.priority ?? 0,
      createdBy: actor,
    });
    if (!row) throw new WeftError('APPROVAL_POLICY_CONFLICT', `approval policy ${body.id ?? ''} exists already`);
    await appendAudit(this.db, { actor, action: 'approval_policy.created', resourceType: 'approval_policy', resourceId: row.id });
    return row;
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
    actor: string,
  ): Promise<PolicyView> {
    const chain = patch.chain === undefined ? undefined : (parseApprovalChain(patch.chain, ['chain']) as unknown as Record<string, unknown>);
    const { chain: _raw, ...rest } = patch;
    const row = await updateApprovalPolicy(this.db, id, { ...rest, ...(chain ? { chain } : {}) });
    if (!row) throw policyNotFound(id);
    await appendAudit(this.db, {
      actor,
      action: 'approval_policy.updated',
      resourceType: 'approval_policy',
      resourceId: id,
      details: { fields: Object.keys(patch) },
    });
    return row;
  }

  async deletePolicy(id: string, actor: string): Promise<void> {
    if (!(await deleteApprovalPolicy(this.db, id))) throw policyNotFound(id);
    await appendAudit(this.db, { actor, action: 'approval_policy.deleted', resourceType: 'approval_policy', resourceId: id });
  }
}
