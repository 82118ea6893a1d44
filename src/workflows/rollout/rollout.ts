/**
 * One rollout as one Temporal workflow (id = rollout id): the approval gate and `start`, then
 * its stages one after another (stages.ts), then its end: completed, failed (with an automatic
 * rollback when configured), aborted or rolled back by an operator. Its durable state is this
 * workflow; activities keep the rows (rollout, deployments, recovery points) for the API.
 */
import { ParentClosePolicy, allHandlersFinished, condition, patched, startChild } from '@temporalio/workflow';
import type { ApprovalInput, ApprovalResult } from '../approval-types';
import { ACTION_AUDIT_PATCH, acts, nowIso } from './base';
import { chunks } from './plan';
import { RolloutStages } from './stages';
import { passWhatIfGate, whatIfGateDue } from './what-if-gate';
import type { RolloutInput, RolloutResult } from './types';

/** Sites taken back at once in a rollback. */
const ROLLBACK_PARALLEL = 10;

/** Runs one rollout to its end. */
export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutResult> {
  return new RolloutRun(input).run();
}

class RolloutRun extends RolloutStages {
  async run(): Promise<RolloutResult> {
    if (this.input.rollbackOnly) return this.rollbackAfterEnd(this.input.rollbackOnly);
    if (!this.s.started || !this.s.approved) {
      if (!(await this.gate())) return this.end();
    }
    if (whatIfGateDue(this.input.whatIf, this.s.whatIfPassed)) {
      await this.setPhase('pending', 'what_if');
      this.s.failureReason = await passWhatIfGate(this.input.whatIf);
      if (this.s.failureReason) {
        this.s.status = 'failed';
        return this.end();
      }
      this.s.whatIfPassed = true;
    }
    this.s.startedAt ??= nowIso();
    await this.setPhase('in_progress', null);
    const schedule = this.input.plan.schedule;
    if (schedule?.startAt && Object.keys(this.s.deployments).length === 0) {
      while (Date.parse(schedule.startAt) > Date.now()) {
        if (!(await this.checkpoint())) break;
        await this.waitWall(Date.parse(schedule.startAt) - Date.now(), 'schedule_start');
      }
    }
    const stages = this.input.plan.stages;
    for (; this.s.stageIndex < stages.length && !this.stopping; this.s.stageIndex++) {
      const outcome = await this.runStage(stages[this.s.stageIndex]!, this.s.stageIndex === stages.length - 1);
      if (outcome === 'stopped') break;
      if (outcome !== 'ok') {
        await this.fail(outcome.reason);
        return this.end();
      }
    }
    // A retry asked for after the last stage's deployments: those sites are deployed before the end.
    if (!this.s.stop) await this.deployLeftovers();
    if (this.s.stop) await this.applyStop();
    else {
      this.s.status = 'completed';
      this.s.stageIndex = stages.length - 1;
    }
    return this.end();
  }

  /**
   * Waits for `start` and, when a `rollout` approval policy applies, for the approval request
   * (an approval child workflow, answered through the approvals API). @returns false when it
   * ends here (aborted, or the approval was not given)
   */
  private async gate(): Promise<boolean> {
    let outcome: ApprovalResult['status'] | 'failed' | undefined;
    if (this.input.approvalPolicyId && !this.s.approved) {
      const requestId = `${this.input.rolloutId}:approval`;
      const { plan, definitionId, version } = this.input;
      const request: ApprovalInput = {
        requestId,
        type: 'rollout',
        title: `Roll out ${definitionId} ${version} (${plan.strategy}) to ${plan.stages.reduce((n, s) => n + s.sites.length, 0)} sites`,
        data: { rolloutId: this.input.rolloutId, definitionId, version, strategy: plan.strategy, sites: plan.stages.flatMap((s) => s.sites) },
        requestedBy: this.input.actor,
        policyId: this.input.approvalPolicyId,
      };
      const child = await startChild<(a: ApprovalInput) => Promise<ApprovalResult>>('approvalWorkflow', {
        workflowId: requestId,
        args: [request],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: `approval: ${request.title}`,
      });
      this.s.approvalRequestId = requestId;
      child.result().then(
        (r) => (outcome = r.status),
        () => (outcome = 'failed'),
      );
    } else this.s.approved = true;
    await this.setPhase('pending', this.s.started ? 'approval' : 'start');
    await condition(() => this.s.started || this.stopping);
    if (!this.s.approved && !this.stopping) {
      await this.setPhase('pending', 'approval');
      await condition(() => outcome !== undefined || this.stopping);
      if (outcome === 'approved') this.s.approved = true;
      else if (!this.stopping) {
        this.s.status = 'failed';
        this.s.failureReason = `the approval request ${this.s.approvalRequestId} was ${outcome}`;
        return false;
      }
    }
    if (this.s.stop) {
      await this.applyStop();
      return false;
    }
    return true;
  }

