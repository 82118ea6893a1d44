/**
 * One approval request as a Temporal workflow: the chain's steps one after another, decisions
 * as the `decide` update (validated before anything changes) or signal, timeouts, escalations
 * and SLA levels as durable timers. The workflow's state is the truth while it runs; activities
 * keep `approval_requests` / `approval_decisions` in step for the inbox and audit.
 *
 * Decisions change the state synchronously inside the update handler (so concurrent decisions
 * are applied one by one, in the order Temporal delivered them, and the quorum is reached
 * exactly once); the handler then waits until its decision is written before it answers, so an
 * accepted answer means a stored row. Writes are batched: whatever accumulated while one write
 * ran goes out in the next.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import { parseDuration } from '../graph/duration';
import { stepTimeoutMs, type ApprovalChain, type ApprovalStep, type ApproverDefinition, type EscalationRule } from '../graph/approval-chain';
import {
  approverEntry,
  checkDecision,
  checkResubmit,
  expandSpec,
  isDirect,
  nowIso,
  parseTarget,
  refusal,
  stepView,
  type OpenStep,
  type PlainSpec,
  type RequestScope,
} from './approval-rules';
import {
  approvalEscalatedSignal,
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
import { ApprovalRecord, store } from './approval-record';

// A notification that cannot be delivered must not hold the chain up.
const notifier = proxyActivities<WeftActivities>({
  startToCloseTimeout: '60s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});

/** Runs one approval request to its end. */
export async function approvalWorkflow(input: ApprovalInput): Promise<ApprovalResult> {
  return new ApprovalRun(input).run();
}

class ApprovalRun extends ApprovalRecord {
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

  /** The step's timers (escalations, SLA levels, timeout) in time order, until the step closes. */
  private async waitForStep(step: OpenStep): Promise<void> {
    const opened = Date.parse(step.view.openedAt as string);
    type Timer = { at: number; fire: () => Promise<void> };
    const timers: Timer[] = [];
    step.def.escalation.forEach((rule, i) => timers.push({ at: opened + parseDuration(rule.after), fire: () => this.escalate(step, rule, i) }));
    const sla = step.def.sla;
    if (sla) {
      const target = parseDuration(sla.target);
      timers.push({ at: opened + Math.round((target * sla.warningPercent) / 100), fire: () => this.slaEvent(step, 'sla_warning') });
      timers.push({ at: opened + Math.round((target * sla.breachPercent) / 100), fire: () => this.slaEvent(step, 'sla_breach') });
    }
    const timeout = stepTimeoutMs(step.def);
    if (timeout !== undefined) timers.push({ at: opened + timeout, fire: () => this.timeout(step) });
    // Stable: equal times keep escalation → SLA → timeout order, so a rule "at the timeout" still runs.
    timers.sort((a, b) => a.at - b.at);
    const closed = () => this.stepOutcome !== undefined || this.cancelRequest !== undefined;
    for (const timer of timers) {
      if (closed()) break;
      const wait = timer.at - Date.now();
      if (wait > 0 && (await condition(closed, wait))) break;
      await timer.fire();
    }
    await condition(closed);
    if (this.cancelRequest && this.stepOutcome === undefined) this.closeStep(step, 'cancelled');
  }

  private async escalate(step: OpenStep, rule: EscalationRule, index: number): Promise<void> {
    this.events.push({ at: nowIso(), type: 'escalation', stepId: step.view.id, action: rule.action, detail: { rule: index, target: rule.target ?? null } });
    const system = (action: DecisionRecord['action'], comments: string): DecisionRecord => ({
      requestId: this.input.requestId,
      round: this.round,
      stepId: step.view.id,
      // One row per rule: the unique (request, round, step, approver) index must not merge two rules.
      approverId: `system:escalation:${index}`,
      onBehalfOf: null,
      action,
      comments,
      delegatedTo: null,
      decidedAt: nowIso(),
    });
    switch (rule.action) {
      case 'notify':
        await this.notify(
          step,
          `escalation:${index}`,
          rule.target ? [parseTarget(rule.target)] : undefined,
          rule.message ?? `Approval "${this.input.title}" is waiting for your decision`,
        );
        return;
      case 'reassign':
      case 'escalate': {
        const added = (await this.resolve([{ ...parseTarget(rule.target as string) }])).filter((a) => !step.decided.has(a.userId));
        if (step.view.status !== 'open') return; // decided while the directory was read
        const source = rule.action === 'reassign' ? 'reassign' : 'escalation';
        const fresh = added.filter((a) => !step.view.approvers.some((b) => b.userId === a.userId)).map((a) => ({ ...a, source }) as StepApprover);
        step.view.approvers = rule.action === 'reassign' ? added.map((a) => ({ ...a, source }) as StepApprover) : [...step.view.approvers, ...fresh];
        step.queue = rule.action === 'reassign' ? [...step.view.approvers] : [...step.queue, ...fresh];
        // Escalated approvers can still reach the quorum when too few were left.
        if (rule.action === 'escalate') {
          step.view.escalated = true;
          this.escalatedAt = this.escalatedAt ?? nowIso();
          const record = system('escalate', rule.message ?? `escalated to ${rule.target}`);
          this.apply(step, record);
          await this.persist(record);
          await this.tellParent(step);
        }
        await this.save();
        if (rule.message) await this.notify(step, `escalation:${index}`, [parseTarget(rule.target as string)], rule.message);
        return;
      }
      case 'auto_approve': {
        if (step.view.status !== 'open') return;
        const record = system('auto_approve', rule.message ?? `approved automatically after ${rule.after}`);
        this.apply(step, record);
        await this.persist(record);
        return;
      }
      case 'cancel':
        if (step.view.status !== 'open') return;
        this.reason = rule.message ?? `step ${step.view.id} expired after ${rule.after}`;
        this.closeStep(step, 'expired');
        return;
    }
  }

