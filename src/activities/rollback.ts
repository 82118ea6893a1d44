/**
 * The rollback workflow's activities: check the target, point one site back (idempotent: a
 * retry finds the site already there and records nothing twice), read back what sites run, and
 * store the workflow's progress for the API.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { getRecoveryPoint, getRollbackExecution, saveRollbackProgress, setSiteVersion, siteVersionsOf } from '../db/repositories/recovery';
import { getVersion } from '../db/repositories/versions';
import { siteConfigErrors } from '../domain/site-config-check';
import type { SecretBox } from '../domain/secret-box';
import type { RevertSiteInput, RevertSiteResult, RollbackProgressRecord } from '../shared/rollback';

const SYSTEM = { actor: 'system' } as const;

export function createRollbackActivities(db: WeftDb, box: SecretBox) {
  return {
    /**
     * The recovery point still exists and the target version is stored.
     * @throws ApplicationFailure RECOVERY_POINT_NOT_FOUND, VERSION_NOT_FOUND (non-retryable)
     */
    async verifyRollbackTarget(input: { recoveryPointId: string; definitionId: string; version: string }): Promise<{ recoveryPointVersion: string }> {
      const point = await getRecoveryPoint(db, input.recoveryPointId);
      if (!point) throw ApplicationFailure.nonRetryable(`recovery point ${input.recoveryPointId} does not exist`, 'RECOVERY_POINT_NOT_FOUND');
      if (!(await getVersion(db, input.definitionId, input.version))) {
        throw ApplicationFailure.nonRetryable(`version ${input.version} of ${input.definitionId} does not exist`, 'VERSION_NOT_FOUND');
      }
      // A site that followed the active version has no version of its own in the point.
      return { recoveryPointVersion: point.version ?? point.deploymentState.activeVersion ?? input.version };
    },

    /**
     * Points the site back at the version, after checking its configuration validates, and
     * audits the move in the same transaction.
     * @throws ApplicationFailure SITE_NOT_FOUND, CONFIG_INVALID (non-retryable)
     */
    async revertSiteVersion(input: RevertSiteInput): Promise<RevertSiteResult> {
      const errors = await siteConfigErrors(db, box, input.siteId);
      if (errors === undefined) throw ApplicationFailure.nonRetryable(`site ${input.siteId} does not exist`, 'SITE_NOT_FOUND');
      if (errors.length > 0) {
        const first = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        throw ApplicationFailure.nonRetryable(`the configuration of site ${input.siteId} does not validate: ${first}`, 'CONFIG_INVALID', errors);
      }
      return db.transaction(async (tx) => {
        const previousVersion = await setSiteVersion(tx, input.definitionId, input.siteId, input.version);
        const changed = previousVersion !== input.version;
        if (changed) {
          await appendAudit(tx, {
            ...SYSTEM,
            action: 'site_version.rolled_back',
            resourceType: 'site_version',
            resourceId: `${input.definitionId}:${input.siteId}`,
            workflowId: input.definitionId,
            details: { rollbackExecutionId: input.executionId, rolloutId: input.rolloutId },
            before: { version: previousVersion },
            after: { version: input.version },
          });
        }
        return { previousVersion, version: input.version, changed };
      });
    },

    /** The version each site runs of the definition (null when none is recorded). */
    async readSiteVersions(input: { definitionId: string; siteIds: string[] }): Promise<Record<string, string | null>> {
      const found = await siteVersionsOf(db, input.definitionId, input.siteIds);
      return Object.fromEntries(input.siteIds.map((s) => [s, found[s] ?? null]));
    },

    /**
     * Stores the workflow's progress unless a newer write is stored; the last write is audited
     * with it. Retries while the execution's row is not yet committed by the API.
     */
    async recordRollbackProgress(record: RollbackProgressRecord): Promise<void> {
      const completedAt = record.completedAt ? new Date(record.completedAt) : null;
      await db.transaction(async (tx) => {
        const row = await saveRollbackProgress(tx, record.executionId, { ...record, completedAt });
        if (!row) {
          // A newer revision stored is fine; no row at all means the API's insert is not visible yet.
          if (!(await getRollbackExecution(tx, record.executionId))) throw new Error(`rollback execution ${record.executionId} is not stored (yet)`);
          return;
        }
        if (completedAt) {
          await appendAudit(tx, {
            ...SYSTEM,
            action: 'rollback.finished',
            resourceType: 'rollback_execution',
            resourceId: record.executionId,
            details: { status: record.status, durationMs: row.durationMs },
            after: { status: record.status, sites: record.sites },
          });
        }
      });
    },
  };
}
