import { ApplicationFailure } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import {
  decisionKey,
  getApprovalPolicy,
  getApprovalRequest,
  insertApprovalDecisions,
  policyForType,
  upsertApprovalRequest,
} from '../db/repositories/approvals';
import { getExecution } from '../db/repositories/executions';
import { parseApprovalChain, type ApprovalChain } from '../graph/approval-chain';
import { isWeftError } from '../graph/errors';
import { activateApprovedVersion, activatesVersion } from '../domain/version-activation';
import type { NodeActivityRequest } from '../graph/node-types';
import type { ApproverSpec } from '../domain/approver-resolution';
import { settleConfigChange, settlesConfigChange } from '../domain/config-changes';
import type { DirectoryService } from '../domain/directory';
import type { ApprovalRequestRecord, DecisionRecord, StepApprover } from '../shared/approvals';
import type { NodeActivityResult } from './types';
import { sendNotice } from './notification/notice';

export interface ApprovalActivityDeps {
  db: WeftDb;
  directory: DirectoryService;
  /** The NOTIFICATION node's activity, reused for escalation and SLA notices. */
  sendNotification: (request: NodeActivityRequest) => Promise<NodeActivityResult<unknown>>;
}

const date = (iso: string | null) => (iso === null ? null : new Date(iso));

