/**
 * The steps of a rollback plan (RollbackPlan.rollbackSteps of `000_*.txt`): check the recovery
 * point, point the sites back in batches that run side by side, then read back what each site
 * runs. Pure: the service stores the plan, the rollback workflow runs it.
 */
import type { RollbackProgress, RollbackStep } from '../db/schema';

/** Sites pointed back side by side in one step. */
export const SITES_PER_STEP = 10;

/** Estimates in milliseconds before any rollback has run here: a few queries, a site revert plus its health checks, a read-back. */
export const STEP_ESTIMATES = { verify: 200, perSiteRevert: 1_500, readBack: 200 } as const;

export type StepEstimates = { verify: number; perSiteRevert: number; readBack: number };

/** How long the steps of past rollback executions took, in milliseconds, by what they did. */
export interface MeasuredDurations {
  verify: number[];
  /** One entry per site pointed back. */
  siteRevert: number[];
  readBack: number[];
}

/** A finished rollback execution: its plan's steps and the progress it recorded. */
export interface FinishedRollback {
  planSteps: RollbackStep[];
  steps: Record<string, RollbackProgress>;
  sites: Record<string, RollbackProgress>;
}

const tookMs = (p: RollbackProgress | undefined): number | undefined =>
  p?.status === 'success' && p.startedAt && p.completedAt ? Date.parse(p.completedAt) - Date.parse(p.startedAt) : undefined;

/** What each kind of step took in `runs`: successful steps and sites only (a failure says nothing of the time a revert takes). */
export function durationsOf(runs: FinishedRollback[]): MeasuredDurations {
  const out: MeasuredDurations = { verify: [], siteRevert: [], readBack: [] };
  for (const run of runs) {
    for (const step of run.planSteps) {
      const ms = tookMs(run.steps[String(step.stepNumber)]);
      if (ms === undefined) continue;
      if (step.action === 'verify_recovery_point') out.verify.push(ms);
      if (step.action === 'verify_site_versions') out.readBack.push(ms);
    }
    for (const site of Object.values(run.sites)) {
      const ms = tookMs(site);
      if (ms !== undefined) out.siteRevert.push(ms);
    }
  }
  return out;
}

/** Fewer measurements than this and a default stands in: one slow run is not a forecast. */
export const MIN_MEASUREMENTS = 3;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Estimates from measured durations: the median for the single steps; for a revert step the
 * 90th percentile of one site, since a step takes as long as the slowest of the sites it runs
 * side by side. A kind with too few measurements keeps its default.
 */
export function estimatesFrom(measured: MeasuredDurations): StepEstimates & { measured: boolean } {
  const pick = (values: number[], p: number, fallback: number) => (values.length >= MIN_MEASUREMENTS ? Math.round(percentile(values, p)) : fallback);
  return {
    verify: pick(measured.verify, 50, STEP_ESTIMATES.verify),
    perSiteRevert: pick(measured.siteRevert, 90, STEP_ESTIMATES.perSiteRevert),
    readBack: pick(measured.readBack, 50, STEP_ESTIMATES.readBack),
    measured: measured.siteRevert.length >= MIN_MEASUREMENTS,
  };
}

/** The ordered steps for `affectedSites` and the plan's estimated duration (the longest chain of dependencies). */
export function buildRollbackSteps(affectedSites: string[], estimates: StepEstimates = STEP_ESTIMATES): { steps: RollbackStep[]; estimatedDurationMs: number } {
  const steps: RollbackStep[] = [
    { stepNumber: 1, action: 'verify_recovery_point', siteIds: [...affectedSites], estimatedTimeMs: estimates.verify, dependencies: [] },
  ];
  for (let i = 0; i < affectedSites.length; i += SITES_PER_STEP) {
    // The sites of one step run at once: the step takes about as long as one site.
    steps.push({
      stepNumber: steps.length + 1,
      action: 'revert_sites',
      siteIds: affectedSites.slice(i, i + SITES_PER_STEP),
      estimatedTimeMs: estimates.perSiteRevert,
      dependencies: [1],
    });
  }
  const reverts = steps.filter((s) => s.action === 'revert_sites').map((s) => s.stepNumber);
  steps.push({
    stepNumber: steps.length + 1,
    action: 'verify_site_versions',
    siteIds: [...affectedSites],
    estimatedTimeMs: estimates.readBack,
    dependencies: reverts,
  });
  return { steps, estimatedDurationMs: criticalPath(steps) };
}

/** The longest sum of estimates along a chain of dependencies: steps without one between them run at once. */
export function criticalPath(steps: RollbackStep[]): number {
  const finish = new Map<number, number>();
  for (const step of [...steps].sort((a, b) => a.stepNumber - b.stepNumber)) {
    const ready = Math.max(0, ...step.dependencies.map((d) => finish.get(d) ?? 0));
    finish.set(step.stepNumber, ready + step.estimatedTimeMs);
  }
  return Math.max(0, ...finish.values());
}
