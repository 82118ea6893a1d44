// replaced by the analysis helper's implementation at merge
/**
 * Minimal stand-ins of the analysis helper's `analyzeRollout` and `runSiteHealthChecks`, so the
 * rollout workflow runs on real code in this branch: counts of finished executions from the
 * executions table, and a site's active flag.
 */
import { and, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import type { WeftDb } from '../db/client';
import { executions, sites } from '../db/schema';
import type { AnalyzeRolloutInput, AnalyzeRolloutResult, SiteHealthInput, SiteHealthResult } from '../shared/rollouts';

async function counts(db: WeftDb, definitionId: string, version: string | null, exclude: string | null, siteIds: string[], from: Date, to: Date) {
  if (siteIds.length === 0) return { completed: 0, failed: 0 };
  const rows = await db
    .select({ status: executions.status, n: sql<number>`count(*)::int` })
    .from(executions)
    .where(
      and(
        eq(executions.definitionId, definitionId),
        version === null ? undefined : eq(executions.version, version),
        exclude === null ? undefined : ne(executions.version, exclude),
        inArray(executions.siteId, siteIds),
        gte(executions.startedAt, from),
        lte(executions.startedAt, to),
        inArray(executions.status, ['completed', 'failed']),
      ),
    )
    .groupBy(executions.status);
  const of = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { completed: of('completed'), failed: of('failed') };
}

export function createRolloutAnalysisActivities(db: WeftDb) {
  return {
    async analyzeRollout(req: AnalyzeRolloutInput): Promise<AnalyzeRolloutResult> {
      const from = new Date(req.from);
      const to = new Date(req.to);
      const canary = await counts(db, req.definitionId, req.version, null, req.canarySites, from, to);
      const baseline = await counts(db, req.definitionId, req.baselineVersion, req.baselineVersion === null ? req.version : null, req.baselineSites, from, to);
      const total = canary.completed + canary.failed;
      const errorRate = total === 0 ? null : (canary.failed / total) * 100;
      const baseTotal = baseline.completed + baseline.failed;
      const measured = {
        canary: { ...canary, total, errorRate },
        baseline: { ...baseline, total: baseTotal, errorRate: baseTotal === 0 ? null : (baseline.failed / baseTotal) * 100 },
      };
      if (total < req.minSampleSize) {
        return {
          verdict: 'inconclusive',
          measured,
          reasons: [`${total} finished executions at the canary sites, fewer than minSampleSize ${req.minSampleSize}`],
          pValue: null,
        };
      }
      if ((errorRate ?? 0) > req.errorThresholdPercentage) {
        return { verdict: 'fail', measured, reasons: [`error rate ${(errorRate ?? 0).toFixed(1)}% exceeds ${req.errorThresholdPercentage}%`], pValue: null };
      }
      return { verdict: 'pass', measured, reasons: [`error rate ${(errorRate ?? 0).toFixed(1)}% within ${req.errorThresholdPercentage}%`], pValue: null };
    },

    async runSiteHealthChecks(req: SiteHealthInput): Promise<SiteHealthResult> {
      const started = Date.now();
      const [site] = await db.select({ isActive: sites.isActive }).from(sites).where(eq(sites.id, req.siteId));
      const active = site?.isActive === true;
      return {
        status: active ? 'healthy' : 'unhealthy',
        checks: [
          {
            name: 'site_active',
            status: active ? 'pass' : 'fail',
            durationMs: Date.now() - started,
            ...(active ? {} : { detail: site ? 'the site is inactive' : 'no such site' }),
          },
        ],
      };
    },
  };
}
