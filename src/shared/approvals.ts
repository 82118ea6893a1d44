/**
 * The shapes the approval workflow, its activities and the API share.
 *
 * Types only: workflow code imports them, so no Node APIs here, and everything survives the
 * JSON payload converter.
 */
import type { ActionRequestContext } from './rollouts';
import type { ApprovalChain } from '../graph/approval-chain';

/** Where a request stands (the `approval_requests.status` values). */
export type ApprovalStatus = 'pending' | 'changes_requested' | 'approved' | 'rejected' | 'cancelled' | 'expired';

/** What a person may do to the open step. */
export type DecisionAction = 'approve' | 'reject' | 'request_changes' | 'delegate';

/** Every recorded action, the system's included (`approval_decisions.action`). */
export type RecordedAction = DecisionAction | 'escalate' | 'auto_approve';

/** What `approvalWorkflow` is started with. */
export interface ApprovalInput {
  /** Also the workflow id. */
  requestId: string;
  /** `workflow_node` for APPROVAL nodes; e.g. `version_activation`, `rollout`, `configuration_change`. */
  type: string;
  title: string;
  description?: string | null;
  data?: unknown;
  requestedBy?: string | null;
  /** The chain to run; when absent it is loaded from `policyId`, else from the type's enabled policy. */
  chain?: ApprovalChain;
  policyId?: string | null;
  executionId?: string | null;
  nodeId?: string | null;
  /** End with `changes_requested` instead of waiting for a resubmission (an APPROVAL node with that port). */
  exitOnChangesRequested?: boolean;
}

/** A decision as the `decide` update and signal carry it. `userId` is the token's subject, set by the API. */
export interface DecideRequest {
  userId: string;
  action: DecisionAction;
  comments?: string;
  /** The step the caller saw; refused when it is no longer the open one. */
  stepId?: string;
  /** For `delegate`: who receives the vote (the API checks they are an active user). */
  delegateTo?: string;
  /**
   * The named approver the caller stands in for, established by the API from the directory at
   * decision time (out-of-office that began after the step opened). Accepted only for an
   * undecided approver of the open step.
   */
  onBehalfOf?: string;
  /** The API request the decision came with, for its audit record (absent from a bare Temporal client). */
  request?: ActionRequestContext;
}

/** One recorded decision. */
export interface DecisionRecord {
  requestId: string;
  round: number;
  stepId: string;
  approverId: string;
  onBehalfOf: string | null;
  action: RecordedAction;
  comments: string | null;
  delegatedTo: string | null;
  decidedAt: string;
  /** The API request it came with (see {@link DecideRequest.request}). */
  request?: ActionRequestContext;
}

/** A person who may decide a step, and for whom. */
export interface StepApprover {
  userId: string;
  /** Named approvers (away, or who delegated their vote) this user decides for. */
  onBehalfOf: string[];
  /** How they got here: resolved at the step's start, added by escalation/reassignment, or handed a vote. */
  source: 'chain' | 'escalation' | 'reassign' | 'delegation';
}

export type StepStatus = 'waiting' | 'open' | 'approved' | 'rejected' | 'changes_requested' | 'expired' | 'cancelled';

/** A step as the `approvalState` query shows it. */
export interface StepView {
  id: string;
  name?: string;
  status: StepStatus;
  approvers: StepApprover[];
  /** Approvals needed to pass the step. */
  required: number;
  approvals: number;
  openedAt: string | null;
  closedAt: string | null;
  escalated: boolean;
}

/** A decision refused by the workflow's rules (signals only: refused updates leave no trace). */
export interface RefusedDecision {
  request: DecideRequest | ResubmitRequest | CancelRequest;
  kind: 'decide' | 'resubmit';
  code: string;
  reason: string;
  at: string;
}

/** Escalations, SLA warnings and breaches, notifications, timeouts. */
export interface ApprovalEvent {
  at: string;
  type: 'escalation' | 'sla_warning' | 'sla_breach' | 'timeout' | 'notification' | 'resubmitted';
  stepId?: string;
  action?: string;
  detail?: unknown;
}

/** Everything the workflow knows, as the `approvalState` query returns it. */
export interface ApprovalState {
  requestId: string;
  type: string;
  status: ApprovalStatus;
  title: string;
  data: unknown;
  requestedBy: string | null;
  round: number;
  currentStep: number | null;
  currentStepId: string | null;
  /** Users who may decide the open step now (in their own name or for someone). */
  pendingApprovers: string[];
  steps: StepView[];
  /** Every decision of every round, in order. */
  decisions: DecisionRecord[];
  refused: RefusedDecision[];
  events: ApprovalEvent[];
  escalatedAt: string | null;
  requestedAt: string;
  completedAt: string | null;
  reason: string | null;
  executionId: string | null;
  nodeId: string | null;
}

/** How the workflow ended. */
export interface ApprovalResult {
  requestId: string;
  status: ApprovalStatus;
  round: number;
  decisions: DecisionRecord[];
  decidedAt: string | null;
  reason: string | null;
  data: unknown;
}

/** What an accepted decision answers. */
export interface DecideResult {
  requestId: string;
  round: number;
  stepId: string;
  action: DecisionAction;
  onBehalfOf: string | null;
  /** The step and request after this decision. */
  stepStatus: StepStatus;
  status: ApprovalStatus;
}

export interface ResubmitRequest {
  userId: string;
  data?: unknown;
  comments?: string;
}

export interface CancelRequest {
  userId: string;
  reason?: string;
}

/** The request row as the approval workflow writes it. */
export interface ApprovalRequestRecord {
  id: string;
  type: string;
  status: ApprovalStatus;
  title: string;
  description: string | null;
  data: unknown;
  requestedBy: string | null;
  policyId: string | null;
  chain: ApprovalChain;
  currentStep: number | null;
  round: number;
  pendingApprovers: string[];
  executionId: string | null;
  nodeId: string | null;
  escalatedAt: string | null;
  requestedAt: string;
  completedAt: string | null;
  reason: string | null;
}
