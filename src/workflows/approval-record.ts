/**
 * What the approval workflow (approval.ts) keeps of one request, and how it is written: the state
 * the `approvalState` query answers, decisions applied to the open step and stored one batch at
 * a time, and the request row kept in step for the inbox. ApprovalDeadlines (approval-deadlines.ts)
 * adds the open step's timers on top, ApprovalRun (approval.ts) the run.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { ApplicationFailure, CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import type { ApprovalChain } from '../graph/approval-chain';
import { applyDecision, nowIso, type OpenStep, type Standing } from './approval-rules';
import type {
  ApprovalEvent,
  ApprovalInput,
  ApprovalState,
  ApprovalStatus,
  CancelRequest,
  DecideRequest,
  DecisionRecord,
  RefusedDecision,
  ResubmitRequest,
  StepStatus,
  StepView,
} from './approval-types';

// Bookkeeping must outlive a database outage: unlimited attempts, capped backoff.
export const store = proxyActivities<WeftActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '30s', backoffCoefficient: 2 },
});

/** The state of one approval request and its writes; the deadlines (approval-deadlines.ts) extend it. */
export class ApprovalRecord {
  protected status: ApprovalStatus = 'pending';
  protected chain: ApprovalChain | undefined;
  protected policyId: string | null;
  protected data: unknown;
  protected round = 1;
  protected steps: StepView[] = [];
  protected open: OpenStep | undefined;
  protected readonly decisions: DecisionRecord[] = [];
  protected readonly refused: RefusedDecision[] = [];
  protected readonly events: ApprovalEvent[] = [];
  protected escalatedAt: string | null = null;
  protected completedAt: string | null = null;
  protected reason: string | null = null;
  protected readonly requestedAt = nowIso();
  /** Set by a decision that ends the step: what the step became. */
  protected stepOutcome: StepStatus | undefined;
  protected resubmission: ResubmitRequest | undefined;
  protected cancelRequest: CancelRequest | undefined;
  // Decisions accepted but not yet written, and the sequence numbers that say which are.
  protected unsaved: DecisionRecord[] = [];
  protected acceptedSeq = 0;
  protected savedSeq = 0;
  protected flushing = false;
  protected saving: Promise<void> = Promise.resolve();

  constructor(protected readonly input: ApprovalInput) {
    this.chain = input.chain;
    this.policyId = input.policyId ?? null;
    this.data = input.data ?? null;
  }

  protected apply(step: OpenStep, record: DecisionRecord): void {
    this.decisions.push(record);
    applyDecision(step, record, (status, reason) => {
      if (reason !== undefined) this.reason = reason;
      this.closeStep(step, status);
    });
  }

  protected closeStep(step: OpenStep, status: StepStatus): void {
    step.view.status = status;
    step.view.closedAt = nowIso();
    this.stepOutcome = status;
  }

  /** Waits until `record` is written; one write at a time, each taking everything accumulated. */
  protected async persist(record: DecisionRecord): Promise<void> {
    this.unsaved.push(record);
    const mine = ++this.acceptedSeq;
    while (this.savedSeq < mine) {
      if (this.flushing) {
        await condition(() => !this.flushing);
        continue;
      }
      this.flushing = true;
      const batch = this.unsaved;
      const upTo = this.acceptedSeq;
      this.unsaved = [];
      try {
        await CancellationScope.nonCancellable(() => store.recordApprovalDecisions(batch));
        this.savedSeq = upTo;
      } finally {
        this.flushing = false;
      }
    }
  }

  /** Waits for decisions still being written and for handlers still answering. */
  protected async drain(): Promise<void> {
    await condition(() => this.unsaved.length === 0 && !this.flushing);
  }

  /**
   * Writes the request row. Writes run one after another and each takes the state as it is
   * when it starts, so a slow earlier write can never overwrite a later state.
   */
  protected save(): Promise<void> {
    this.saving = this.saving.then(
      () => this.writeRow(),
      () => this.writeRow(),
    );
    return this.saving;
  }

  protected writeRow(): Promise<void> {
    const s = this.state();
    return store.saveApprovalRequest({
      id: s.requestId,
      type: s.type,
      status: s.status,
      title: s.title,
      description: this.input.description ?? null,
      data: s.data,
      requestedBy: s.requestedBy,
      policyId: this.policyId,
      chain: this.chain as ApprovalChain,
      currentStep: s.currentStep,
      round: s.round,
      pendingApprovers: s.pendingApprovers,
      executionId: s.executionId,
      nodeId: s.nodeId,
      escalatedAt: s.escalatedAt,
      requestedAt: s.requestedAt,
      completedAt: s.completedAt,
      reason: s.reason,
    });
  }

  protected state(): ApprovalState {
    const open = this.open && this.open.view.status === 'open' ? this.open : undefined;
    const index = open ? this.steps.indexOf(open.view) : null;
    return {
      requestId: this.input.requestId,
      type: this.input.type,
      status: this.status,
      title: this.input.title,
      data: this.data,
      requestedBy: this.input.requestedBy ?? null,
      round: this.round,
      currentStep: index,
      currentStepId: open?.view.id ?? null,
      pendingApprovers: open ? open.view.approvers.map((a) => a.userId).filter((u) => !open.decided.has(u)) : [],
      steps: this.steps.map((s) => ({ ...s, approvers: [...s.approvers] })),
      decisions: [...this.decisions],
      refused: [...this.refused],
      events: [...this.events],
      escalatedAt: this.escalatedAt,
      requestedAt: this.requestedAt,
      completedAt: this.completedAt,
      reason: this.reason,
      executionId: this.input.executionId ?? null,
      nodeId: this.input.nodeId ?? null,
    };
  }

  protected refuse(kind: RefusedDecision['kind'], request: DecideRequest | ResubmitRequest, err: unknown): void {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    this.refused.push({ kind, request, code: failure?.type ?? 'INVALID_REQUEST', reason: failure?.message ?? String(err), at: nowIso() });
  }

  /** Where the request stands, for the decision rules (approval-rules.ts). */
  protected standing(): Standing {
    return { status: this.status, cancelling: this.cancelRequest !== undefined, open: this.open, round: this.round, requestedBy: this.input.requestedBy };
  }
}
