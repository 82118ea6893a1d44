/**
 * One execution of a rollback plan as its own workflow: the plan's steps run in dependency
 * order (independent steps side by side), each site is pointed back by an idempotent activity,
 * and every step's and site's status is kept here and written for the API after each change.
 * A site that fails leaves the others going: the execution ends `partial`.
 */
import { ApplicationFailure, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import type { RollbackProgressEntry, RollbackProgressRecord, RollbackStatus, RollbackStepSpec, RollbackWorkflowInput } from '../../shared/rollback';
import { blockedSteps, fold, overall, readySteps } from './progress';

/** The execution's progress as it stands. */
export const rollbackProgressQuery = defineQuery<RollbackProgressRecord>('rollbackProgress');

// Bookkeeping must outlive a database outage: unlimited attempts, capped backoff.
const bookkeeping = proxyActivities<WeftActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '30s', backoffCoefficient: 2 },
});

// A site step retries a few times; a refusal (CONFIG_INVALID, SITE_NOT_FOUND) is not retried at all.
const siteStep = proxyActivities<WeftActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 3 },
});

function message(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'ERROR'}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

const now = (): string => new Date().toISOString();

export async function rollbackWorkflow(input: RollbackWorkflowInput): Promise<RollbackProgressRecord> {
  const steps: Record<string, RollbackProgressEntry> = {};
  const sites: Record<string, RollbackProgressEntry> = {};
  for (const step of input.steps) {
    steps[step.stepNumber] = { status: 'pending' };
    if (step.action === 'revert_sites') for (const s of step.siteIds) sites[s] = { status: 'pending' };
  }
  const record: RollbackProgressRecord = { executionId: input.executionId, revision: 0, status: 'in_progress', steps, sites };
  setHandler(rollbackProgressQuery, () => record);
  const save = async (): Promise<void> => {
    record.revision += 1;
    await bookkeeping.recordRollbackProgress({ ...record, steps: { ...steps }, sites: { ...sites } });
  };

  const finishStep = (step: RollbackStepSpec, status: RollbackStatus, extra: Partial<RollbackProgressEntry> = {}) => {
    steps[step.stepNumber] = { ...steps[step.stepNumber], status, completedAt: now(), ...extra };
  };

  const revertSite = async (siteId: string): Promise<RollbackStatus> => {
    sites[siteId] = { status: 'in_progress', startedAt: now() };
    try {
      const moved = await siteStep.revertSiteVersion({
        executionId: input.executionId,
        rolloutId: input.rolloutId,
        siteId,
        definitionId: input.definitionId,
        version: input.targetVersion,
      });
      // The site's health after the move is reported, not judged: the move itself succeeded.
      let health: unknown;
      try {
        health = await siteStep.runSiteHealthChecks({ rolloutId: input.rolloutId, siteId, definitionId: input.definitionId, version: input.targetVersion });
      } catch (err) {
        health = { error: message(err) };
      }
      sites[siteId] = { ...sites[siteId], status: 'success', completedAt: now(), result: { ...moved, health } };
      return 'success';
    } catch (err) {
      sites[siteId] = { ...sites[siteId], status: 'failed', completedAt: now(), error: message(err) };
      return 'failed';
    }
  };

  const runStep = async (step: RollbackStepSpec): Promise<void> => {
    steps[step.stepNumber] = { status: 'in_progress', startedAt: now() };
    await save();
    try {
      if (step.action === 'verify_recovery_point') {
        const found = await siteStep.verifyRollbackTarget({ recoveryPointId: input.recoveryPointId, definitionId: input.definitionId, version: input.targetVersion });
        finishStep(step, 'success', { result: found });
      } else if (step.action === 'revert_sites') {
        const outcomes = await Promise.all(step.siteIds.map(revertSite));
        finishStep(step, fold(outcomes));
      } else if (step.action === 'verify_site_versions') {
        const moved = step.siteIds.filter((s) => sites[s]?.status === 'success');
        const running = await bookkeeping.readSiteVersions({ definitionId: input.definitionId, siteIds: moved });
        const wrong = moved.filter((s) => running[s] !== input.targetVersion);
        finishStep(step, wrong.length === 0 ? 'success' : 'failed', {
          result: { checked: moved, running },
          ...(wrong.length > 0 ? { error: `sites not at ${input.targetVersion}: ${wrong.join(', ')}` } : {}),
        });
      } else {
        finishStep(step, 'failed', { error: `unknown step action ${step.action}` });
      }
    } catch (err) {
      finishStep(step, 'failed', { error: message(err) });
    }
    await save();
  };

  await save();
  for (;;) {
    for (const step of blockedSteps(input.steps, steps)) finishStep(step, 'failed', { error: 'a step it depends on failed' });
    const ready = readySteps(input.steps, steps);
    if (ready.length === 0) break;
    await Promise.all(ready.map(runStep));
  }

  record.status = overall(
    Object.values(sites).map((s) => s.status),
    input.steps.map((s) => steps[s.stepNumber]?.status ?? 'failed'),
  );
  record.completedAt = now();
  await save();
  return record;
}
