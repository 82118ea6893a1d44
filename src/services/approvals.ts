import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Principal } from '../auth/tokens';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getExecution } from '../db/repositories/executions';
import {
  approvalStats,
  decisionAudited,
  decisionKey,
  getApprovalPolicy,
  getApprovalRequest,
  insertApprovalRequestIfAbsent,
  listAwayUsers,
  listApprovalDecisions,
  listApprovalRequests,
  pendingApprovalsFor,
  policyForType,
} from '../db/repositories/approvals';
import type { ApprovalDecisionRow, ApprovalRequestRow, ApprovalStatus } from '../db/schema';
import { parseApprovalChain, type ApprovalChain } from '../graph/approval-chain';
import { WeftError } from '../graph/errors';
import { ApprovalMessages } from './approval-messages';
import { policyNotFound } from './approval-policies';
import { requestView, type RequestView } from './approval-views';
import { cancelApprovalUpdate, decideUpdate, resubmitUpdate } from '../workflows/approval-types';
import type { ApprovalInput, DecideRequest, DecideResult, DecisionAction } from '../shared/approvals';
import type { approvalWorkflow } from '../workflows/approval';
import { decider } from '../domain/delegation';
import type { DirectoryService } from '../domain/directory';
import { pageFromRows, timedKey, timedPosition, type CursorPage } from '../domain/pages';

/** The body of a decision call. */
export interface DecisionBody {
  comments?: string;
  stepId?: string;
  delegateTo?: string;
}

function requestNotFound(id: string): WeftError {
  return new WeftError('APPROVAL_NOT_FOUND', `approval request ${id} does not exist`, { details: { requestId: id } });
}

/**
 * Delegation chains may run through users who are present (the chain ends there): the `decider`
 * walk only needs to know they are not away, which this stub says.
 */
function presentStub(id: string): { id: string; active: boolean; delegateTo: string | null; awayUntil: Date | null } {
  return { id, active: true, delegateTo: null, awayUntil: null };
}

function canManage(principal: Principal): boolean {
  return principal.roles.includes('admin') || principal.roles.includes('manager');
}

/**
 * Approvals (`000_*.txt` ApprovalWorkflowService on Temporal): requests, decisions, the inbox and
 * stats (policies: approval-policies.ts). Each request is an `approvalWorkflow`; decisions go to it as the
 * `decide` update, whose validator is the one judge of who may decide what.
 */