  /** A failed stage, analysis or deployment: rolled back when configured, else left as it is. */
  private async fail(reason: string): Promise<void> {
    this.s.failureReason = reason;
    if (!this.input.plan.autoRollback) {
      this.s.status = 'failed';
      return;
    }
    await this.setPhase('in_progress', null);
    await this.rollbackSites(Object.keys(this.s.deployments), `automatic rollback: ${reason}`);
    this.s.status = 'rolled_back';
  }

  /** An operator's abort (deployed sites stay) or rollback (they go back). */
  private async applyStop(): Promise<void> {
    const stop = this.s.stop!;
    if (stop.kind === 'abort') {
      this.s.status = 'failed';
      this.s.failureReason = `aborted by ${stop.by}${stop.reason ? `: ${stop.reason}` : ''}`;
      return;
    }
    this.s.failureReason = `rolled back by ${stop.by}${stop.reason ? `: ${stop.reason}` : ''}`;
    await this.setPhase('in_progress', null);
    await this.rollbackSites(Object.keys(this.s.deployments), this.s.failureReason);
    this.s.status = 'rolled_back';
  }

  /** Every site this rollout deployed back to its pre_deployment recovery point. */
  private async rollbackSites(sites: string[], reason: string): Promise<void> {
    const { rolloutId, definitionId, actor } = this.input;
    const touched = sites.filter((site) => {
      const d = this.s.deployments[site];
      return !d || (d.status !== 'pending' && d.status !== 'rolled_back');
    });
    for (const batch of chunks(touched, ROLLBACK_PARALLEL)) {
      await Promise.all(
        batch.map(async (site) => {
          const changed = await acts.rollbackSite({ rolloutId, siteId: site, definitionId, actor, reason });
          const d = this.s.deployments[site];
          if (changed && d) this.s.deployments[site] = { ...d, status: 'rolled_back' };
        }),
      );
    }
  }

  /** A run started after the rollout ended, only to take its sites back. */
  private async rollbackAfterEnd(req: NonNullable<RolloutInput['rollbackOnly']>): Promise<RolloutResult> {
    this.s.started = true;
    this.s.approved = true;
    if (patched(ACTION_AUDIT_PATCH)) await this.auditAction('rollback', req, { status: req.endedAs ?? 'failed', waitingFor: null });
    this.s.failureReason = `rolled back by ${req.by}${req.reason ? `: ${req.reason}` : ''}`;
    await this.rollbackSites(await acts.rolloutTouchedSites({ rolloutId: this.input.rolloutId }), this.s.failureReason);
    this.s.status = 'rolled_back';
    return this.end();
  }

  private async end(): Promise<RolloutResult> {
    this.s.waitingFor = null;
    this.s.pauseAsked = false;
    // The actions' own audit records first, so the trail reads `abort` before `failed`.
    await condition(allHandlersFinished);
    await this.record();
    // Answer every update before the run ends, so no caller sees "workflow completed" instead.
    await condition(allHandlersFinished);
    return { rolloutId: this.input.rolloutId, status: this.s.status, failureReason: this.s.failureReason };
  }
}
