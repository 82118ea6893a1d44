/**
 * The contracts of the two activities a rollout workflow calls for its gates: `analyzeRollout`
 * (real executions of the new version at the canary sites against the baseline) and
 * `runSiteHealthChecks` (one site after a deployment).
 *
 * Types only: workflow code imports them, so no Node APIs here.
 */

/** A metric an analysis measures. */
export type RolloutMetricName = 'error_rate' | 'latency_p95' | 'latency_p50' | 'failure_count';

/** What `analyzeRollout` is asked. */
export interface AnalyzeRolloutInput {
  rolloutId: string;
  /** Deterministic, e.g. `${rolloutId}:a${n}`: a retried activity stores one analysis. */
  analysisId: string;
  definitionId: string;
  version: string;
  baselineVersion: string | null;
  canarySites: string[];
  baselineSites: string[];
  /** ISO 8601. */
  from: string;
  /** ISO 8601. */
  to: string;
  metrics: RolloutMetricName[];
  errorThresholdPercentage: number;
  performanceThresholdPercentage: number;
  minSampleSize: number;
}

/** What `analyzeRollout` answers. */
export interface AnalyzeRolloutResult {
  verdict: 'pass' | 'fail' | 'inconclusive';
  measured: Record<string, unknown>;
  reasons: string[];
  pValue: number | null;
}

/** What `runSiteHealthChecks` is asked. */
export interface SiteHealthInput {
  rolloutId: string;
  siteId: string;
  definitionId: string;
  version: string;
}

/** What `runSiteHealthChecks` answers. */
export interface SiteHealthResult {
  status: 'healthy' | 'degraded' | 'unhealthy';
  checks: Array<{ name: string; status: string; durationMs: number; detail?: string }>;
}
