/**
 * A stage of a rollout: its sites deployed `maxParallel` at a time (inside their maintenance
 * windows for a scheduled rollout), its success criterion, then its gates: the canary analysis,
 * the bake delay and the health checks again before the next stage.
 */
import { condition } from '@temporalio/workflow';
import { RolloutBase, acts, nowIso } from './base';
import type { AnalysisSummary, PlannedStage, WaitingFor } from './types';

/** What a stage ended with: go on, stop (an operator abort or rollback), or fail with a reason. */
export type StageOutcome = 'ok' | 'stopped' | { reason: string };

const HOUR_MS = 3_600_000;

export abstract class RolloutStages extends RolloutBase {
  /**
   * Sites of the stage not yet deployed (in flight counts as not yet: the activities are
   * idempotent), after any site of an earlier stage an operator asked to retry.
   */
  private todo(stage: PlannedStage): string[] {
    const own = stage.sites.filter((site) => {
      const d = this.s.deployments[site];
      return !d || d.status === 'pending' || d.status === 'in_progress';
    });
    const retried = this.retriesDue().filter((site) => !stage.sites.includes(site));
    return retried.length > 0 ? [...retried, ...own] : own;
  }

  /** Sites retried after the last stage deployed: deployed as that stage's were (windows, pauses). */
  protected async deployLeftovers(): Promise<StageOutcome> {
    const last = this.input.plan.stages[this.input.plan.stages.length - 1];
    if (!last || this.retriesDue().length === 0) return 'ok';
    return this.input.plan.schedule ? this.deployScheduled(last) : this.deployAll(last);
  }

  protected override async deployRetries(): Promise<void> {
    const stage = this.input.plan.stages[Math.min(this.s.stageIndex, this.input.plan.stages.length - 1)]!;
    for (let due = this.retriesNow(); due.length > 0 && !this.stopping && !this.s.pauseAsked; due = this.retriesNow()) {
      await this.deployBatch(due.slice(0, stage.maxParallel));
    }
  }

  protected async runStage(stage: PlannedStage, isLast: boolean): Promise<StageOutcome> {
    const deployed = this.input.plan.schedule ? await this.deployScheduled(stage) : await this.deployAll(stage);
    if (deployed !== 'ok') return deployed;
    const missed = this.criterion(stage);
    if (missed) return missed;
    if (stage.kind === 'canary') {
      const gate = await this.canaryGate(stage);
      if (gate !== 'ok') return gate;
    }
    if (isLast) return 'ok';
    if (stage.delayMs > 0 && !(await this.waitActive(stage.delayMs, 'delay'))) return 'stopped';
    if (stage.validate) {
      await this.revalidate(stage);
      return this.criterion(stage) ?? 'ok';
    }
    return 'ok';
  }

  private async deployAll(stage: PlannedStage): Promise<StageOutcome> {
    for (;;) {
      const todo = this.todo(stage);
      this.s.remainingSites = todo;
      if (todo.length === 0) return 'ok';
      if (!(await this.checkpoint())) return 'stopped';
      await this.deployBatch(todo.slice(0, stage.maxParallel));
    }
  }

  /** A scheduled stage: only sites whose window is open now; past the end time the rollout pauses. */
  private async deployScheduled(stage: PlannedStage): Promise<StageOutcome> {
    const schedule = this.input.plan.schedule!;
    for (;;) {
      const todo = this.todo(stage);
      this.s.remainingSites = todo;
      if (todo.length === 0) return 'ok';
      if (!(await this.checkpoint())) return 'stopped';
      const endsIn = schedule.endAt && !this.s.endTimeWaived ? Date.parse(schedule.endAt) - Date.now() : Infinity;
      if (endsIn <= 0) {
        // Says which sites remain (remainingSites); a resume goes on without the end time.
        await this.setPhase('paused', 'schedule_end');
        await condition(() => this.s.endTimeWaived || this.stopping);
        if (this.stopping) return 'stopped';
        await this.setPhase('in_progress', null);
        continue;
      }
      let eligible = todo;
      let nextOpening = HOUR_MS;
      if (schedule.window) {
        const windows = await acts.siteWindows({ siteIds: todo, window: schedule.window, at: nowIso() });
        eligible = windows.filter((w) => w.open).map((w) => w.siteId);
        const openings = windows.filter((w) => !w.open && w.opensInMs !== null).map((w) => w.opensInMs as number);
        if (openings.length > 0) nextOpening = Math.min(...openings);
      }
      if (eligible.length > 0) {
        await this.setPhase('in_progress', null);
        await this.deployBatch(eligible.slice(0, stage.maxParallel));
        continue;
      }
      await this.waitWall(Math.min(nextOpening, endsIn), 'window');
    }
  }

  protected async deployBatch(sites: string[]): Promise<void> {
    await Promise.all(sites.map((site) => this.deployOne(site)));
  }

