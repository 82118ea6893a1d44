/**
 * A rollout as the API shows it: its row, the workflow's live state while it runs, each
 * deployment with timings, the analyses, progress, an estimate of the time left, and the
 * RolloutMetrics of `000_*.txt`.
 */
import type { RolloutDeploymentRow, RolloutRow } from '../db/schema';
import type { RolloutLiveState, RolloutPlan } from '../workflows/rollout/types';

/** RolloutMetrics of the seed (durations in ms, rates in percent). */
export interface RolloutMetrics {
  totalDeployments: number;
  successfulDeployments: number;
  failedDeployments: number;
  successRate: number;
  averageErrorRate: number;
  averageResponseTime: number;
  totalDuration: number;
}

export interface DeploymentView {
  siteId: string;
  status: string;
  attempt: number;
  fromVersion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  duration: number | null;
  error: string | null;
  metrics: Record<string, unknown> | null;
}

export interface RolloutView {
  id: string;
  workflowId: string;
  version: string;
  strategy: string;
  config: Record<string, unknown>;
  targetSites: string[];
  canarySites: string[];
  status: string;
  waitingFor: string | null;
  failureReason: string | null;
  createdBy: string;
  approvalRequestId: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface RolloutDetail extends RolloutView {
  stage: number | null;
  remainingSites: string[];
  deployments: DeploymentView[];
  analyses: unknown[];
  /** Signals the workflow refused (raw Temporal clients), latest last. */
  refused: unknown[];
  progressPercentage: number;
  /** Milliseconds, from measured deployment durations and the timers still ahead; null when unknown or ended. */
  estimatedTimeRemaining: number | null;
  metrics: RolloutMetrics;
}

const TERMINAL = ['completed', 'rolled_back', 'failed'];
const DONE = ['success', 'failed', 'rolled_back'];

export function rolloutView(row: RolloutRow): RolloutView {
  return {
    id: row.id,
    workflowId: row.definitionId,
    version: row.version,
    strategy: row.strategy,
    config: row.config,
    targetSites: row.targetSites,
    canarySites: row.canarySites,
    status: row.status,
    waitingFor: row.waitingFor,
    failureReason: row.failureReason,
    createdBy: row.createdBy,
    approvalRequestId: row.approvalRequestId,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

function deploymentView(d: RolloutDeploymentRow): DeploymentView {
  return {
    siteId: d.siteId,
    status: d.status,
    attempt: d.attempt,
    fromVersion: d.fromVersion,
    startedAt: d.startedAt?.toISOString() ?? null,
    completedAt: d.finishedAt?.toISOString() ?? null,
    duration: d.startedAt && d.finishedAt ? d.finishedAt.getTime() - d.startedAt.getTime() : null,
    error: d.error,
    metrics: d.metrics ?? null,
  };
}

function average(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The canary error rate an analysis measured, when it says (the stand-in's and the analysis helper's shapes). */
function measuredErrorRate(analysis: unknown): number | undefined {
  const measured = (analysis as { measured?: Record<string, unknown> }).measured;
  const canary = measured?.canary as { errorRate?: unknown } | undefined;
  const rate = canary?.errorRate ?? measured?.errorRate ?? measured?.error_rate;
  return typeof rate === 'number' ? rate : undefined;
}

/**
 * Time left: the sites not yet deployed, in batches of the plan's parallelism, at the average
 * measured deployment time, plus the bake delays and canary time of stages not yet passed.
 */
function estimate(plan: RolloutPlan | undefined, live: RolloutLiveState | undefined, deployments: DeploymentView[]): number | null {
  if (!plan || !live) return null;
  const durations = deployments.map((d) => d.duration).filter((d): d is number => d !== null);
  const perSite = durations.length ? average(durations) : null;
  let ms = 0;
  plan.stages.forEach((stage, i) => {
    if (i < live.stageIndex) return;
    const left = stage.sites.filter((s) => !DONE.includes(live.deployments[s]?.status ?? 'pending')).length;
    if (left > 0) {
      if (perSite === null) return;
      ms += Math.ceil(left / stage.maxParallel) * perSite;
    }
    if (i < plan.stages.length - 1) ms += stage.delayMs;
    if (stage.kind === 'canary' && plan.canary && live.waitingFor !== 'promotion') {
      ms += i === live.stageIndex ? plan.canary.durationMs / 2 : plan.canary.durationMs;
    }
  });
  return perSite === null && ms === 0 ? null : Math.round(ms);
}

export function rolloutDetail(
  row: RolloutRow,
  rows: RolloutDeploymentRow[],
  live: RolloutLiveState | undefined,
  plan: RolloutPlan | undefined,
  storedAnalyses: unknown[] | undefined,
  now: Date,
): RolloutDetail {
  const view = rolloutView(row);
  // An end is shown once its row says so: the same transaction releases the rollout's site locks,
  // so a user who sees it ended can start the next rollout or a rollback of those sites at once.
  if (live && !TERMINAL.includes(row.status) && !TERMINAL.includes(live.status)) {
    view.status = live.status;
    view.waitingFor = live.waitingFor;
    view.failureReason = live.failureReason ?? view.failureReason;
  }
  const byId = new Map(rows.map((d) => [d.siteId, deploymentView(d)]));
  const deployments = row.targetSites.map(
    (siteId) =>
      byId.get(siteId) ?? {
        siteId,
        status: 'pending',
        attempt: 0,
        fromVersion: null,
        startedAt: null,
        completedAt: null,
        duration: null,
        error: null,
        metrics: null,
      },
  );
  const total = deployments.length;
  const successful = deployments.filter((d) => d.status === 'success').length;
  const failed = deployments.filter((d) => d.status === 'failed').length;
  const finished = deployments.filter((d) => DONE.includes(d.status)).length;
  const analyses = storedAnalyses ?? live?.analyses ?? [];
  const rates = analyses.map(measuredErrorRate).filter((r): r is number => r !== undefined);
  const ended = TERMINAL.includes(view.status);
  const started = row.startedAt?.getTime();
  return {
    ...view,
    stage: live?.stage ?? null,
    remainingSites: live?.remainingSites ?? [],
    deployments,
    analyses,
    refused: live?.refused ?? [],
    progressPercentage: view.status === 'completed' ? 100 : total === 0 ? 0 : Math.round((finished / total) * 100),
    estimatedTimeRemaining: ended ? null : estimate(plan, live, deployments),
    metrics: {
      totalDeployments: total,
      successfulDeployments: successful,
      failedDeployments: failed,
      successRate: finished === 0 ? 0 : (successful / finished) * 100,
      averageErrorRate: average(rates),
      averageResponseTime: average(deployments.map((d) => d.duration).filter((d): d is number => d !== null)),
      totalDuration: started === undefined ? 0 : (row.completedAt ?? now).getTime() - started,
    },
  };
}
