/**
 * One approval request as a Temporal workflow: the chain's steps one after another, decisions
 * as the `decide` update (validated before anything changes) or signal, timeouts, escalations
 * and SLA levels as durable timers (approval-deadlines.ts). The workflow's state is the truth while it runs; activities
 * keep `approval_requests` / `approval_decisions` in step for the inbox and audit.
 *
 * Decisions change the state synchronously inside the update handler (so concurrent decisions
 * are applied one by one, in the order Temporal delivered them, and the quorum is reached
 * exactly once); the handler then waits until its decision is written before it answers, so an
 * accepted answer means a stored row. Writes are batched: whatever accumulated while one write
 * ran goes out in the next.
 */
import { CancellationScope, allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { stepTimeoutMs, type ApprovalChain, type ApprovalStep } from '../graph/approval-chain';
import { approverEntry, checkDecision, checkResubmit, isDirect, nowIso, refusal, stepView, type OpenStep } from './approval-rules';
import {
  approvalStateQuery,
  cancelApprovalUpdate,
  decideSignal,
  decideUpdate,
  resubmitSignal,
  resubmitUpdate,
  type ApprovalInput,
  type ApprovalResult,
  type ApprovalStatus,
  type CancelRequest,
  type DecideRequest,
  type DecideResult,
  type DecisionRecord,
  type ResubmitRequest,
  type StepApprover,
  type StepStatus,
  type StepView,
} from './approval-types';
import { ApprovalDeadlines } from './approval-deadlines';
import { store } from './approval-record';

/** Runs one approval request to its end. */
export async function approvalWorkflow(input: ApprovalInput): Promise<ApprovalResult> {
  return new ApprovalRun(input).run();
}

class ApprovalRun extends ApprovalDeadlines {
  constructor(input: ApprovalInput) {
    super(input);
    this.installHandlers();
  }

  private installHandlers(): void {
    setHandler(approvalStateQuery, () => this.state());
    setHandler(decideUpdate, (req) => this.decide(req), { validator: (req) => checkDecision(req, this.standing()) });
    setHandler(decideSignal, (req) => {
      try {
        checkDecision(req, this.standing());
      } catch (err) {
        this.refuse('decide', req, err);
        return;
      }
      void this.decide(req);
    });
    setHandler(resubmitUpdate, (req) => this.resubmit(req), { validator: (req) => checkResubmit(req, this.standing()) });
    setHandler(resubmitSignal, (req) => {
      try {
        checkResubmit(req, this.standing());
      } catch (err) {
        this.refuse('resubmit', req, err);
        return;
      }
      this.resubmit(req);
    });
    setHandler(
      cancelApprovalUpdate,
      (req) => {
        this.cancelRequest = req;
        return { status: 'cancelled' as ApprovalStatus };
      },
      {
        validator: (_req: CancelRequest) => {
          if (this.status !== 'pending' && this.status !== 'changes_requested') throw refusal('APPROVAL_NOT_PENDING', `the request is ${this.status}`);
          if (this.cancelRequest) throw refusal('APPROVAL_NOT_PENDING', 'the request is being cancelled');
        },
      },
    );
  }

  // --- decisions --------------------------------------------------------------------------

  /** Applies an accepted decision at once, then waits until it is stored. */
  private async decide(req: DecideRequest): Promise<DecideResult> {
    const step = this.open as OpenStep;
    const entry = approverEntry(step, req) as StepApprover;
    const onBehalfOf = req.onBehalfOf ?? (isDirect(step, req.userId) ? undefined : entry.onBehalfOf[0]) ?? null;
    const record: DecisionRecord = {
      requestId: this.input.requestId,
      round: this.round,
      stepId: step.view.id,
      approverId: req.userId,
      onBehalfOf,
      action: req.action,
      comments: req.comments ?? null,
      delegatedTo: req.action === 'delegate' ? (req.delegateTo as string) : null,
      decidedAt: nowIso(),
      // An input addition of the activity that stores it (and writes its audit record): replay-safe.
      ...(req.request ? { request: req.request } : {}),
    };
    step.decided.add(req.userId);
    if (onBehalfOf) step.decided.add(onBehalfOf);
    this.apply(step, record);
    const result: DecideResult = {
      requestId: this.input.requestId,
      round: this.round,
      stepId: step.view.id,
      action: req.action,
      onBehalfOf,
      stepStatus: step.view.status,
      status: this.status,
    };
    await this.persist(record);
    // Who may decide changed (a handed-on vote, the next in turn): the inbox reads the row.
    if (req.action === 'delegate' || (!step.def.parallel && step.view.status === 'open')) await this.save();
    return result;
  }

  private resubmit(req: ResubmitRequest): { round: number; status: ApprovalStatus } {
    this.resubmission = req;
    return { round: this.round + 1, status: 'pending' };
  }

  // --- the run ----------------------------------------------------------------------------

  async run(): Promise<ApprovalResult> {
    try {
      if (!this.chain) {
        const loaded = await store.loadApprovalChain({ policyId: this.policyId, type: this.input.type });
        this.chain = loaded.chain;
        this.policyId = loaded.policyId;
      }
      this.steps = this.chain.steps.map((s) => stepView(s));
      await this.save();
      for (;;) {
        const outcome = await this.runRound();
        if (outcome !== 'changes_requested') return await this.finish(outcome);
        this.status = 'changes_requested';
        this.stepOutcome = undefined;
        await this.save();
        if (this.input.exitOnChangesRequested) return await this.finish('changes_requested');
        await condition(() => this.resubmission !== undefined || this.cancelRequest !== undefined);
        if (this.cancelRequest) return await this.finish('cancelled');
        const resub = this.resubmission as ResubmitRequest;
        this.resubmission = undefined;
        if (resub.data !== undefined) this.data = resub.data;
        this.events.push({ at: nowIso(), type: 'resubmitted', detail: { round: this.round + 1, by: resub.userId, comments: resub.comments ?? null } });
        this.round++;
        this.reason = null;
        this.status = 'pending';
        this.steps = (this.chain as ApprovalChain).steps.map((s) => stepView(s));
      }
    } catch (err) {
      if (isCancellation(err)) {
        await CancellationScope.nonCancellable(() => this.finish('cancelled', 'the request was cancelled (its workflow was cancelled)'));
      }
      throw err;
    }
  }

  /** One pass over the chain: the outcome of the first step that did not approve, else approved. */
  private async runRound(): Promise<ApprovalStatus | 'changes_requested'> {
    const chain = this.chain as ApprovalChain;
    for (let i = 0; i < chain.steps.length; i++) {
      const outcome = await this.runStep(i, chain.steps[i] as ApprovalStep);
      if (outcome !== 'approved') return outcome === 'changes_requested' ? 'changes_requested' : (outcome as ApprovalStatus);
    }
    return 'approved';
  }

  private async runStep(index: number, def: ApprovalStep): Promise<StepStatus> {
    const view = this.steps[index] as StepView;
    const resolved = await this.resolve(def.approvers);
    const eligibleCount = resolved.filter((a) => def.allowSelfApproval || a.userId !== this.input.requestedBy).length;
    view.required = def.unanimousRequired ? Math.max(1, eligibleCount) : def.minimumApprovals;
    view.openedAt = nowIso();
    view.status = 'open';
    const step: OpenStep = { view, def, queue: resolved, decided: new Set() };
    view.approvers = def.parallel ? resolved : resolved.slice(0, 1);
    if (!def.parallel && resolved[0]?.userId === this.input.requestedBy && !def.allowSelfApproval) view.approvers = resolved.slice(1, 2);
    this.open = step;
    this.stepOutcome = undefined;
    await this.save();
    if (resolved.length === 0 && def.escalation.length === 0 && stepTimeoutMs(def) === undefined) {
      // Nobody may decide and nothing will change that: say so instead of waiting forever.
      this.reason = `step ${def.id}: no approver could be resolved`;
      this.closeStep(step, 'expired');
    }
    await this.waitForStep(step);
    await this.drain();
    this.open = undefined;
    return step.view.status;
  }

  private async finish(status: ApprovalStatus, reason?: string): Promise<ApprovalResult> {
    if (this.open && this.open.view.status === 'open') this.closeStep(this.open, status === 'cancelled' ? 'cancelled' : 'expired');
    this.status = status;
    if (status === 'cancelled') this.reason = reason ?? this.cancelRequest?.reason ?? `cancelled by ${this.cancelRequest?.userId ?? 'the system'}`;
    this.completedAt = nowIso();
    this.open = undefined;
    await this.drain();
    await this.save();
    // Answer every update before the run ends, so no caller sees "workflow completed" instead.
    await condition(allHandlersFinished);
    return {
      requestId: this.input.requestId,
      status,
      round: this.round,
      decisions: [...this.decisions],
      decidedAt: this.completedAt,
      reason: this.reason,
      data: this.data,
    };
  }
}
