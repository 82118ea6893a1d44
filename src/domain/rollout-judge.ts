/**
 * The canary judge: from the finished executions of the new version at the canary sites and of
 * the baseline, a verdict with its figures and reasons. Pure: the activity reads the samples.
 *
 * Rules (docs/rollouts.md, "Analysis"):
 * - either side below `minSampleSize` finished executions → inconclusive, never a silent pass;
 * - error_rate / failure_count: the canary's error rate may exceed the baseline's by at most
 *   `errorThresholdPercentage` percentage points;
 * - latency_p50 / latency_p95: the canary fails only when its percentile exceeds the baseline's
 *   by more than `performanceThresholdPercentage` percent AND the one-sided Mann–Whitney U test
 *   says the canary is slower (p < {@link SIGNIFICANCE}); a few outliers lift p95 but not the ranks.
 */
import type { AnalyzeRolloutResult, RolloutMetricName } from '../shared/rollouts';
import { mannWhitneyU, quantile } from './mann-whitney';

/** The p-value under which the canary counts as slower. */
export const SIGNIFICANCE = 0.05;

/** One side's finished executions in the window. */
export interface ExecutionSample {
  completed: number;
  failed: number;
  /** Durations (ms) of the completed executions: a fast failure must not look like a speed-up. */
  durationsMs: number[];
}

export interface JudgeInput {
  canary: ExecutionSample;
  baseline: ExecutionSample;
  metrics: RolloutMetricName[];
  errorThresholdPercentage: number;
  performanceThresholdPercentage: number;
  minSampleSize: number;
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

function summary(s: ExecutionSample) {
  const total = s.completed + s.failed;
  return {
    executions: total,
    completed: s.completed,
    failed: s.failed,
    errorRate: total === 0 ? null : round((100 * s.failed) / total),
    latencyP50Ms: nullableRound(quantile(s.durationsMs, 0.5)),
    latencyP95Ms: nullableRound(quantile(s.durationsMs, 0.95)),
  };
}

function nullableRound(v: number | null): number | null {
  return v === null ? null : round(v);
}

/** Judges the canary against the baseline. */
export function judgeCanary(input: JudgeInput): AnalyzeRolloutResult {
  const canary = summary(input.canary);
  const baseline = summary(input.baseline);
  const measured: Record<string, unknown> = { canary, baseline, comparisons: {} };
  const comparisons = measured.comparisons as Record<string, unknown>;
  const reasons: string[] = [];

  const short = [
    ['canary', canary.executions],
    ['baseline', baseline.executions],
  ].filter(([, n]) => (n as number) < input.minSampleSize);
  if (short.length > 0) {
    for (const [side, n] of short) reasons.push(`${side} has ${n} finished executions, fewer than the minimum sample of ${input.minSampleSize}`);
    return { verdict: 'inconclusive', measured, reasons, pValue: null };
  }

  let failed = false;
  let inconclusive = false;
  const wants = new Set(input.metrics);
  if (wants.has('error_rate') || wants.has('failure_count')) {
    const diff = (canary.errorRate as number) - (baseline.errorRate as number);
    const exceeded = diff > input.errorThresholdPercentage;
    if (wants.has('error_rate')) comparisons.error_rate = { canary: canary.errorRate, baseline: baseline.errorRate, differencePoints: round(diff), exceeded };
    if (wants.has('failure_count')) {
      // The failures the baseline's rate predicts for the canary's sample, plus the allowance.
      const allowed = round((canary.executions * ((baseline.errorRate as number) + input.errorThresholdPercentage)) / 100);
      comparisons.failure_count = { canary: canary.failed, baseline: baseline.failed, allowed, exceeded: canary.failed > allowed };
    }
    if (exceeded) {
      failed = true;
      reasons.push(
        `canary error rate ${canary.errorRate}% exceeds the baseline's ${baseline.errorRate}% by ${round(diff)} points (threshold ${input.errorThresholdPercentage})`,
      );
    } else {
      reasons.push(`canary error rate ${canary.errorRate}% is within ${input.errorThresholdPercentage} points of the baseline's ${baseline.errorRate}%`);
    }
  }

  let pValue: number | null = null;
  const latencyMetrics = (['latency_p50', 'latency_p95'] as const).filter((m) => wants.has(m));
  if (latencyMetrics.length > 0) {
    const c = input.canary.durationsMs;
    const b = input.baseline.durationsMs;
    if (c.length === 0 || b.length === 0) {
      inconclusive = true;
      reasons.push('no completed executions on one side: latency cannot be compared');
    } else {
      pValue = mannWhitneyU(c, b, 'greater').pValue;
      const slower = pValue < SIGNIFICANCE;
      measured.mannWhitney = { pValue, alternative: 'canary slower', significance: SIGNIFICANCE, significant: slower };
      for (const metric of latencyMetrics) {
        const q = metric === 'latency_p50' ? 0.5 : 0.95;
        const cv = quantile(c, q) as number;
        const bv = quantile(b, q) as number;
        const limit = bv * (1 + input.performanceThresholdPercentage / 100);
        const exceeded = cv > limit;
        comparisons[metric] = { canaryMs: round(cv), baselineMs: round(bv), limitMs: round(limit), exceeded, significant: slower };
        const label = metric === 'latency_p50' ? 'p50' : 'p95';
        if (exceeded && slower) {
          failed = true;
          reasons.push(
            `canary ${label} latency ${round(cv)} ms exceeds the baseline's ${round(bv)} ms by more than ${input.performanceThresholdPercentage}% and the canary is slower (Mann–Whitney p = ${pValue.toPrecision(3)})`,
          );
        } else if (exceeded) {
          reasons.push(
            `canary ${label} latency ${round(cv)} ms exceeds the limit ${round(limit)} ms, but the ranks show no slowdown (Mann–Whitney p = ${pValue.toPrecision(3)}): outliers, not a shift`,
          );
        } else {
          reasons.push(`canary ${label} latency ${round(cv)} ms is within ${input.performanceThresholdPercentage}% of the baseline's ${round(bv)} ms`);
        }
      }
    }
  }

  const verdict = failed ? 'fail' : inconclusive ? 'inconclusive' : 'pass';
  return { verdict, measured, reasons, pValue };
}
