/**
 * The contract between the rollout workflow and the activities it calls for gates and analysis
 * (issue 16). Types only, so workflow code may import them; every shape survives the JSON
 * payload converter (no Date, Map or class).
 */

/** A measure an analysis may judge. */
export type RolloutMetricName = 'error_rate' | 'latency_p95' | 'latency_p50' | 'failure_count';

/** What `analyzeRollout` compares: the new version at the canary sites against the baseline over one window. */
export interface AnalyzeRolloutInput {
  rolloutId: string;
  /** The analysis run's id: a retry with the same id answers the stored result. */
  analysisId: string;
  definitionId: string;
  /** The new version, measured at `canarySites`. */
  version: string;
  /** The version measured at `baselineSites`; null means any version other than `version`. */
  baselineVersion: string | null;
  canarySites: string[];
  baselineSites: string[];
  /** ISO 8601 instants: executions started in [from, to) count. */
  from: string;
  to: string;
  metrics: RolloutMetricName[];
  /** Percentage points the canary's error rate may exceed the baseline's by. */
  errorThresholdPercentage: number;
  /** Percent the canary's latency may exceed the baseline's by. */
  performanceThresholdPercentage: number;
  /** Finished executions each side needs before anything is judged; fewer is inconclusive. */
  minSampleSize: number;
}

export type AnalysisVerdict = 'pass' | 'fail' | 'inconclusive';

export interface AnalyzeRolloutResult {
  verdict: AnalysisVerdict;
  /** The figures of both sides (counts, error rates, latencies) and each metric's comparison. */
  measured: Record<string, unknown>;
  /** Why the verdict is what it is, one sentence per finding. */
  reasons: string[];
  /** The one-sided Mann–Whitney U p-value that the canary is slower; null when no latency was compared. */
  pValue: number | null;
}

export interface RunSiteHealthChecksInput {
  rolloutId: string;
  siteId: string;
  definitionId: string;
  version: string;
}

export type SiteHealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface SiteHealthCheckOutcome {
  name: string;
  /** `pass`, `warning` or `fail`. */
  status: string;
  durationMs: number;
  detail?: string;
}

export interface RunSiteHealthChecksResult {
  status: SiteHealthStatus;
  checks: SiteHealthCheckOutcome[];
}

/** The API request an operator action came with, for its audit record. */
export interface ActionRequestContext {
  requestId?: string | null;
  clientIp?: string | null;
  userAgent?: string | null;
}

/** One accepted operator action of a rollout, as `recordRolloutAction` writes its audit record (once per `actionId`). */
export interface RolloutActionRecord {
  rolloutId: string;
  /** `<rollout id>:<first run id>:action:<n>`: a retried activity finds its record and writes none. */
  actionId: string;
  /** `start`, `pause`, `resume`, `promote`, `abort` or `rollback`. */
  action: string;
  by: string;
  reason: string | null;
  /** `retry`: the sites it deployed again. */
  sites?: string[];
  request?: ActionRequestContext;
  /** The rollout as the action found it. */
  before: { status: string; waitingFor: string | null };
}
