/** `runSiteHealthChecks`: the rollout workflow's health gate after a deployment (services/site-health.ts). */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import type { AddressGuard } from '../domain/http/address-guard';
import { isWeftError } from '../graph/errors';
import { randomUUID } from 'node:crypto';
import { getVersion } from '../db/repositories/versions';
import { SiteHealthService, type SmokeRunner } from '../domain/site-health';
import { loadEffective, visibleValues } from '../domain/site-effective';
import type { RunSiteHealthChecksInput, RunSiteHealthChecksResult } from '../shared/rollouts';

/** A dry run never needs long: it does not wait for timers or people. */
const SMOKE_TIMEOUT = '60s';

export function createSiteHealthActivities(db: WeftDb, guard: AddressGuard) {
  return {
    /**
     * Runs the site's configured checks for the version and stores the result.
     * @throws ApplicationFailure SITE_NOT_FOUND (non-retryable)
     */
    async runSiteHealthChecks(input: RunSiteHealthChecksInput): Promise<RunSiteHealthChecksResult> {
      const ctx = Context.current();
      // The smoke dry run is the interpreter's simulateGraph (what POST /workflows/{id}/simulate runs), on the worker's own client and task queue.
      const smoke: SmokeRunner = async (definitionId, version, smokeInput, outputs, siteId) => {
        const row = await getVersion(db, definitionId, version);
        if (!row) return { status: 'failed', error: `version ${version} of ${definitionId} does not exist` };
        const loaded = await loadEffective(db, siteId);
        const here = loaded?.chain[0];
        return ctx.client.workflow.execute<(...args: unknown[]) => Promise<{ status: string; error: unknown }>>('simulateGraph', {
          workflowId: `sim-${randomUUID()}`,
          taskQueue: ctx.info.taskQueue,
          args: [
            {
              definitionId,
              version,
              graph: row.graph,
              input: smokeInput,
              ...(loaded && here ? { site: { id: here.id, region: here.region, environment: here.environment }, config: visibleValues(loaded.effective) } : {}),
            },
            { outputs, errors: {} },
          ],
          workflowExecutionTimeout: SMOKE_TIMEOUT,
          staticSummary: `health check smoke run of ${definitionId}@${version}`,
        });
      };
      const service = new SiteHealthService(db, guard, smoke);
      try {
        const { status, checks } = await service.run(input);
        return { status, checks };
      } catch (err) {
        if (isWeftError(err) && err.status < 500) throw ApplicationFailure.nonRetryable(err.message, err.code);
        throw err;
      }
    },
  };
}
