/**
 * The approval workflow's messages (queries, updates, signals). The shapes they carry are in
 * shared/approvals.ts, which activities and the API import too.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalStatus, DecideRequest, ApprovalState, DecideResult, ResubmitRequest, CancelRequest } from '../shared/approvals';

// Workflow code (approval.ts, approval-node.ts) takes the shapes from here with the messages.
export type {
  ApprovalStatus,
  DecisionAction,
  RecordedAction,
  ApprovalInput,
  DecideRequest,
  DecisionRecord,
  StepApprover,
  StepStatus,
  StepView,
  RefusedDecision,
  ApprovalEvent,
  ApprovalState,
  ApprovalResult,
  DecideResult,
  ResubmitRequest,
  CancelRequest,
} from '../shared/approvals';

/** The full state of a request. */
export const approvalStateQuery = defineQuery<ApprovalState>('approvalState');
/** A decision on the open step; the validator refuses (with a code as the failure type) without changing anything. */
export const decideUpdate = defineUpdate<DecideResult, [DecideRequest]>('decide');
/** The same decision for clients that only signal; checked by the same rules, a refusal is recorded in `refused`. */
export const decideSignal = defineSignal<[DecideRequest]>('decide');
/** The requester answers `changes_requested` with (optionally) new data: a new round from the first step. */
export const resubmitUpdate = defineUpdate<{ round: number; status: ApprovalStatus }, [ResubmitRequest]>('resubmit');
export const resubmitSignal = defineSignal<[ResubmitRequest]>('resubmit');
/** Withdraws an open request (the API checks who may). */
export const cancelApprovalUpdate = defineUpdate<{ status: ApprovalStatus }, [CancelRequest]>('cancelApproval');
/** Sent by an APPROVAL node's child to its graph execution when a step escalates. */
export const approvalEscalatedSignal = defineSignal<[{ requestId: string; stepId: string }]>('approvalEscalated');
