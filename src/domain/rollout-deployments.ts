/**
 * Deploying a version to one site and taking it back, as the rollout workflow's activities do
 * it. Each step is idempotent for (rollout, site, attempt): a retried or replayed activity finds
 * its own rows and changes nothing twice, so the audit shows each deployment once.
 *
 * A deployment: the site's configuration must validate (else the deployment fails with
 * CONFIG_INVALID and the site is not touched); a `pre_deployment` recovery point records what the
 * site ran; the site's version row points at the new version (new starts there use it; running
 * executions keep their snapshot); the health checks run (the workflow calls them); a
 * `post_deployment` point and the deployment's outcome close it.
 */
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { firstPrePoint, getDeployment, getSiteVersion, insertRecoveryPointIfAbsent, setSiteVersion, upsertDeployment } from '../db/repositories/rollouts';
import { getActiveVersion } from '../db/repositories/versions';
import type { DeploymentState } from '../db/schema';
import type { RunSiteHealthChecksResult } from '../shared/rollouts';
import type { SecretBox } from './secret-box';
import { effectiveErrors, loadEffective, visibleValues } from './site-effective';

/** Which deployment an activity works on. */
export interface DeploymentKey {
  rolloutId: string;
  siteId: string;
  attempt: number;
  definitionId: string;
  version: string;
  /** Who the rollout acts for (its creator), recorded in points and audit. */
  actor: string;
}

/** What the first step of a deployment did. */
export interface DeployOutcome {
  /** `deployed`: the site points at the version, health checks next; `failed`: it was not touched; `done`: this attempt had finished before. */
  outcome: 'deployed' | 'failed' | 'done';
  status: 'in_progress' | 'success' | 'failed';
  error: string | null;
  fromVersion: string | null;
}

/** One audit entry of a site of a rollout, in the caller's transaction. */
function auditSite(tx: WeftDb, r: { rolloutId: string; definitionId: string; actor: string }, action: string, details: Record<string, unknown>) {
  return appendAudit(tx, {
    actor: r.actor,
    action: `rollout.${action}`,
    resourceType: 'rollout',
    resourceId: r.rolloutId,
    workflowId: r.definitionId,
    details,
  });
}

const pointId = (k: Pick<DeploymentKey, 'rolloutId' | 'siteId' | 'attempt'>, kind: 'pre' | 'post') => `${k.rolloutId}:${k.siteId}:${k.attempt}:${kind}`;

async function siteState(tx: WeftDb, definitionId: string, siteId: string): Promise<DeploymentState> {
  const [own, active] = await Promise.all([getSiteVersion(tx, definitionId, siteId), getActiveVersion(tx, definitionId)]);
  return { siteVersion: own ?? null, activeVersion: active?.version ?? null };
}

/**
 * Validates the site's configuration, records the `pre_deployment` point and points the site at
 * the version. @returns what happened; never throws for a configuration that does not validate
 */
export async function beginDeployment(db: WeftDb, box: SecretBox, k: DeploymentKey): Promise<DeployOutcome> {
  return db.transaction(async (tx) => {
    const row = await getDeployment(tx, k.rolloutId, k.siteId);
    if (row && row.attempt === k.attempt && (row.status === 'success' || row.status === 'failed')) {
      return { outcome: 'done', status: row.status, error: row.error, fromVersion: row.fromVersion };
    }
    if (row && row.attempt === k.attempt && row.status === 'in_progress') {
      return { outcome: 'deployed', status: 'in_progress', error: null, fromVersion: row.fromVersion };
    }
    const startedAt = new Date();
    const loaded = await loadEffective(tx, k.siteId);
    const errors = loaded ? effectiveErrors(loaded.effective, box) : [];
    const site = loaded?.chain[0];
    const refusal = !site
      ? `site ${k.siteId} does not exist`
      : !site.isActive
        ? `site ${k.siteId} is inactive`
        : errors.length > 0
          ? `the configuration of site ${k.siteId} does not validate: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`
          : null;
    const before = await siteState(tx, k.definitionId, k.siteId);
    // A later attempt keeps what the site ran before the rollout, not what an earlier attempt left there.
    const fromVersion = row ? row.fromVersion : (before.siteVersion ?? before.activeVersion);
    if (refusal) {
      const error = `CONFIG_INVALID: ${refusal}`;
      await upsertDeployment(tx, {
        rolloutId: k.rolloutId,
        siteId: k.siteId,
        attempt: k.attempt,
        status: 'failed',
        fromVersion,
        startedAt,
        finishedAt: new Date(),
        error,
      });
      await auditSite(tx, k, 'site_failed', { site: k.siteId, attempt: k.attempt, version: k.version, code: 'CONFIG_INVALID', error: refusal });
      return { outcome: 'failed', status: 'failed', error, fromVersion };
    }
    await insertRecoveryPointIfAbsent(tx, {
      id: pointId(k, 'pre'),
      rolloutId: k.rolloutId,
      siteId: k.siteId,
      definitionId: k.definitionId,
      kind: 'pre_deployment',
      version: fromVersion,
      configSnapshot: visibleValues((loaded as NonNullable<typeof loaded>).effective),
      variableSnapshot: null,
      deploymentState: { ...before, attempt: k.attempt },
      createdBy: k.actor,
    });
    await setSiteVersion(tx, k.definitionId, k.siteId, k.version, k.rolloutId);
    await upsertDeployment(tx, {
      rolloutId: k.rolloutId,
      siteId: k.siteId,
      attempt: k.attempt,
      status: 'in_progress',
      fromVersion,
      startedAt,
      finishedAt: null,
      error: null,
    });
    return { outcome: 'deployed', status: 'in_progress', error: null, fromVersion };
  });
}

