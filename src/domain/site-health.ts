/**
 * Site health checks (RollbackRecoveryService.performHealthCheck of `000_*.txt`): the checks a
 * site's configuration names — its recent error rate for the workflow, an HTTP probe through the
 * outbound address guard, a smoke dry run of the version — each with its status and duration,
 * folded into `healthy | degraded | unhealthy` and stored. The rollout workflow runs them as an
 * activity after a deployment; operators run them through the API.
 */
import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getSite } from '../db/repositories/sites';
import { getHealthConfig, insertHealthCheck, latestHealthChecks, putHealthConfig, recentOutcomes } from '../db/repositories/site-health';
import type { HealthCheckConfig, siteHealthChecks, SiteHealthCheckRow } from '../db/schema';
import type { AddressGuard } from './http/address-guard';
import { sendHttpRequest } from './http/request';
import type { RunSiteHealthChecksInput, RunSiteHealthChecksResult, SiteHealthCheckOutcome, SiteHealthStatus } from '../shared/rollouts';
import { WeftError } from '../graph/errors';

/** A dry run of a stored version (SimulationService.simulate): its final status and, when failed, why. */
export type SmokeRunner = (
  definitionId: string,
  version: string,
  input: unknown,
  outputs: Record<string, unknown>,
  /** The site checked: the dry run sees its configuration as an execution there would. */
  siteId: string,
) => Promise<{ status: string; error: unknown }>;

/** What a run checks: the version of the workflow at the site, for a rollout or on demand (no rollout). */
export type HealthCheckRequest = Omit<RunSiteHealthChecksInput, 'rolloutId'> & { rolloutId?: string | null };

/** Bytes of a probe's answer read at most: a probe wants the status, not the page. */
const PROBE_MAX_BYTES = 64 * 1024;

/** `unhealthy` when a check failed, `degraded` when one warned, `healthy` otherwise (no checks included). */
export function overallStatus(checks: SiteHealthCheckOutcome[]): SiteHealthStatus {
  if (checks.some((c) => c.status === 'fail')) return 'unhealthy';
  if (checks.some((c) => c.status === 'warning')) return 'degraded';
  return 'healthy';
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : JSON.stringify(err);
}

async function timed(name: string, run: () => Promise<{ status: string; detail?: string }>): Promise<SiteHealthCheckOutcome> {
  const began = performance.now();
  let outcome: { status: string; detail?: string };
  try {
    outcome = await run();
  } catch (err) {
    outcome = { status: 'fail', detail: describe(err) };
  }
  return { name, ...outcome, durationMs: Math.round(performance.now() - began) };
}

