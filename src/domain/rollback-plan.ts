/**
 * The steps of a rollback plan (RollbackPlan.rollbackSteps of `000_*.txt`): check the recovery
 * point, point the sites back in batches that run side by side, then read back what each site
 * runs. Pure: the service stores the plan, the rollback workflow runs it.
 */
import type { RollbackStep } from '../db/schema';

/** Sites pointed back side by side in one step. */
export const SITES_PER_STEP = 10;

/** Estimates in milliseconds, from what each step does: a few queries, a site revert plus its health checks, a read-back. */
export const STEP_ESTIMATES = { verify: 200, perSiteRevert: 1_500, readBack: 200 } as const;

/** The ordered steps for `affectedSites` and the plan's estimated duration (the longest chain of dependencies). */
export function buildRollbackSteps(affectedSites: string[]): { steps: RollbackStep[]; estimatedDurationMs: number } {
  const steps: RollbackStep[] = [
    { stepNumber: 1, action: 'verify_recovery_point', siteIds: [...affectedSites], estimatedTimeMs: STEP_ESTIMATES.verify, dependencies: [] },
  ];
  for (let i = 0; i < affectedSites.length; i += SITES_PER_STEP) {
    // The sites of one step run at once: the step takes about as long as one site.
    steps.push({
      stepNumber: steps.length + 1,
      action: 'revert_sites',
      siteIds: affectedSites.slice(i, i + SITES_PER_STEP),
      estimatedTimeMs: STEP_ESTIMATES.perSiteRevert,
      dependencies: [1],
    });
  }
  const reverts = steps.filter((s) => s.action === 'revert_sites').map((s) => s.stepNumber);
  steps.push({
    stepNumber: steps.length + 1,
    action: 'verify_site_versions',
    siteIds: [...affectedSites],
    estimatedTimeMs: STEP_ESTIMATES.readBack,
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
