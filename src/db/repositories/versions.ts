/**
 * Workflow versions: immutable graph snapshots with a lifecycle
 * (draft → published/active → deprecated → archived). Nothing here ever updates `graph`: an
 * execution started from a version must be able to read exactly what it ran.
 */
import { and, eq, isNull, ne } from 'drizzle-orm';
import { WeftError } from '../../graph/errors';
import type { WeftDb } from '../client';
import { workflowDefinitions, workflowVersions, type WorkflowDefinition, type WorkflowVersion } from '../schema';
import { compareStoredVersions } from '../../graph/semver';

/** A new version of an existing definition. */
export interface AddVersionInput {
  id: string;
  definitionId: string;
  /** Semver string, unique within the definition. */
  version: string;
  /** The graph document, already validated. */
  graph: unknown;
  changelog?: string | null;
  createdBy: string;
  tags?: string[];
  /** The version this one derives from. */
  parentVersion?: string | null;
}

/**
 * Adds a draft version to a live definition and bumps the definition's `updated_at`.
 *
 * @throws WeftError `WORKFLOW_NOT_FOUND` when the definition is missing or deleted
 * @throws WeftError `VERSION_CONFLICT` when the definition already has this version string
 */
export async function addVersion(db: WeftDb, input: AddVersionInput): Promise<WorkflowVersion> {
  return db.transaction(async (tx) => {
    await lockLiveDefinition(tx, input.definitionId);
    // DO NOTHING rather than catching the unique violation: an error would abort a caller's
    // surrounding transaction, an empty RETURNING does not.
    const [row] = await tx
      .insert(workflowVersions)
      .values({
        id: input.id,
        definitionId: input.definitionId,
        version: input.version,
        status: 'draft',
        graph: input.graph,
        changelog: input.changelog ?? null,
        createdBy: input.createdBy,
        tags: input.tags ?? [],
        parentVersion: input.parentVersion ?? null,
      })
      .onConflictDoNothing({ target: [workflowVersions.definitionId, workflowVersions.version] })
      .returning();
    if (!row) {
      throw new WeftError('VERSION_CONFLICT', `workflow ${input.definitionId} already has version ${input.version}`, {
        details: { definitionId: input.definitionId, version: input.version },
      });
    }
    await tx.update(workflowDefinitions).set({ updatedAt: new Date() }).where(eq(workflowDefinitions.id, input.definitionId));
    return row;
  });
}

/** Every version of a definition, highest semver first (`1.10.0` before `1.9.0`). */
export async function listVersions(db: WeftDb, definitionId: string): Promise<WorkflowVersion[]> {
  const rows = await db.select().from(workflowVersions).where(eq(workflowVersions.definitionId, definitionId));
  // Sorted here, not in SQL: text order puts 1.10.0 before 1.9.0, and a definition has few versions.
  return rows.sort((a, b) => compareStoredVersions(b.version, a.version) || b.createdAt.getTime() - a.createdAt.getTime());
}

/** One version by its version string, or undefined. */
export async function getVersion(db: WeftDb, definitionId: string, version: string): Promise<WorkflowVersion | undefined> {
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.definitionId, definitionId), eq(workflowVersions.version, version)));
  return row;
}

/** The version with the highest semver, whatever its status; undefined when there is none. */
export async function getLatestVersion(db: WeftDb, definitionId: string): Promise<WorkflowVersion | undefined> {
  const versions = await listVersions(db, definitionId);
  return versions[0];
}

/** The version new executions start with, or undefined when none has been published. */
export async function getActiveVersion(db: WeftDb, definitionId: string): Promise<WorkflowVersion | undefined> {
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.definitionId, definitionId), eq(workflowVersions.status, 'active')));
  return row;
}

/** Which version to make active, and who did it. */
export interface PublishVersionInput {
  definitionId: string;
  version: string;
  publishedBy: string;
  /** Defaults to now. */
  publishedAt?: Date;
}

