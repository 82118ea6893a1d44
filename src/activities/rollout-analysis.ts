/**
 * `analyzeRollout`: judges the new version at the canary sites against the baseline from the
 * execution records, and stores the run once per analysis id (a retried activity answers the
 * stored result, so the workflow sees one verdict per analysis whatever happens to its worker).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { finishedExecutions, getAnalysis, insertAnalysisIfAbsent } from '../db/repositories/rollout-analysis';
import type { RolloutAnalysisRow } from '../db/schema';
import { judgeCanary, type ExecutionSample } from '../domain/rollout-judge';
import type { AnalyzeRolloutInput, AnalyzeRolloutResult } from '../shared/rollouts';

function resultOf(row: RolloutAnalysisRow): AnalyzeRolloutResult {
  return { verdict: row.verdict, measured: row.measured, reasons: row.reasons, pValue: row.pValue };
}

function sampleOf(rows: Array<{ status: string; durationMs: number | null }>): ExecutionSample {
  const completed = rows.filter((r) => r.status === 'completed');
  return {
    completed: completed.length,
    failed: rows.length - completed.length,
    durationsMs: completed.map((r) => r.durationMs).filter((d): d is number => d !== null),
  };
}

function instant(value: string, field: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw ApplicationFailure.nonRetryable(`${field} is not an ISO 8601 instant: ${value}`, 'INVALID_REQUEST');
  return at;
}

/** The analysis activity; the worker registers it (activities/index.ts). */
export function createRolloutAnalysisActivities(db: WeftDb) {
  return {
    /**
     * Measures and judges one analysis window.
     * @throws ApplicationFailure INVALID_REQUEST (non-retryable) for a window that is not one
     */
    async analyzeRollout(input: AnalyzeRolloutInput): Promise<AnalyzeRolloutResult> {
      const stored = await getAnalysis(db, input.analysisId);
      if (stored) return resultOf(stored);
      const from = instant(input.from, 'from');
      const to = instant(input.to, 'to');
      if (from.getTime() >= to.getTime()) throw ApplicationFailure.nonRetryable('the analysis window must end after it starts', 'INVALID_REQUEST');
      const common = { definitionId: input.definitionId, from, to };
      const [canaryRows, baselineRows] = await Promise.all([
        finishedExecutions(db, { ...common, siteIds: input.canarySites, version: input.version }),
        finishedExecutions(db, {
          ...common,
          siteIds: input.baselineSites,
          ...(input.baselineVersion === null ? { version: input.version, otherThan: true } : { version: input.baselineVersion }),
        }),
      ]);
      const thresholds = {
        metrics: input.metrics,
        errorThresholdPercentage: input.errorThresholdPercentage,
        performanceThresholdPercentage: input.performanceThresholdPercentage,
        minSampleSize: input.minSampleSize,
      };
      const judged = judgeCanary({ canary: sampleOf(canaryRows), baseline: sampleOf(baselineRows), ...thresholds });
      const { row } = await db.transaction(async (tx) => {
        const written = await insertAnalysisIfAbsent(tx, {
          id: input.analysisId,
          rolloutId: input.rolloutId,
          definitionId: input.definitionId,
          version: input.version,
          baselineVersion: input.baselineVersion,
          canarySites: input.canarySites,
          baselineSites: input.baselineSites,
          measured: judged.measured,
          thresholds,
          verdict: judged.verdict,
          pValue: judged.pValue,
          reasons: judged.reasons,
          windowFrom: from,
          windowTo: to,
        });
        if (written.created) {
          await appendAudit(tx, {
            actor: 'system',
            action: 'rollout.analysis_recorded',
            resourceType: 'rollout_analysis',
            resourceId: input.analysisId,
            workflowId: input.definitionId,
            details: { rolloutId: input.rolloutId, verdict: judged.verdict, pValue: judged.pValue },
          });
        }
        return written;
      });
      return resultOf(row);
    },
  };
}
