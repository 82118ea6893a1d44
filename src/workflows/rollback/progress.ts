/**
 * A rollback's progress as its workflow keeps it: each step's and each site's status, and how a
 * set of outcomes folds into one. Pure TypeScript (workflow code): no Node APIs, no I/O.
 */
import type { RollbackProgressEntry, RollbackStatus, RollbackStepSpec } from '../../shared/rollback';

/** `success` when all succeeded, `failed` when none did, `partial` otherwise. */
export function fold(statuses: RollbackStatus[]): RollbackStatus {
  if (statuses.every((s) => s === 'success')) return 'success';
  if (statuses.every((s) => s === 'failed')) return 'failed';
  return 'partial';
}

const FINISHED: RollbackStatus[] = ['success', 'failed', 'partial'];

/**
 * The steps that may start now: pending, with every dependency finished and none failed (a
 * `partial` dependency lets the next step go on with the sites that did succeed).
 */
export function readySteps(steps: RollbackStepSpec[], progress: Record<string, RollbackProgressEntry>): RollbackStepSpec[] {
  return steps.filter((step) => {
    if (progress[step.stepNumber]?.status !== 'pending') return false;
    return step.dependencies.every((d) => FINISHED.includes(progress[d]?.status ?? 'pending') && progress[d]?.status !== 'failed');
  });
}

/** Pending steps that can never start because a dependency failed. */
export function blockedSteps(steps: RollbackStepSpec[], progress: Record<string, RollbackProgressEntry>): RollbackStepSpec[] {
  return steps.filter((step) => progress[step.stepNumber]?.status === 'pending' && step.dependencies.some((d) => progress[d]?.status === 'failed'));
}

/** The execution's outcome: `failed` when no site moved, `success` when every site and step succeeded, `partial` otherwise. */
export function overall(siteStatuses: RollbackStatus[], stepStatuses: RollbackStatus[]): RollbackStatus {
  if (siteStatuses.length === 0) return fold(stepStatuses);
  if (!siteStatuses.includes('success')) return 'failed';
  return [...siteStatuses, ...stepStatuses].every((s) => s === 'success') ? 'success' : 'partial';
}