/**
 * Makes a version the active one, in one transaction: the previously active version becomes
 * `published`, this one becomes `active` with `published_at`/`published_by`, and the
 * definition's `active_version` points at it. Publishing the already-active version is a no-op
 * that returns it unchanged. A deprecated version may be published again (rollback).
 *
 * @throws WeftError `WORKFLOW_NOT_FOUND` when the definition is missing or deleted
 * @throws WeftError `VERSION_NOT_FOUND` when the definition has no such version
 * @throws WeftError `VERSION_CONFLICT` when the version is archived (read-only)
 */
export async function publishVersion(db: WeftDb, input: PublishVersionInput): Promise<WorkflowVersion> {
  return db.transaction(async (tx) => {
    // The definition row lock serialises concurrent publishes, so there is never a moment with
    // two active versions.
    await lockLiveDefinition(tx, input.definitionId);
    const target = await getVersion(tx, input.definitionId, input.version);
    if (!target) throw versionNotFound(input.definitionId, input.version);
    if (target.status === 'active') return target;
    if (target.status === 'archived') {
      throw new WeftError('VERSION_CONFLICT', `version ${input.version} of workflow ${input.definitionId} is archived`, {
        details: { definitionId: input.definitionId, version: input.version, status: target.status },
      });
    }
    const at = input.publishedAt ?? new Date();
    await tx
      .update(workflowVersions)
      .set({ status: 'published' })
      .where(and(eq(workflowVersions.definitionId, input.definitionId), eq(workflowVersions.status, 'active'), ne(workflowVersions.id, target.id)));
    const [row] = await tx
      .update(workflowVersions)
      .set({ status: 'active', publishedAt: at, publishedBy: input.publishedBy })
      .where(eq(workflowVersions.id, target.id))
      .returning();
    await tx.update(workflowDefinitions).set({ activeVersion: input.version, updatedAt: at }).where(eq(workflowDefinitions.id, input.definitionId));
    if (!row) throw versionNotFound(input.definitionId, input.version);
    return row;
  });
}

/** Which version to take out of service, and into which status. */
export interface RetireVersionInput {
  definitionId: string;
  version: string;
  status: 'deprecated' | 'archived';
}

/**
 * Deprecates (no new executions) or archives (read-only history) a version. Retiring the
 * active version leaves the definition without one (`active_version` becomes null).
 *
 * @throws WeftError `WORKFLOW_NOT_FOUND` when the definition is missing or deleted
 * @throws WeftError `VERSION_NOT_FOUND` when the definition has no such version
 */
export async function retireVersion(db: WeftDb, input: RetireVersionInput): Promise<WorkflowVersion> {
  return db.transaction(async (tx) => {
    const definition = await lockLiveDefinition(tx, input.definitionId);
    const [row] = await tx
      .update(workflowVersions)
      .set({ status: input.status })
      .where(and(eq(workflowVersions.definitionId, input.definitionId), eq(workflowVersions.version, input.version)))
      .returning();
    if (!row) throw versionNotFound(input.definitionId, input.version);
    if (definition.activeVersion === input.version) {
      await tx.update(workflowDefinitions).set({ activeVersion: null, updatedAt: new Date() }).where(eq(workflowDefinitions.id, input.definitionId));
    }
    return row;
  });
}

/** Locks the definition row for the rest of the transaction. */
export async function lockLiveDefinition(tx: WeftDb, definitionId: string): Promise<WorkflowDefinition> {
  const [definition] = await tx
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.id, definitionId), isNull(workflowDefinitions.deletedAt)))
    .for('update');
  if (!definition) {
    throw new WeftError('WORKFLOW_NOT_FOUND', `workflow ${definitionId} not found`, { details: { definitionId } });
  }
  return definition;
}

function versionNotFound(definitionId: string, version: string): WeftError {
  return new WeftError('VERSION_NOT_FOUND', `workflow ${definitionId} has no version ${version}`, {
    details: { definitionId, version },
  });
}
