/**
 * The shapes of the rollout workflow: what it is started with (its plan, resolved by the API),
 * the state it carries across continue-as-new, the operator actions and its live view.
 *
 * Types only: everything here crosses payloads, so no Date, Map or class.
 */
import type { ActionRequestContext, AnalyzeRolloutResult, RolloutMetricName } from '../../shared/rollouts';
import type { WhatIfGate } from '../../shared/what-if';

export type RolloutStrategy = 'immediate' | 'staged' | 'canary' | 'scheduled';
export type RolloutStatus = 'pending' | 'in_progress' | 'paused' | 'completed' | 'rolled_back' | 'failed';
export type DeploymentStatus = 'pending' | 'in_progress' | 'success' | 'failed' | 'rolled_back';

/** What a rollout waits for now; null while it deploys. */
export type WaitingFor = 'start' | 'approval' | 'what_if' | 'resume' | 'promotion' | 'delay' | 'analysis' | 'window' | 'schedule_start' | 'schedule_end' | null;

export const TERMINAL_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['completed', 'rolled_back', 'failed'];

/** One stage of the plan: sites deployed `maxParallel` at a time, then its gates. */
export interface PlannedStage {
  number: number;
  sites: string[];
  maxParallel: number;
  /** Bake time after the stage, before the next (ms; paused time does not count). */
  delayMs: number;
  /** Run the sites' health checks again after the bake; unhealthy ones count as failed. */
  validate: boolean;
  /** Share of the stage's sites that must succeed, 0–100. */
  successCriteriaPercentage: number;
  /** `canary`: the analysis gate follows the stage. */
  kind: 'deploy' | 'canary';
}

export interface CanaryPlan {
  durationMs: number;
  intervalMs: number;
  metrics: RolloutMetricName[];
  errorThresholdPercentage: number;
  performanceThresholdPercentage: number;
  minSampleSize: number;
  autoPromote: boolean;
}

export interface MaintenanceWindow {
  startHour: number;
  endHour: number;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
}

export interface SchedulePlan {
  /** ISO 8601; null: as soon as started. */
  startAt: string | null;
  endAt: string | null;
  window: MaintenanceWindow | null;
}

/** The rollout as the API resolved it at creation. */
export interface RolloutPlan {
  strategy: RolloutStrategy;
  stages: PlannedStage[];
  canarySites: string[];
  autoRollback: boolean;
  canary: CanaryPlan | null;
  schedule: SchedulePlan | null;
}

export interface DeploymentState {
  status: DeploymentStatus;
  attempt: number;
  durationMs: number | null;
  error: string | null;
}

/** One analysis as the workflow keeps it. */
export interface AnalysisSummary extends AnalyzeRolloutResult {
  analysisId: string;
  at: string;
}

/** An action refused (a signal from a raw client, or an update's validator). */
export interface RefusedAction {
  action: RolloutAction;
  by: string;
  code: string;
  message: string;
  at: string;
}

/** The state that survives continue-as-new. */
export interface RolloutRunState {
  status: RolloutStatus;
  waitingFor: WaitingFor;
  started: boolean;
  approved: boolean;
  stageIndex: number;
  deployments: Record<string, DeploymentState>;
  analyses: AnalysisSummary[];
  refused: RefusedAction[];
  failureReason: string | null;
  startedAt: string | null;
  /** The scheduled end was passed and an operator resumed: it no longer pauses the rollout. */
  endTimeWaived: boolean;
  /** Sites of the current stage not yet deployed (scheduled: waiting for their window). */
  remainingSites: string[];
  /** A pause was asked and not yet resumed. */
  pauseAsked: boolean;
  /** The promotion gate was passed by an operator. */
  promoted: boolean;
  /** An abort or rollback under way. */
  stop: { kind: 'abort' | 'rollback'; by: string; reason: string } | null;
  approvalRequestId: string | null;
  /** Accepted operator actions so far: numbers each one's audit record (absent in runs before it was kept). */
  actionsTaken?: number;
  /** The what-if gate passed (what-if-gate.ts); absent before the gate existed. */
  whatIfPassed?: boolean;
}

export interface RolloutInput {
  rolloutId: string;
  definitionId: string;
  version: string;
  /** The active version when the rollout was created: the analysis baseline. */
  baselineVersion: string | null;
  /** The creator: deployments and points are recorded in their name. */
  actor: string;
  plan: RolloutPlan;
  /** An approval gate: the policy the `rollout` request runs (null: no gate). */
  approvalPolicyId: string | null;
  /** Carried by continue-as-new. */
  state?: RolloutRunState;
  /** Events after which a run continues as new (default 5,000; tests and benches lower it). */
  historyLimit?: number;
  /** A what-if gate: the rollout starts only once this what-if passes (what-if-gate.ts). */
  whatIf?: WhatIfGate;
  /** A run that only takes a finished rollout's sites back (POST …/rollback after it ended). */
  rollbackOnly?: { by: string; reason: string; request?: ActionRequestContext; endedAs?: RolloutStatus };
}

export type RolloutAction = 'start' | 'pause' | 'resume' | 'promote' | 'abort' | 'rollback' | 'retry';

/** An operator action, sent as an update (answered) or a signal (refusals recorded). */
export interface RolloutActionRequest {
  by: string;
  reason?: string;
  /** Set by the API; a raw Temporal client may leave it out. */
  request?: ActionRequestContext;
  /** `retry`: the failed sites to deploy again (all failed sites when absent). */
  sites?: string[];
}

/** What the `rolloutState` query and every accepted action answer. */
export interface RolloutLiveState extends RolloutRunState {
  rolloutId: string;
  stage: number | null;
}

export interface RolloutResult {
  rolloutId: string;
  status: RolloutStatus;
  failureReason: string | null;
}