/** The approval workflow's I/O: the policy, the directory, the rows, notices. */
export function createApprovalActivities(deps: ApprovalActivityDeps) {
  const { db, directory } = deps;
  return {
    /** The chain of `policyId`, else of the enabled policy of highest priority for `type`. */
    async loadApprovalChain(req: { policyId: string | null; type: string }): Promise<{ policyId: string; chain: ApprovalChain }> {
      const policy = req.policyId ? await getApprovalPolicy(db, req.policyId) : await policyForType(db, req.type);
      if (!policy) {
        const what = req.policyId ? `approval policy ${req.policyId} does not exist` : `no enabled approval policy for request type ${req.type}`;
        throw ApplicationFailure.create({ type: 'APPROVAL_POLICY_NOT_FOUND', message: what, nonRetryable: true });
      }
      try {
        return { policyId: policy.id, chain: parseApprovalChain(policy.chain) };
      } catch (err) {
        if (!isWeftError(err)) throw err;
        throw ApplicationFailure.create({
          type: 'VALIDATION_ERROR',
          message: `policy ${policy.id}: ${err.message}`,
          nonRetryable: true,
          details: [err.issues],
        });
      }
    },

    /**
     * Who may decide a step: each entry's specs resolved through the directory (inactive users
     * out, away users replaced by their delegates), its fallback when they yield nobody; in the
     * order given, each person once.
     */
    async resolveApprovalStep(req: { entries: Array<{ specs: ApproverSpec[]; fallback: ApproverSpec[] }>; at: string }): Promise<StepApprover[]> {
      const at = new Date(req.at);
      const byId = new Map<string, StepApprover>();
      const resolveAll = async (specs: ApproverSpec[]) => (await Promise.all(specs.map((s) => directory.resolveApprovers(s, at)))).flat();
      for (const entry of req.entries) {
        let found = await resolveAll(entry.specs);
        if (found.length === 0) found = await resolveAll(entry.fallback);
        for (const a of found) {
          const known = byId.get(a.user.id);
          const onBehalfOf = a.direct ? [] : a.onBehalfOf;
          if (!known) byId.set(a.user.id, { userId: a.user.id, onBehalfOf, source: 'chain' });
          else if (a.direct) known.onBehalfOf = [];
        }
      }
      return [...byId.values()];
    },

    /**
     * Writes the request's row; a decided request's effect is applied in the same transaction: a
     * `config_change` is applied or discarded (config-changes.ts), an approved
     * `version_activation` activates its version (version-activation.ts). An approval never
     * stands without its effect, and a retry applies nothing twice.
     */
    async saveApprovalRequest(r: ApprovalRequestRecord): Promise<void> {
      const row = {
        ...r,
        chain: r.chain as unknown as Record<string, unknown>,
        escalatedAt: date(r.escalatedAt),
        requestedAt: new Date(r.requestedAt),
        completedAt: date(r.completedAt),
      };
      if (r.executionId && !settlesConfigChange(r) && !activatesVersion(r)) {
        // An APPROVAL node's request is created here, not through the API: its first write is
        // audited here (live execution events read approval requests from the audit trail).
        await db.transaction(async (tx) => {
          const existed = await getApprovalRequest(tx, r.id);
          await upsertApprovalRequest(tx, row);
          if (!existed) await auditNodeRequest(tx, r);
        });
        return;
      }
      if (!settlesConfigChange(r) && !activatesVersion(r)) return upsertApprovalRequest(db, row);
      await db.transaction(async (tx) => {
        await upsertApprovalRequest(tx, row);
        if (settlesConfigChange(r)) await settleConfigChange(tx, r);
        else await activateApprovedVersion(tx, r);
      });
    },

    /** Stores decisions; a retried write finds them stored and changes nothing. */
    /**
     * Stores decisions and, in the same transaction, the audit record of each one stored now: a
     * decision always has its record, whoever sent it (the API, or a bare Temporal signal: actor
     * its approver), and a retried write adds neither twice. The API finds it by `decisionKey`.
     */
    async recordApprovalDecisions(records: DecisionRecord[]): Promise<void> {
      await db.transaction(async (tx) => {
        const stored = await insertApprovalDecisions(
          tx,
          records.map(({ request: _request, ...r }) => ({ ...r, decidedAt: new Date(r.decidedAt) })),
        );
        for (const row of stored) {
          const record = records.find((r) => r.round === row.round && r.stepId === row.stepId && r.approverId === row.approverId);
          const request = await getApprovalRequest(tx, row.requestId);
          const execution = request?.executionId ? await getExecution(tx, request.executionId) : undefined;
          await appendAudit(tx, {
            actor: row.approverId,
            requestId: record?.request?.requestId ?? null,
            clientIp: record?.request?.clientIp ?? null,
            userAgent: record?.request?.userAgent ?? null,
            action: `approval.${row.action}`,
            resourceType: 'approval_request',
            resourceId: row.requestId,
            workflowId: execution?.definitionId ?? null,
            details: {
              decisionKey: decisionKey(row),
              stepId: row.stepId,
              round: row.round,
              onBehalfOf: row.onBehalfOf,
              ...(row.comments !== null ? { comments: row.comments } : {}),
              ...(row.delegatedTo ? { delegateTo: row.delegatedTo } : {}),
              ...(request?.executionId ? { executionId: request.executionId, nodeId: request.nodeId } : {}),
            },
            before: request ? { status: request.status, currentStep: request.currentStep, round: request.round } : null,
          });
        }
      });
    },

    /**
     * An escalation or SLA notice: email to the recipients when mail is configured, and an
     * audit entry either way (so it is visible even without mail).
     */
    async notifyApprovers(req: {
      requestId: string;
      stepId: string;
      round: number;
      /** What is told (`escalation:0`, `sla_warning`): a retry keeps its Message-ID, two notices differ. Absent from activities scheduled by older workers. */
      notice?: string;
      recipients: ApproverSpec[];
      subject: string;
      message: string;
    }): Promise<{ delivered: boolean; error?: string }> {
      const { delivered, error } = await sendNotice(deps.sendNotification, {
        executionId: req.requestId,
        definitionId: 'approval',
        nodeId: req.stepId,
        iteration: req.round,
        idempotencyKey: `${req.requestId}:${req.stepId}:${req.round}:${req.notice ?? req.subject}`,
        recipients: req.recipients,
        subject: req.subject,
        message: req.message,
      });
      await appendAudit(db, {
        actor: 'system',
        action: 'approval.notified',
        resourceType: 'approval_request',
        resourceId: req.requestId,
        details: { stepId: req.stepId, round: req.round, recipients: req.recipients, message: req.message, delivered, ...(error ? { error } : {}) },
      });
      return { delivered, ...(error ? { error } : {}) };
    },
  };
}

/** The `approval.requested` entry of an APPROVAL node's request, in its workflow's trail. */
async function auditNodeRequest(tx: WeftDb, r: ApprovalRequestRecord): Promise<void> {
  const execution = r.executionId ? await getExecution(tx, r.executionId) : undefined;
  await appendAudit(tx, {
    actor: r.requestedBy ?? 'system',
    action: 'approval.requested',
    resourceType: 'approval_request',
    resourceId: r.id,
    workflowId: execution?.definitionId ?? null,
    details: { type: r.type, executionId: r.executionId, nodeId: r.nodeId, pendingApprovers: r.pendingApprovers },
    after: { type: r.type, title: r.title, status: r.status },
  });
}
