/**
 * The rollout workflow's state, operator actions and waits. Actions change the state at once
 * inside their handler (so the answer says what they did); the main loop (stages.ts,
 * rollout.ts) notices them at its next checkpoint or wait: a pause lets the deployments in
 * flight finish and stops before the next batch, and every timer is paused with it.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ApplicationFailure,
} from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import type { RolloutActionRecord } from '../../shared/rollouts';
import { rolloutStatusKey } from '../search-attributes';
import { rolloutSignals, rolloutStateQuery, rolloutUpdates } from './messages';
import { checkAction, sitesToRetry } from './rules';
import type { RolloutAction, RolloutActionRequest, RolloutInput, RolloutLiveState, RolloutResult, RolloutRunState, RolloutStatus, WaitingFor } from './types';

// Each activity is a few statements; a worker that died holding one is retried on another soon.
export const acts = proxyActivities<WeftActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', maximumInterval: '10s', backoffCoefficient: 2 },
});

const ACTIONS: RolloutAction[] = ['start', 'pause', 'resume', 'promote', 'abort', 'rollback', 'retry'];
/** Accepted actions write their own audit record from the workflow (before: the API wrote it after the update). */
export const ACTION_AUDIT_PATCH = 'weft-rollout-action-audit';
const DEFAULT_HISTORY_LIMIT = 5_000;
/** Refused signals kept in the state (the latest). */
const REFUSED_KEPT = 50;

export const nowIso = (): string => new Date(Date.now()).toISOString();

function initialState(): RolloutRunState {
  return {
    status: 'pending',
    waitingFor: 'start',
    started: false,
    approved: false,
    stageIndex: 0,
    deployments: {},
    analyses: [],
    refused: [],
    failureReason: null,
    startedAt: null,
    endTimeWaived: false,
    remainingSites: [],
    pauseAsked: false,
    promoted: false,
    stop: null,
    approvalRequestId: null,
  };
}

export abstract class RolloutBase {
  protected readonly s: RolloutRunState;
  private recorded = '';
  private shownStatus: RolloutStatus | undefined;

  constructor(protected readonly input: RolloutInput) {
    this.s = input.state ?? initialState();
    setHandler(rolloutStateQuery, () => this.view());
    for (const action of ACTIONS) {
      setHandler(
        rolloutUpdates[action],
        (req) => {
          const before = this.phase();
          const accepted = this.withRetried(action, req);
          const answer = this.apply(action, accepted);
          // Unpatched the handler stays synchronous: its answer came before the loop's next command.
          return patched(ACTION_AUDIT_PATCH) ? this.auditAction(action, accepted, before).then(() => answer) : answer;
        },
        { validator: (req: RolloutActionRequest) => this.check(action, req) },
      );
      setHandler(rolloutSignals[action], (req) => {
        try {
          this.check(action, req);
        } catch (err) {
          const failure = err as ApplicationFailure;
          this.s.refused = [...this.s.refused, { action, by: req.by, code: failure.type ?? 'REFUSED', message: failure.message, at: nowIso() }].slice(
            -REFUSED_KEPT,
          );
          return;
        }
        const before = this.phase();
        const accepted = this.withRetried(action, req);
        this.apply(action, accepted);
        if (patched(ACTION_AUDIT_PATCH)) return this.auditAction(action, accepted, before);
      });
    }
  }

  protected get stopping(): boolean {
    return this.s.stop !== null;
  }

  view(): RolloutLiveState {
    const stage = this.input.plan.stages[this.s.stageIndex];
    return { ...this.s, rolloutId: this.input.rolloutId, stage: stage?.number ?? null };
  }

  /** A retry names the sites it deploys again, so its audit record says which. */
  private withRetried(action: RolloutAction, req: RolloutActionRequest): RolloutActionRequest {
    return action === 'retry' ? { ...req, sites: sitesToRetry(this.s, req.sites) } : req;
  }

  private phase(): RolloutActionRecord['before'] {
    return { status: this.s.status, waitingFor: this.s.waitingFor };
  }

  /**
   * The accepted action's audit record, written by an activity the handler waits for: an update
   * is answered once its record exists, and the acceptance in the history makes the record
   * certain to be written even if a worker dies meanwhile (a signal's too). Behind
   * ACTION_AUDIT_PATCH at every call.
   */
  protected async auditAction(action: RolloutAction, req: RolloutActionRequest, before: RolloutActionRecord['before']): Promise<void> {
    const n = (this.s.actionsTaken ?? 0) + 1;
    this.s.actionsTaken = n;
    await acts.recordRolloutAction({
      rolloutId: this.input.rolloutId,
      // The first run's id tells a rollback run after the end from the rollout's own chain of runs.
      actionId: `${this.input.rolloutId}:${workflowInfo().firstExecutionRunId}:action:${n}`,
      action,
      by: req.by,
      reason: req.reason ?? null,
      ...(req.sites ? { sites: req.sites } : {}),
      ...(req.request ? { request: req.request } : {}),
      before,
    });
  }

  private check(action: RolloutAction, req?: RolloutActionRequest): void {
    checkAction(action, { state: this.s, stopping: this.stopping, pauseAsked: this.s.pauseAsked }, req);
  }