export class SiteHealthService {
  constructor(
    private readonly db: WeftDb,
    private readonly guard: AddressGuard,
    private readonly smoke: SmokeRunner,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async requireSite(siteId: string): Promise<void> {
    if (!(await getSite(this.db, siteId))) throw new WeftError('SITE_NOT_FOUND', `site ${siteId} does not exist`, { details: { siteId } });
  }

  /** The site's checks (empty when none are configured). @throws WeftError SITE_NOT_FOUND */
  async config(siteId: string): Promise<{ siteId: string; checks: HealthCheckConfig; updatedBy: string | null; updatedAt: Date | null }> {
    await this.requireSite(siteId);
    const row = await getHealthConfig(this.db, siteId);
    return { siteId, checks: row?.checks ?? {}, updatedBy: row?.updatedBy ?? null, updatedAt: row?.updatedAt ?? null };
  }

  /** Replaces the site's checks. @throws WeftError SITE_NOT_FOUND */
  async configure(siteId: string, checks: HealthCheckConfig, ctx: AuditContext) {
    await this.requireSite(siteId);
    return this.db.transaction(async (tx) => {
      const { before, after } = await putHealthConfig(tx, siteId, checks, ctx.actor);
      await appendAudit(tx, {
        ...ctx,
        action: 'site.health_checks_configured',
        resourceType: 'site',
        resourceId: siteId,
        before: before ? before.checks : null,
        after: after.checks,
      });
      return { siteId, checks: after.checks, updatedBy: after.updatedBy, updatedAt: after.updatedAt };
    });
  }

  /**
   * Runs the site's configured checks for the version and stores the result (audited when `ctx`
   * names a person; the worker's runs are recorded in the rollout's own trail).
   * @throws WeftError SITE_NOT_FOUND
   */
  async run(input: HealthCheckRequest, ctx?: AuditContext): Promise<RunSiteHealthChecksResult & { id: string; createdAt: Date }> {
    await this.requireSite(input.siteId);
    const checks = (await getHealthConfig(this.db, input.siteId))?.checks ?? {};
    const runs: Array<Promise<SiteHealthCheckOutcome>> = [];
    if (checks.errorRate) runs.push(timed('error_rate', () => this.errorRate(input, checks.errorRate as NonNullable<HealthCheckConfig['errorRate']>)));
    if (checks.httpProbe) runs.push(timed('http_probe', () => this.probe(checks.httpProbe as NonNullable<HealthCheckConfig['httpProbe']>)));
    if (checks.smoke) {
      const smoke = checks.smoke;
      runs.push(
        timed('smoke_execution', async () => {
          const report = await this.smoke(input.definitionId, input.version, smoke.input, smoke.outputs ?? {}, input.siteId);
          return report.status === 'completed'
            ? { status: 'pass', detail: `a dry run of ${input.version} completed` }
            : { status: 'fail', detail: `a dry run of ${input.version} ended ${report.status}: ${describe(report.error)}` };
        }),
      );
    }
    const outcomes = await Promise.all(runs);
    const status = overallStatus(outcomes);
    const row: typeof siteHealthChecks.$inferInsert = {
      id: `hc-${randomUUID()}`,
      siteId: input.siteId,
      rolloutId: input.rolloutId ?? null,
      definitionId: input.definitionId,
      version: input.version,
      status,
      checks: outcomes,
      failureCount: outcomes.filter((c) => c.status === 'fail').length,
      warningCount: outcomes.filter((c) => c.status === 'warning').length,
    };
    const stored = await this.db.transaction(async (tx) => {
      const inserted = await insertHealthCheck(tx, row);
      if (ctx) {
        await appendAudit(tx, {
          ...ctx,
          action: 'site.health_checked',
          resourceType: 'site_health_check',
          resourceId: inserted.id,
          workflowId: input.definitionId,
          after: inserted,
        });
      }
      return inserted;
    });
    return { id: stored.id, status, checks: outcomes, createdAt: stored.createdAt };
  }

  /** The site's latest results, newest first. @throws WeftError SITE_NOT_FOUND */
  async history(siteId: string, limit: number): Promise<{ items: SiteHealthCheckRow[] }> {
    await this.requireSite(siteId);
    return { items: await latestHealthChecks(this.db, siteId, limit) };
  }

  private async errorRate(input: HealthCheckRequest, cfg: NonNullable<HealthCheckConfig['errorRate']>) {
    const since = new Date(this.clock().getTime() - cfg.windowSeconds * 1000);
    const { finished, failed } = await recentOutcomes(this.db, { definitionId: input.definitionId, version: input.version, siteId: input.siteId, since });
    if (finished < cfg.minSampleSize) {
      // No evidence of ill health: the analysis, not this check, judges small samples.
      return { status: 'pass', detail: `${finished} finished executions in ${cfg.windowSeconds}s, fewer than ${cfg.minSampleSize}: not judged` };
    }
    const rate = Number(((100 * failed) / finished).toFixed(2));
    const detail = `${failed} of ${finished} executions failed (${rate}%) in the last ${cfg.windowSeconds}s`;
    if (rate > cfg.unhealthyAbovePercentage) return { status: 'fail', detail: `${detail}, above ${cfg.unhealthyAbovePercentage}%` };
    if (rate > cfg.degradedAbovePercentage) return { status: 'warning', detail: `${detail}, above ${cfg.degradedAbovePercentage}%` };
    return { status: 'pass', detail };
  }

  private async probe(cfg: NonNullable<HealthCheckConfig['httpProbe']>) {
    const began = performance.now();
    const res = await sendHttpRequest(
      {
        method: 'GET',
        url: cfg.url,
        headers: {},
        query: {},
        timeoutMs: cfg.timeoutMs,
        maxResponseBytes: PROBE_MAX_BYTES,
        idempotencyKey: `health-${randomUUID()}`,
      },
      this.guard,
    );
    const elapsed = Math.round(performance.now() - began);
    if (res.status !== cfg.expectStatus) return { status: 'fail', detail: `GET ${cfg.url} answered ${res.status}, expected ${cfg.expectStatus}` };
    if (cfg.degradedAboveMs !== undefined && elapsed > cfg.degradedAboveMs) {
      return { status: 'warning', detail: `GET ${cfg.url} answered ${res.status} in ${elapsed} ms, slower than ${cfg.degradedAboveMs} ms` };
    }
    return { status: 'pass', detail: `GET ${cfg.url} answered ${res.status} in ${elapsed} ms` };
  }
}