  private async timeout(step: OpenStep): Promise<void> {
    if (step.view.status !== 'open') return;
    const action = (this.chain as ApprovalChain).onTimeout;
    this.events.push({ at: nowIso(), type: 'timeout', stepId: step.view.id, action });
    if (action === 'auto_approve') {
      const record: DecisionRecord = {
        requestId: this.input.requestId,
        round: this.round,
        stepId: step.view.id,
        approverId: 'system:timeout',
        onBehalfOf: null,
        action: 'auto_approve',
        comments: 'approved automatically at the step timeout',
        delegatedTo: null,
        decidedAt: nowIso(),
      };
      this.apply(step, record);
      await this.persist(record);
      return;
    }
    this.reason = `step ${step.view.id} timed out`;
    this.closeStep(step, action === 'reject' ? 'rejected' : 'expired');
  }

  private async slaEvent(step: OpenStep, type: 'sla_warning' | 'sla_breach'): Promise<void> {
    this.events.push({ at: nowIso(), type, stepId: step.view.id });
    if (step.def.sla?.notify) {
      await this.notify(
        step,
        type,
        undefined,
        `Approval "${this.input.title}": SLA ${type === 'sla_warning' ? 'warning' : 'breached'} in step ${step.view.id}`,
      );
    }
  }

  /**
   * Tells `to` (the step's pending approvers when absent); a failed delivery is an event, not a
   * failure. `notice` names what is told (an escalation rule, an SLA level): each is its own mail.
   */
  private async notify(step: OpenStep, notice: string, to: PlainSpec[] | undefined, message: string): Promise<void> {
    const recipients = to ?? step.view.approvers.map((a) => ({ type: 'user' as const, identifier: a.userId }));
    const result = await notifier
      .notifyApprovers({
        requestId: this.input.requestId,
        stepId: step.view.id,
        round: this.round,
        notice,
        recipients,
        subject: `Approval: ${this.input.title}`,
        message,
      })
      .catch((err: unknown) => ({ delivered: false, error: err instanceof Error ? err.message : String(err) }));
    this.events.push({ at: nowIso(), type: 'notification', stepId: step.view.id, detail: { recipients, message, ...result } });
  }

  /** An APPROVAL node's graph shows `escalated` while its approval is escalated. */
  private async tellParent(step: OpenStep): Promise<void> {
    const parent = workflowInfo().parent;
    if (!parent || !this.input.executionId) return;
    await getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(approvalEscalatedSignal, { requestId: this.input.requestId, stepId: step.view.id })
      .catch(() => undefined); // the parent is gone: nobody to tell
  }

  private requestScope(): RequestScope {
    return { data: this.data, requestedBy: this.input.requestedBy ?? null, requestId: this.input.requestId, requestedAt: this.requestedAt };
  }

  /** Resolves specs in order (dynamic ones evaluated over the request), each falling back when it yields nobody. */
  private async resolve(defs: Array<ApproverDefinition | PlainSpec>): Promise<StepApprover[]> {
    const entries = defs.map((d) => ({
      specs: expandSpec(this.requestScope(), d),
      fallback: ('fallback' in d ? (d.fallback ?? []) : []).flatMap((f) => expandSpec(this.requestScope(), f)),
    }));
    return store.resolveApprovalStep({ entries, at: nowIso() });
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