  /** Sites an operator's `retry` put back to pending for a new attempt, not deployed yet. */
  protected retriesDue(): string[] {
    return Object.keys(this.s.deployments).filter((site) => {
      const d = this.s.deployments[site];
      return d?.status === 'pending' && d.attempt > 1;
    });
  }

  /**
   * Retried sites a wait deploys at once: none for a scheduled rollout, whose sites deploy only
   * inside their maintenance windows (its next deployment step takes them).
   */
  protected retriesNow(): string[] {
    return this.input.plan.schedule ? [] : this.retriesDue();
  }

  /** Deploys the retried sites (stages.ts); a wait that wakes for them calls it and waits on. */
  protected abstract deployRetries(): Promise<void>;

  private apply(action: RolloutAction, req: RolloutActionRequest): RolloutLiveState {
    const reason = req.reason ?? '';
    switch (action) {
      case 'start':
        this.s.started = true;
        break;
      case 'pause':
        this.s.pauseAsked = true;
        this.s.status = 'paused';
        this.s.waitingFor = 'resume';
        break;
      case 'resume':
        if (this.s.waitingFor === 'schedule_end') this.s.endTimeWaived = true;
        this.s.pauseAsked = false;
        this.s.status = 'in_progress';
        this.s.waitingFor = null;
        break;
      case 'promote':
        this.s.promoted = true;
        this.s.status = 'in_progress';
        this.s.waitingFor = null;
        break;
      case 'abort':
      case 'rollback':
        this.s.stop = { kind: action, by: req.by, reason };
        break;
      case 'retry':
        // A new attempt of each: its own key, so the deployment activities run again.
        for (const site of sitesToRetry(this.s, req.sites)) {
          const d = this.s.deployments[site]!;
          this.s.deployments = { ...this.s.deployments, [site]: { status: 'pending', attempt: d.attempt + 1, durationMs: null, error: null } };
        }
        break;
    }
    return this.view();
  }

  /** Shows a phase: the row, and the status search attribute (only what changed is written). */
  protected async setPhase(status: RolloutStatus, waitingFor: WaitingFor): Promise<void> {
    this.s.status = status;
    this.s.waitingFor = waitingFor;
    await this.record();
  }

  protected async record(): Promise<void> {
    const s = this.s;
    const key = JSON.stringify([s.status, s.waitingFor, s.failureReason, s.startedAt, s.approvalRequestId]);
    if (key === this.recorded) return;
    this.recorded = key;
    if (s.status !== this.shownStatus) {
      this.shownStatus = s.status;
      upsertSearchAttributes([{ key: rolloutStatusKey, value: s.status }]);
    }
    await acts.recordRolloutState({
      rolloutId: this.input.rolloutId,
      status: s.status,
      waitingFor: s.waitingFor,
      failureReason: s.failureReason,
      startedAt: s.startedAt,
      ...(s.approvalRequestId ? { approvalRequestId: s.approvalRequestId } : {}),
    });
  }

  /** Waits while paused; false when the rollout is being stopped. */
  private async pausedWait(): Promise<boolean> {
    await this.setPhase('paused', 'resume');
    await condition(() => !this.s.pauseAsked || this.stopping);
    if (this.stopping) return false;
    await this.setPhase('in_progress', null);
    return true;
  }

  /**
   * Before each batch: waits out a pause, continues as new when the history is long.
   * @returns false when the rollout is being stopped
   */
  protected async checkpoint(): Promise<boolean> {
    for (;;) {
      if (this.stopping) return false;
      if (this.s.pauseAsked) {
        if (!(await this.pausedWait())) return false;
        continue;
      }
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength >= (this.input.historyLimit ?? DEFAULT_HISTORY_LIMIT)) {
        await condition(allHandlersFinished);
        // A signal may have arrived while the handlers finished: the state carries it.
        await continueAsNew<(input: RolloutInput) => Promise<RolloutResult>>({ ...this.input, state: this.s });
      }
      return true;
    }
  }

  /**
   * A bake or interval of `ms` of running time: paused time does not count. Shows `waitingFor`
   * meanwhile. @returns false when the rollout is being stopped
   */
  protected async waitActive(ms: number, waitingFor: WaitingFor): Promise<boolean> {
    let remaining = ms;
    while (remaining > 0) {
      if (this.stopping) return false;
      if (this.s.pauseAsked) {
        if (!(await this.pausedWait())) return false;
        continue;
      }
      await this.setPhase('in_progress', waitingFor);
      const began = Date.now();
      await condition(() => this.s.pauseAsked || this.stopping || this.retriesNow().length > 0, remaining);
      remaining -= Date.now() - began;
      if (!this.s.pauseAsked && !this.stopping && this.retriesNow().length > 0) {
        // Retried sites deploy now, not after the wait; the time they take counts as waited.
        const retryBegan = Date.now();
        await this.deployRetries();
        remaining -= Date.now() - retryBegan;
      }
    }
    await this.setPhase('in_progress', null);
    return !this.stopping;
  }

  /** Waits wall-clock time (a window, a start time), woken early by a pause or a stop. */
  protected async waitWall(ms: number, waitingFor: WaitingFor): Promise<void> {
    await this.setPhase('in_progress', waitingFor);
    await condition(() => this.s.pauseAsked || this.stopping, Math.max(1, ms));
  }
}
