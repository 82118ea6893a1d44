import type { ApprovalDecisionRow, ApprovalRequestRow } from '../db/schema';
import type { ApprovalRequestRecord, ApprovalState } from '../shared/approvals';

/**
 * A request as the API shows it: the row with the fields the approval workflow writes (its chain
 * as stored), its decisions and, while it runs, the workflow's live state.
 */
export interface RequestView extends Omit<ApprovalRequestRecord, 'chain'> {
  chain: unknown;
  currentStepId: string | null;
  escalated: boolean;
  decisions: DecisionView[];
  /** Only while the workflow runs and answers: steps, refused signals, events. */
  live?: Pick<ApprovalState, 'steps' | 'refused' | 'events'>;
}

export interface DecisionView {
  round: number;
  stepId: string;
  approverId: string;
  onBehalfOf: string | null;
  action: string;
  comments: string | null;
  delegatedTo: string | null;
  decidedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function decisionView(d: ApprovalDecisionRow): DecisionView {
  return {
    round: d.round,
    stepId: d.stepId,
    approverId: d.approverId,
    onBehalfOf: d.onBehalfOf,
    action: d.action,
    comments: d.comments,
    delegatedTo: d.delegatedTo,
    decidedAt: d.decidedAt.toISOString(),
  };
}

function stepIdOf(row: ApprovalRequestRow): string | null {
  if (row.currentStep === null) return null;
  const steps = (row.chain as { steps?: Array<{ id?: string }> }).steps;
  return steps?.[row.currentStep]?.id ?? null;
}

export function requestView(row: ApprovalRequestRow, decisions: ApprovalDecisionRow[]): RequestView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    title: row.title,
    description: row.description,
    data: row.data ?? null,
    requestedBy: row.requestedBy,
    policyId: row.policyId,
    chain: row.chain,
    currentStep: row.currentStep,
    currentStepId: stepIdOf(row),
    round: row.round,
    pendingApprovers: row.pendingApprovers,
    executionId: row.executionId,
    nodeId: row.nodeId,
    escalated: row.escalatedAt !== null,
    escalatedAt: iso(row.escalatedAt),
    requestedAt: row.requestedAt.toISOString(),
    completedAt: iso(row.completedAt),
    reason: row.reason,
    decisions: decisions.map(decisionView),
  };
}