export class ApprovalService {
  private readonly messages: ApprovalMessages;

  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly directory: DirectoryService,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.messages = new ApprovalMessages(temporal);
  }

  // --- requests ---------------------------------------------------------------------------

  /**
   * Starts an approval request outside any graph, with the named policy or the enabled policy
   * of highest priority for its type (or an inline chain).
   * @throws WeftError APPROVAL_POLICY_NOT_FOUND, VALIDATION_ERROR (`/type` without a policy, `/chain/...`)
   */
  async createRequest(
    body: { type: string; title: string; description?: string; data?: unknown; policyId?: string; chain?: unknown },
    ctx: AuditContext,
  ): Promise<RequestView> {
    const actor = ctx.actor;
    let chain: ApprovalChain;
    let policyId: string | null = null;
    if (body.chain !== undefined) {
      chain = parseApprovalChain(body.chain, ['chain']);
    } else {
      const policy = body.policyId ? await getApprovalPolicy(this.db, body.policyId) : await policyForType(this.db, body.type);
      if (!policy && body.policyId) throw policyNotFound(body.policyId);
      if (!policy) {
        throw new WeftError('VALIDATION_ERROR', `no enabled approval policy for request type ${body.type}`, {
          issues: [{ path: '/type', code: 'no_policy', message: `no enabled approval policy for type ${body.type}; name a policyId or give a chain` }],
        });
      }
      chain = parseApprovalChain(policy.chain, ['chain']);
      policyId = policy.id;
    }
    const id = `apr-${randomUUID()}`;
    const input: ApprovalInput = {
      requestId: id,
      type: body.type,
      title: body.title,
      description: body.description ?? null,
      data: body.data ?? null,
      requestedBy: actor,
      chain,
      policyId,
    };
    const requestedAt = this.clock();
    await this.temporal.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
      workflowId: id,
      taskQueue: this.taskQueue,
      args: [input],
      staticSummary: `approval: ${body.title}`,
    });
    // The workflow writes the row too; whichever comes first, the other changes nothing.
    await this.db.transaction(async (tx) => {
      await insertApprovalRequestIfAbsent(tx, {
        id,
        type: body.type,
        status: 'pending',
        title: body.title,
        description: body.description ?? null,
        data: body.data ?? null,
        requestedBy: actor,
        policyId,
        chain: chain as unknown as Record<string, unknown>,
        currentStep: null,
        round: 1,
        pendingApprovers: [],
        executionId: null,
        nodeId: null,
        escalatedAt: null,
        requestedAt,
        completedAt: null,
        reason: null,
      });
      await appendAudit(tx, {
        ...ctx,
        action: 'approval.requested',
        resourceType: 'approval_request',
        resourceId: id,
        details: { type: body.type, policyId },
        after: { type: body.type, title: body.title, policyId, status: 'pending' },
      });
    });
    return this.getRequest(id);
  }

  /** Requests newest first, a cursor page (or at `offset`). @throws WeftError INVALID_REQUEST for a foreign cursor */
  async listRequests(q: {
    status?: ApprovalStatus;
    type?: string;
    limit: number;
    offset?: number;
    cursor?: string;
  }): Promise<CursorPage<RequestView> & { total: number }> {
    const after = timedPosition('approval-requests', q.cursor);
    const rows = await listApprovalRequests(this.db, { ...q, limit: q.limit + 1, ...(after ? { after } : {}) });
    const page = pageFromRows(
      rows.items,
      q.limit,
      'approval-requests',
      timedKey(
        (r) => r.requestedAt,
        (r) => r.id,
      ),
    );
    return { items: await this.withDecisions(page.items), nextCursor: page.nextCursor, total: rows.total };
  }

  /** The request; while it runs, the workflow's own state (steps, pending approvers, refused signals). @throws WeftError APPROVAL_NOT_FOUND */
  async getRequest(id: string): Promise<RequestView> {
    const row = await getApprovalRequest(this.db, id);
    if (!row) throw requestNotFound(id);
    const [view] = await this.withDecisions([row]);
    const result = view as RequestView;
    if (row.status === 'pending' || row.status === 'changes_requested') {
      const live = await this.messages.liveState(id);
      if (live) {
        Object.assign(result, {
          status: live.status,
          currentStep: live.currentStep,
          currentStepId: live.currentStepId,
          round: live.round,
          pendingApprovers: live.pendingApprovers,
          escalated: live.escalatedAt !== null,
          escalatedAt: live.escalatedAt,
          reason: live.reason,
          data: live.data,
          decisions: live.decisions.map(({ requestId: _r, ...d }) => d),
          live: { steps: live.steps, refused: live.refused, events: live.events },
        });
      }
    }
    return result;
  }

  /** The approval requests of a graph execution (its APPROVAL nodes), oldest first. */
  async forInstance(executionId: string): Promise<{ items: RequestView[] }> {
    const page = await listApprovalRequests(this.db, { executionId, limit: 1000, offset: 0 });
    return { items: (await this.withDecisions(page.items)).reverse() };
  }

  /** Withdraws a request: the requester, a manager or an admin. @throws WeftError APPROVAL_NOT_FOUND, PERMISSION_DENIED, APPROVAL_NOT_PENDING */
  async cancel(id: string, principal: Principal, reason: string | undefined, ctx: AuditContext): Promise<RequestView> {
    const row = await getApprovalRequest(this.db, id);
    if (!row) throw requestNotFound(id);
    if (row.requestedBy !== principal.sub && !canManage(principal))
      throw new WeftError('PERMISSION_DENIED', 'only the requester, a manager or an admin may cancel');
    await this.messages.send(id, () => this.temporal.workflow.getHandle(id).executeUpdate(cancelApprovalUpdate, { args: [{ userId: principal.sub, reason }] }));
    await this.audit(ctx, row, 'approval.cancelled', { reason: reason ?? null });
    await this.waitForRow(id, (r) => r.status !== 'pending' && r.status !== 'changes_requested');
    return this.getRequest(id);
  }

  /** The requester answers `changes_requested`: a new round from the first step. */
  async resubmit(
    id: string,
    principal: Principal,
    body: { data?: unknown; comments?: string },
    ctx: AuditContext,
  ): Promise<{ id: string; round: number; status: ApprovalStatus }> {
    const row = await getApprovalRequest(this.db, id);
    if (!row) throw requestNotFound(id);
    const out = await this.messages.send(id, () =>
      this.temporal.workflow.getHandle(id).executeUpdate(resubmitUpdate, { args: [{ userId: principal.sub, data: body.data, comments: body.comments }] }),
    );
    await this.audit(ctx, row, 'approval.resubmitted', { round: out.round });
    return { id, ...out };
  }

  /**
   * A decision by the caller (the token's subject). When the caller is not a current approver
   * themself, the directory says whether they stand in for one who is away now.
   * @throws WeftError with the workflow's code: NOT_AN_APPROVER, SELF_APPROVAL, ALREADY_DECIDED,
   *   STEP_NOT_OPEN, APPROVAL_NOT_PENDING, COMMENTS_REQUIRED; INVALID_DELEGATION; APPROVAL_NOT_FOUND
   */
  async decide(id: string, principal: Principal, action: DecisionAction, body: DecisionBody, ctx: AuditContext): Promise<DecideResult> {
    const row = await getApprovalRequest(this.db, id);
    if (!row) throw requestNotFound(id);
    if (action === 'delegate') await this.checkDelegate(body.delegateTo);
    const req: DecideRequest = {
      userId: principal.sub,
      action,
      ...(body.comments !== undefined ? { comments: body.comments } : {}),
      ...(body.stepId !== undefined ? { stepId: body.stepId } : {}),
      ...(body.delegateTo !== undefined ? { delegateTo: body.delegateTo } : {}),
    };
    // A named approver of the open step decides for themself: no need to ask the workflow and the directory.
    const standIn = row.pendingApprovers.includes(principal.sub) ? undefined : await this.standsInFor(id, principal.sub);
    if (standIn) req.onBehalfOf = standIn;
    req.request = { requestId: ctx.requestId ?? null, clientIp: ctx.clientIp ?? null, userAgent: ctx.userAgent ?? null };
    const result = await this.messages.send(id, () => this.temporal.workflow.getHandle(id).executeUpdate(decideUpdate, { args: [req] }));
    // The workflow answers once the decision is stored, with its audit record (recordApprovalDecisions);
    // a worker from before that wrote none, so then it is written here.
    if (await decisionAudited(this.db, id, decisionKey({ round: result.round, stepId: result.stepId, approverId: principal.sub }))) return result;
    await this.audit(ctx, row, `approval.${action}`, {
      stepId: result.stepId,
      round: result.round,
      onBehalfOf: result.onBehalfOf,
      ...(body.comments !== undefined ? { comments: body.comments } : {}),
      ...(body.delegateTo ? { delegateTo: body.delegateTo } : {}),
    });
    return result;
  }

  /**
   * A decision on the approval an instance waits for: its one pending request, or the one of
   * `nodeId` when several wait. @throws WeftError NO_PENDING_APPROVAL, APPROVAL_AMBIGUOUS
   */
  async decideForInstance(
    executionId: string,
    principal: Principal,
    action: DecisionAction,
    body: DecisionBody & { nodeId?: string },
    ctx: AuditContext,
  ): Promise<DecideResult> {
    const page = await listApprovalRequests(this.db, { executionId, status: 'pending', limit: 100, offset: 0 });
    const candidates = page.items.filter((r) => body.nodeId === undefined || r.nodeId === body.nodeId);
    if (candidates.length === 0) {
      throw new WeftError('NO_PENDING_APPROVAL', `workflow instance ${executionId} waits for no approval${body.nodeId ? ` at node ${body.nodeId}` : ''}`);
    }
    if (candidates.length > 1) {
      throw new WeftError('APPROVAL_AMBIGUOUS', `workflow instance ${executionId} waits for several approvals; name the nodeId`, {
        details: { nodeIds: candidates.map((c) => c.nodeId) },
      });
    }
    return this.decide((candidates[0] as ApprovalRequestRow).id, principal, action, body, ctx);
  }

  /**
   * Another user's inbox: what they are asked to decide says what the organisation is deciding,
   * so only they, managers and admins may read it.
   * @throws WeftError PERMISSION_DENIED
   */
  async inboxOf(userId: string, principal: Principal): Promise<{ items: RequestView[]; total: number }> {
    if (principal.sub !== userId && !canManage(principal)) {
      throw new WeftError('PERMISSION_DENIED', "only managers and admins may read another user's approvals");
    }
    return this.inbox(userId);
  }

  /**
   * Pending requests `userId` may decide now: named for the open step, or standing in for
   * someone who is (away, delegating to them), and not yet decided by them in this step.
   */
  async inbox(userId: string): Promise<{ items: RequestView[]; total: number }> {
    const now = this.clock();
    const away = await listAwayUsers(this.db, now);
    const byId = new Map(away.map((u) => [u.id, u]));
    const standsFor = away.filter((u) => u.id !== userId && decider(u, now, (id) => byId.get(id) ?? presentStub(id))?.id === userId).map((u) => u.id);
    const rows = await pendingApprovalsFor(this.db, userId, [userId, ...standsFor]);
    const items = await this.withDecisions(rows);
    return { items, total: items.length };
  }

  /** Counts by status and the average time from request to decision. */
  async stats(): Promise<{
    total: number;
    pending: number;
    changesRequested: number;
    approved: number;
    rejected: number;
    cancelled: number;
    expired: number;
    averageDecisionMs: number | null;
  }> {
    const s = await approvalStats(this.db);
    const n = (k: string) => s.byStatus[k] ?? 0;
    const total = Object.values(s.byStatus).reduce((a, b) => a + b, 0);
    return {
      total,
      pending: n('pending'),
      changesRequested: n('changes_requested'),
      approved: n('approved'),
      rejected: n('rejected'),
      cancelled: n('cancelled'),
      expired: n('expired'),
      averageDecisionMs: s.averageDecisionMs,
    };
  }

  // --- internals --------------------------------------------------------------------------

  /**
   * The entry of a decision or another change the approval workflow applied (Temporal's update
   * is the change, so the entry follows its acceptance; a refused one writes none).
   */
  private async audit(ctx: AuditContext, row: ApprovalRequestRow, action: string, details: Record<string, unknown>): Promise<void> {
    const execution = row.executionId ? await getExecution(this.db, row.executionId) : undefined;
    await appendAudit(this.db, {
      ...ctx,
      action,
      resourceType: 'approval_request',
      resourceId: row.id,
      workflowId: execution?.definitionId ?? null,
      details: { ...details, ...(row.executionId ? { executionId: row.executionId, nodeId: row.nodeId } : {}) },
      before: { status: row.status, currentStep: row.currentStep, round: row.round },
    });
  }

  private async checkDelegate(delegateTo: string | undefined): Promise<void> {
    const issue = (code: string, message: string) => new WeftError('INVALID_DELEGATION', message, { issues: [{ path: '/delegateTo', code, message }] });
    if (!delegateTo) throw issue('required', 'delegate needs delegateTo');
    const user = await this.directory.getUser(delegateTo).catch(() => undefined);
    if (!user?.active) throw issue(user ? 'inactive_user' : 'unknown_user', `${delegateTo} is not an active user`);
  }

  /** The pending approver `userId` decides for through out-of-office delegation now, if any. */
  private async standsInFor(id: string, userId: string): Promise<string | undefined> {
    const live = await this.messages.liveState(id);
    if (!live || live.pendingApprovers.includes(userId)) return undefined;
    const now = this.clock();
    for (const approver of live.pendingApprovers) {
      const resolved = await this.directory.resolveApprovers({ type: 'user', identifier: approver }, now);
      if (resolved.some((r) => r.user.id === userId && r.onBehalfOf.includes(approver))) return approver;
    }
    return undefined;
  }

  private async waitForRow(id: string, done: (r: ApprovalRequestRow) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const row = await getApprovalRequest(this.db, id);
      if (row && done(row)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async withDecisions(rows: ApprovalRequestRow[]): Promise<RequestView[]> {
    const decisions = await listApprovalDecisions(
      this.db,
      rows.map((r) => r.id),
    );
    const byRequest = new Map<string, ApprovalDecisionRow[]>();
    for (const d of decisions) byRequest.set(d.requestId, [...(byRequest.get(d.requestId) ?? []), d]);
    return rows.map((r) => requestView(r, byRequest.get(r.id) ?? []));
  }
}
