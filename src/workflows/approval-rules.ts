/**
 * The approval workflow's rules (approval.ts runs them): who may decide the open step, what a
 * decision does to it, when a resubmission is allowed. Pure and synchronous, so a decision is
 * judged and applied inside one update handler without yielding.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ApprovalStep } from '../graph/approval-chain';
import { evaluateExpression, type ExpressionContext } from '../graph/expressions';
import type { ApprovalStatus, DecideRequest, DecisionRecord, ResubmitRequest, StepApprover, StepStatus, StepView } from './approval-types';

/** An approver spec the directory resolves (dynamic specs are expanded to users first). */
export interface PlainSpec {
  type: 'user' | 'role' | 'group';
  identifier: string;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function refusal(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

export function parseTarget(target: string): PlainSpec {
  const i = target.indexOf(':');
  return { type: target.slice(0, i) as PlainSpec['type'], identifier: target.slice(i + 1) };
}

/** The running step: who may decide, what was decided. */
export interface OpenStep {
  view: StepView;
  def: ApprovalStep;
  /** For in-turn steps: everyone in order; `view.approvers` holds only whoever's turn it is. */
  queue: StepApprover[];
  /** Users (deciders and the approvers they stood in for) who decided in this step. */
  decided: Set<string>;
}

/** Where the request stands, as the decision rules see it. */
export interface Standing {
  status: ApprovalStatus;
  /** A cancellation was accepted and is being carried out. */
  cancelling: boolean;
  open: OpenStep | undefined;
  round: number;
  requestedBy: string | null | undefined;
}

/** The decision rules; throws a refusal (type = the API's code) and changes nothing. */
export function checkDecision(req: DecideRequest, at: Standing): void {
  if (!req || typeof req.userId !== 'string' || req.userId === '') throw refusal('INVALID_REQUEST', 'a decision needs the deciding user');
  if (!['approve', 'reject', 'request_changes', 'delegate'].includes(req.action)) {
    throw refusal('INVALID_REQUEST', `unknown action ${String(req.action)}`);
  }
  if (at.status !== 'pending' || at.cancelling) throw refusal('APPROVAL_NOT_PENDING', `the request is ${at.status}`);
  const step = at.open;
  if (!step || step.view.status !== 'open') throw refusal('STEP_NOT_OPEN', 'no step is open for decisions right now');
  if (req.stepId !== undefined && req.stepId !== step.view.id) {
    throw refusal('STEP_NOT_OPEN', `step ${req.stepId} is not open; the open step is ${step.view.id}`);
  }
  // Someone who decided drops out of the step's deciders: say "already decided", not "not an approver".
  if (step.decided.has(req.userId) || (req.onBehalfOf !== undefined && step.decided.has(req.onBehalfOf))) {
    throw refusal('ALREADY_DECIDED', `${req.onBehalfOf ?? req.userId} already decided step ${step.view.id} in round ${at.round}`);
  }
  const entry = approverEntry(step, req);
  if (!entry) throw refusal('NOT_AN_APPROVER', `${req.userId} may not decide step ${step.view.id}`);
  if (req.userId === at.requestedBy && !step.def.allowSelfApproval) {
    throw refusal('SELF_APPROVAL', 'the requester may not decide their own request in this step');
  }
  const standsFor = req.onBehalfOf ?? (entry.onBehalfOf.length > 0 && !isDirect(step, req.userId) ? entry.onBehalfOf[0] : undefined);
  if (standsFor !== undefined && step.decided.has(standsFor)) {
    throw refusal('ALREADY_DECIDED', `${standsFor} already decided step ${step.view.id} in round ${at.round}`);
  }
  if (step.def.requireComments && (typeof req.comments !== 'string' || req.comments.trim() === '')) {
    throw refusal('COMMENTS_REQUIRED', `step ${step.view.id} needs comments with every decision`);
  }
  if (req.action === 'delegate') {
    if (typeof req.delegateTo !== 'string' || req.delegateTo === '') throw refusal('INVALID_REQUEST', 'delegate needs delegateTo');
    if (req.delegateTo === req.userId || req.delegateTo === at.requestedBy) {
      throw refusal('INVALID_DELEGATION', `the vote cannot be handed to ${req.delegateTo}`);
    }
    if (step.view.approvers.some((a) => a.userId === req.delegateTo) || step.decided.has(req.delegateTo)) {
      throw refusal('INVALID_DELEGATION', `${req.delegateTo} already decides this step`);
    }
  }
}

export function isDirect(step: OpenStep, userId: string): boolean {
  return step.view.approvers.some((a) => a.userId === userId && a.source !== 'delegation' && a.onBehalfOf.length === 0);
}

/** The caller's entry among the step's current deciders; an API-established stand-in counts too. */
export function approverEntry(step: OpenStep, req: DecideRequest): StepApprover | undefined {
  const own = step.view.approvers.find((a) => a.userId === req.userId);
  if (own && (req.onBehalfOf === undefined || own.onBehalfOf.includes(req.onBehalfOf) || own.userId === req.onBehalfOf)) return own;
  if (req.onBehalfOf !== undefined) {
    const named = step.view.approvers.find((a) => a.userId === req.onBehalfOf);
    if (named) return { userId: req.userId, onBehalfOf: [req.onBehalfOf], source: 'delegation' };
  }
  return own;
}

export function checkResubmit(req: ResubmitRequest, at: Standing): void {
  if (!req || typeof req.userId !== 'string') throw refusal('INVALID_REQUEST', 'a resubmission needs the user');
  if (at.status !== 'changes_requested' || at.cancelling) throw refusal('APPROVAL_NOT_PENDING', `the request is ${at.status}, not changes_requested`);
  if (at.requestedBy && req.userId !== at.requestedBy) throw refusal('NOT_REQUESTER', 'only the requester may resubmit');
}

/**
 * A decision's effect on the step; `close` closes it (synchronously) when the decision
 * decides it, with the request's reason for a rejection or a change request.
 */
export function applyDecision(step: OpenStep, record: DecisionRecord, close: (status: StepStatus, reason?: string) => void): void {
  const drop = (userId: string) => {
    step.view.approvers = step.view.approvers.filter((a) => a.userId !== userId);
    step.queue = step.queue.filter((a) => a.userId !== userId);
  };
  switch (record.action) {
    case 'approve':
    case 'auto_approve':
      step.view.approvals++;
      drop(record.approverId);
      if (record.action === 'auto_approve' || step.view.approvals >= step.view.required) close('approved');
      else nextInTurn(step);
      break;
    case 'reject':
      drop(record.approverId);
      close('rejected', record.comments ?? `rejected by ${record.approverId}`);
      break;
    case 'request_changes':
      drop(record.approverId);
      close('changes_requested', record.comments ?? `changes requested by ${record.approverId}`);
      break;
    case 'delegate': {
      const to = record.delegatedTo as string;
      const replaced = (a: StepApprover): StepApprover =>
        a.userId === record.approverId ? { userId: to, onBehalfOf: [record.onBehalfOf ?? record.approverId], source: 'delegation' } : a;
      const had = step.view.approvers.some((a) => a.userId === record.approverId);
      step.queue = step.queue.map(replaced);
      step.view.approvers = had
        ? step.view.approvers.map(replaced)
        : [...step.view.approvers, { userId: to, onBehalfOf: [record.approverId], source: 'delegation' }];
      // The vote moved on; the delegator (and whom they stood for) may vote again only through the delegate.
      step.decided.delete(record.onBehalfOf ?? record.approverId);
      break;
    }
    case 'escalate':
      break;
  }
}

/** In-turn steps: the next approver in line gets the open question. */
export function nextInTurn(step: OpenStep): void {
  if (step.def.parallel) return;
  const next = step.queue.find((a) => !step.decided.has(a.userId));
  step.view.approvers = next ? [next] : [];
}

/** A step of the chain before it opens. */
export function stepView(s: ApprovalStep): StepView {
  return {
    id: s.id,
    ...(s.name ? { name: s.name } : {}),
    status: 'waiting',
    approvers: [],
    required: s.minimumApprovals,
    approvals: 0,
    openedAt: null,
    closedAt: null,
    escalated: false,
  };
}

/** What a dynamic approver spec's expression sees of the request. */
export interface RequestScope {
  data: unknown;
  requestedBy: string | null;
  requestId: string;
  requestedAt: string;
}

/** A dynamic spec evaluated over the request to the users it names; other specs as they are. */
export function expandSpec(request: RequestScope, d: { type: string; identifier: string }): PlainSpec[] {
  if (d.type !== 'dynamic') return [d as PlainSpec];
  let value: unknown;
  try {
    const ctx = {
      input: request.data,
      data: request.data,
      requestedBy: request.requestedBy,
      vars: {},
      nodes: {},
      execution: { id: request.requestId, workflowId: '', version: '', startedAt: request.requestedAt },
    };
    value = evaluateExpression(d.identifier, ctx as unknown as ExpressionContext);
  } catch {
    value = undefined; // an expression that fails names nobody: the fallback decides
  }
  const ids = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
  return ids.map((identifier) => ({ type: 'user', identifier }));
}