/**
 * Closes a deployment with its health: `unhealthy` fails it (the site keeps the version until a
 * rollback), anything else succeeds. Records the `post_deployment` point and one audit entry.
 */
export async function completeDeployment(
  db: WeftDb,
  k: DeploymentKey,
  health: RunSiteHealthChecksResult,
): Promise<{ status: 'success' | 'failed'; error: string | null; durationMs: number }> {
  return db.transaction(async (tx) => {
    const row = await getDeployment(tx, k.rolloutId, k.siteId);
    const startedAt = row?.startedAt ?? new Date();
    if (row && row.attempt === k.attempt && (row.status === 'success' || row.status === 'failed')) {
      return { status: row.status, error: row.error, durationMs: (row.finishedAt ?? startedAt).getTime() - startedAt.getTime() };
    }
    const finishedAt = new Date();
    const failed = health.status === 'unhealthy';
    const error = failed
      ? `unhealthy: ${health.checks
          .filter((c) => c.status !== 'pass' && c.status !== 'healthy')
          .map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ''}`)
          .join(', ')}`
      : null;
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    const loaded = await loadEffective(tx, k.siteId);
    await insertRecoveryPointIfAbsent(tx, {
      id: pointId(k, 'post'),
      rolloutId: k.rolloutId,
      siteId: k.siteId,
      definitionId: k.definitionId,
      kind: 'post_deployment',
      version: k.version,
      configSnapshot: loaded ? visibleValues(loaded.effective) : {},
      variableSnapshot: null,
      deploymentState: { ...(await siteState(tx, k.definitionId, k.siteId)), attempt: k.attempt, health: health.status },
      createdBy: k.actor,
    });
    const status = failed ? 'failed' : 'success';
    await upsertDeployment(tx, {
      rolloutId: k.rolloutId,
      siteId: k.siteId,
      attempt: k.attempt,
      status,
      fromVersion: row?.fromVersion ?? null,
      startedAt,
      finishedAt,
      error,
      metrics: { durationMs, health: health.status, checks: health.checks },
    });
    await auditSite(tx, k, failed ? 'site_failed' : 'site_deployed', {
      site: k.siteId,
      attempt: k.attempt,
      version: k.version,
      fromVersion: row?.fromVersion ?? null,
      health: health.status,
      ...(error ? { error } : {}),
    });
    return { status, error, durationMs };
  });
}

/**
 * Puts the site back as its first `pre_deployment` point of this rollout found it (its own
 * version row, or following the active version again). A site this rollout never touched, or
 * already rolled back, is left alone. @returns whether the site changed
 */
export async function rollbackDeployment(
  db: WeftDb,
  req: { rolloutId: string; siteId: string; definitionId: string; actor: string; reason: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await getDeployment(tx, req.rolloutId, req.siteId);
    if (!row || row.status === 'rolled_back') return false;
    const point = await firstPrePoint(tx, req.rolloutId, req.siteId);
    // No point: the deployment failed before it touched the site (configuration refused).
    if (!point) return false;
    await setSiteVersion(tx, req.definitionId, req.siteId, point.deploymentState.siteVersion, null);
    await upsertDeployment(tx, { ...row, status: 'rolled_back', error: row.error ?? `rolled back: ${req.reason}` });
    await auditSite(tx, req, 'site_rolled_back', { site: req.siteId, restoredVersion: point.version, reason: req.reason });
    return true;
  });
}

/** Marks a deployment failed after the fact (unhealthy after a bake). Idempotent. */
export async function failDeployment(
  db: WeftDb,
  req: { rolloutId: string; siteId: string; definitionId: string; actor: string; error: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await getDeployment(tx, req.rolloutId, req.siteId);
    if (!row || row.status !== 'success') return;
    await upsertDeployment(tx, { ...row, status: 'failed', error: req.error });
    await auditSite(tx, req, 'site_failed', { site: req.siteId, attempt: row.attempt, error: req.error });
  });
}
