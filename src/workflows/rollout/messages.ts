/**
 * The rollout workflow's messages: each operator action is an update (its validator refuses
 * with a code and changes nothing) and a signal of the same name for raw Temporal clients,
 * checked by the same rules (a refused signal is recorded in `refused`).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RolloutAction, RolloutActionRequest, RolloutLiveState } from './types';

export const rolloutStateQuery = defineQuery<RolloutLiveState>('rolloutState');

const update = (name: RolloutAction) => defineUpdate<RolloutLiveState, [RolloutActionRequest]>(name);
const signal = (name: RolloutAction) => defineSignal<[RolloutActionRequest]>(name);

export const rolloutUpdates = {
  start: update('start'),
  pause: update('pause'),
  resume: update('resume'),
  promote: update('promote'),
  abort: update('abort'),
  rollback: update('rollback'),
  retry: update('retry'),
} as const;

export const rolloutSignals = {
  start: signal('start'),
  pause: signal('pause'),
  resume: signal('resume'),
  promote: signal('promote'),
  abort: signal('abort'),
  rollback: signal('rollback'),
  retry: signal('retry'),
} as const;