  private async deployOne(site: string): Promise<void> {
    const { rolloutId, definitionId, version, actor } = this.input;
    const attempt = this.s.deployments[site]?.attempt ?? 1;
    const key = { rolloutId, siteId: site, attempt, definitionId, version, actor };
    this.s.deployments[site] = { status: 'in_progress', attempt, durationMs: null, error: null };
    const begun = await acts.deploySite(key);
    if (begun.outcome !== 'deployed') {
      this.s.deployments[site] = { status: begun.status === 'success' ? 'success' : 'failed', attempt, durationMs: null, error: begun.error };
      return;
    }
    const health = await acts.runSiteHealthChecks({ rolloutId, siteId: site, definitionId, version });
    const done = await acts.completeSiteDeployment({ ...key, health });
    this.s.deployments[site] = { status: done.status, attempt, durationMs: done.durationMs, error: done.error };
  }

  /** The stage's failure when fewer of its sites succeeded than its criterion asks. */
  private criterion(stage: PlannedStage): StageOutcome | undefined {
    const ok = stage.sites.filter((site) => this.s.deployments[site]?.status === 'success').length;
    const share = stage.sites.length === 0 ? 100 : (ok / stage.sites.length) * 100;
    if (share >= stage.successCriteriaPercentage) return undefined;
    const failed = stage.sites.filter((site) => this.s.deployments[site]?.status === 'failed');
    return {
      reason: `stage ${stage.number}: ${ok} of ${stage.sites.length} sites succeeded (${share.toFixed(0)}%), below ${stage.successCriteriaPercentage}%; failed: ${failed
        .map((site) => `${site} (${this.s.deployments[site]?.error ?? 'failed'})`)
        .join(', ')}`,
    };
  }

  /** The stage's sites' health checks again after the bake: an unhealthy site counts as failed. */
  private async revalidate(stage: PlannedStage): Promise<void> {
    const { rolloutId, definitionId, version } = this.input;
    const healthy = stage.sites.filter((site) => this.s.deployments[site]?.status === 'success');
    await Promise.all(
      healthy.map(async (site) => {
        const health = await acts.runSiteHealthChecks({ rolloutId, siteId: site, definitionId, version });
        if (health.status !== 'unhealthy') return;
        const error = `unhealthy after the bake: ${health.checks.map((c) => `${c.name} ${c.status}`).join(', ')}`;
        await acts.failSiteDeployment({ rolloutId, siteId: site, definitionId, actor: this.input.actor, error });
        this.s.deployments[site] = { ...(this.s.deployments[site] as NonNullable<(typeof this.s.deployments)[string]>), status: 'failed', error };
      }),
    );
  }

  /**
   * The canary gate: an analysis every interval for the canary duration (running time); a fail
   * ends it at once. At the end a pass promotes when auto-promotion is on; otherwise, and for an
   * inconclusive verdict (never a silent pass), the rollout pauses waiting for `promote`.
   */
  private async canaryGate(stage: PlannedStage): Promise<StageOutcome> {
    const canary = this.input.plan.canary!;
    const from = nowIso();
    const baselineSites = this.input.plan.stages.flatMap((s) => (s.kind === 'canary' ? [] : s.sites));
    let elapsed = 0;
    let last: AnalysisSummary | undefined;
    while (elapsed < canary.durationMs) {
      const step = Math.min(canary.intervalMs, canary.durationMs - elapsed);
      if (!(await this.waitActive(step, 'analysis'))) return 'stopped';
      elapsed += step;
      last = await this.analyze(stage.sites, baselineSites, from);
      if (last.verdict === 'fail') return { reason: `canary analysis ${last.analysisId} failed: ${last.reasons.join('; ')}` };
    }
    if (last?.verdict === 'pass' && canary.autoPromote) return 'ok';
    if (last?.verdict !== 'pass') {
      const why = last ? `analysis ${last.analysisId} was ${last.verdict}: ${last.reasons.join('; ')}` : 'no analysis ran';
      await acts.notifyRolloutApprovers({ rolloutId: this.input.rolloutId, gate: 'canary', reason: why });
    }
    return this.waitForPromotion();
  }

  private async analyze(canarySites: string[], baselineSites: string[], from: string): Promise<AnalysisSummary> {
    const canary = this.input.plan.canary!;
    const analysisId = `${this.input.rolloutId}:a${this.s.analyses.length + 1}`;
    const result = await acts.analyzeRollout({
      rolloutId: this.input.rolloutId,
      analysisId,
      definitionId: this.input.definitionId,
      version: this.input.version,
      baselineVersion: this.input.baselineVersion,
      canarySites,
      baselineSites,
      from,
      to: nowIso(),
      metrics: canary.metrics,
      errorThresholdPercentage: canary.errorThresholdPercentage,
      performanceThresholdPercentage: canary.performanceThresholdPercentage,
      minSampleSize: canary.minSampleSize,
    });
    const summary: AnalysisSummary = { ...result, analysisId, at: nowIso() };
    this.s.analyses = [...this.s.analyses, summary];
    return summary;
  }

  protected async waitForPromotion(): Promise<StageOutcome> {
    this.s.promoted = false;
    await this.setPhase('paused', 'promotion' satisfies WaitingFor);
    for (;;) {
      await condition(() => this.s.promoted || this.stopping || this.retriesNow().length > 0);
      if (this.s.promoted || this.stopping) break;
      // Retried sites deploy while the gate waits; it still waits for `promote` after.
      await this.deployRetries();
    }
    if (this.stopping) return 'stopped';
    await this.setPhase('in_progress', null);
    return 'ok';
  }
}
