/**
 * An open approval step's deadlines: its escalation rules, SLA levels and timeout as durable
 * timers, fired in time order until the step closes, and the notifications they send. The run
 * (approval.ts) opens the steps; the record (approval-record.ts) keeps what they change.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { condition, getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';
import { parseDuration } from '../graph/duration';
import { stepTimeoutMs, type ApprovalChain, type ApproverDefinition, type EscalationRule } from '../graph/approval-chain';
import { expandSpec, nowIso, parseTarget, type OpenStep, type PlainSpec, type RequestScope } from './approval-rules';
import { approvalEscalatedSignal, type DecisionRecord, type StepApprover } from './approval-types';
import { ApprovalRecord, store } from './approval-record';

// A notification that cannot be delivered must not hold the chain up.
const notifier = proxyActivities<WeftActivities>({
  startToCloseTimeout: '60s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});

/** The record of one approval request with its open step's deadlines; the run (approval.ts) extends it. */
export class ApprovalDeadlines extends ApprovalRecord {
  /** The step's timers (escalations, SLA levels, timeout) in time order, until the step closes. */
  protected async waitForStep(step: OpenStep): Promise<void> {
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
  protected async resolve(defs: Array<ApproverDefinition | PlainSpec>): Promise<StepApprover[]> {
    const entries = defs.map((d) => ({
      specs: expandSpec(this.requestScope(), d),
      fallback: ('fallback' in d ? (d.fallback ?? []) : []).flatMap((f) => expandSpec(this.requestScope(), f)),
    }));
    return store.resolveApprovalStep({ entries, at: nowIso() });
  }
}
