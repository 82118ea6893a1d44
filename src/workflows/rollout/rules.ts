/**
 * Which operator action a rollout accepts in which state: the one judge for updates (their
 * validators) and signals alike. Refusals carry a stable code as their failure type.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { TERMINAL_ROLLOUT_STATUSES, type RolloutAction, type RolloutActionRequest, type RolloutRunState } from './types';

/** What the rules look at besides the carried state. */
export interface ActionContext {
  state: RolloutRunState;
  /** An abort or rollback is under way: nothing else is accepted. */
  stopping: boolean;
  /** A pause was asked and not yet resumed. */
  pauseAsked: boolean;
}

function refuse(code: string, message: string): never {
  throw ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

/** The failed sites a `retry` asking for `named` (all when absent) deploys again. */
export function sitesToRetry(state: RolloutRunState, named: string[] | undefined): string[] {
  const failed = Object.keys(state.deployments).filter((site) => state.deployments[site]?.status === 'failed');
  return named === undefined ? failed : failed.filter((site) => named.includes(site));
}

/** @throws ApplicationFailure with a ROLLOUT_* type when `action` is not accepted now */
export function checkAction(action: RolloutAction, ctx: ActionContext, req?: RolloutActionRequest): void {
  const { state } = ctx;
  if (TERMINAL_ROLLOUT_STATUSES.includes(state.status)) refuse('ROLLOUT_FINISHED', `the rollout is ${state.status}`);
  if (ctx.stopping) refuse('ROLLOUT_FINISHED', 'the rollout is being stopped');
  switch (action) {
    case 'start':
      if (state.started) refuse('ROLLOUT_ALREADY_STARTED', `the rollout was started already; it is ${state.status}`);
      return;
    case 'pause':
      if (!state.started) refuse('ROLLOUT_NOT_RUNNING', 'the rollout has not been started');
      if (ctx.pauseAsked || state.status === 'paused')
        refuse('ROLLOUT_NOT_RUNNING', `the rollout is paused already (waiting for ${state.waitingFor ?? 'resume'})`);
      return;
    case 'resume':
      if (state.waitingFor === 'promotion') refuse('ROLLOUT_AWAITS_PROMOTION', 'the rollout waits at its promotion gate: promote, abort or roll back');
      if (!ctx.pauseAsked && state.waitingFor !== 'schedule_end') refuse('ROLLOUT_NOT_PAUSED', `the rollout is ${state.status}, not paused`);
      return;
    case 'promote':
      if (state.waitingFor !== 'promotion')
        refuse(
          'ROLLOUT_NOT_WAITING',
          `the rollout is not waiting for promotion (${state.status}${state.waitingFor ? `, waiting for ${state.waitingFor}` : ''})`,
        );
      return;
    case 'abort':
    case 'rollback':
      return;
    case 'retry': {
      if (!state.started) refuse('ROLLOUT_NOT_RUNNING', 'the rollout has not been started');
      const named = req?.sites;
      const retried = sitesToRetry(state, named);
      if (retried.length === 0)
        refuse('ROLLOUT_NOTHING_TO_RETRY', named ? `none of ${named.join(', ')} failed in this rollout` : 'no site failed in this rollout');
      if (named && retried.length < named.length) {
        refuse('ROLLOUT_NOTHING_TO_RETRY', `only failed sites are deployed again; not failed: ${named.filter((s) => !retried.includes(s)).join(', ')}`);
      }
      return;
    }
  }
}
