/**
 * Rollouts, their deployments, site versions, site locks and recovery points. The rules live in
 * src/services/rollouts.ts and src/domain/rollout-deployments.ts; every function works on the
 * handle it is given, so it joins the caller's transaction.
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import {
  recoveryPoints,
  rolloutDeployments,
  rollouts,
  rolloutSiteLocks,
  siteVersions,
  type RecoveryPointRow,
  type RolloutDeploymentRow,
  type RolloutRow,
  type RolloutStatus,
} from '../schema';
import { keysetAfter, keysetOrderBy, type KeysetOrder } from './page';

export type NewRolloutRow = Omit<typeof rollouts.$inferInsert, 'createdAt' | 'updatedAt'>;

/** The version `siteId` runs for `definitionId` by its own row; undefined when it follows the active version. */
export async function getSiteVersion(db: WeftDb, definitionId: string, siteId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ version: siteVersions.version })
    .from(siteVersions)
    .where(and(eq(siteVersions.definitionId, definitionId), eq(siteVersions.siteId, siteId)));
  return row?.version;
}

/** Points the site at `version` (or back at the active version when `version` is null). */
export async function setSiteVersion(db: WeftDb, definitionId: string, siteId: string, version: string | null, setByRollout: string | null): Promise<void> {
  if (version === null) {
    await db.delete(siteVersions).where(and(eq(siteVersions.definitionId, definitionId), eq(siteVersions.siteId, siteId)));
    return;
  }
  await db
    .insert(siteVersions)
    .values({ definitionId, siteId, version, setByRollout })
    .onConflictDoUpdate({ target: [siteVersions.definitionId, siteVersions.siteId], set: { version, setByRollout, updatedAt: new Date() } });
}

export async function listSiteVersions(db: WeftDb, definitionId: string): Promise<Array<{ siteId: string; version: string }>> {
  return db
    .select({ siteId: siteVersions.siteId, version: siteVersions.version })
    .from(siteVersions)
    .where(eq(siteVersions.definitionId, definitionId))
    .orderBy(asc(siteVersions.siteId));
}

export async function insertRollout(db: WeftDb, row: NewRolloutRow): Promise<RolloutRow> {
  const [created] = await db.insert(rollouts).values(row).returning();
  return created as RolloutRow;
}

export async function getRollout(db: WeftDb, id: string): Promise<RolloutRow | undefined> {
  const [row] = await db.select().from(rollouts).where(eq(rollouts.id, id));
  return row;
}

export async function updateRollout(db: WeftDb, id: string, patch: Partial<Omit<RolloutRow, 'id' | 'createdAt'>>): Promise<RolloutRow | undefined> {
  const [row] = await db
    .update(rollouts)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(rollouts.id, id))
    .returning();
  return row;
}

/** Filters of {@link pageRollouts}. */
export interface RolloutFilter {
  definitionId?: string;
  status?: RolloutStatus;
  siteId?: string;
}

const ROLLOUT_ORDER: KeysetOrder = { table: rollouts, at: rollouts.createdAt, id: rollouts.id, direction: 'desc' };

/** Rollouts newest first, after the (createdAt, id) position `after` (keyset, to the microsecond), at most `limit`. */
export async function pageRollouts(db: WeftDb, filter: RolloutFilter, page: { after?: { at: Date; id: string }; limit: number }): Promise<RolloutRow[]> {
  const conditions: SQL[] = [];
  if (filter.definitionId !== undefined) conditions.push(eq(rollouts.definitionId, filter.definitionId));
  if (filter.status !== undefined) conditions.push(eq(rollouts.status, filter.status));
  if (filter.siteId !== undefined) conditions.push(sql`${rollouts.targetSites} @> ${JSON.stringify([filter.siteId])}::jsonb`);
  const after = keysetAfter(ROLLOUT_ORDER, page.after);
  if (after) conditions.push(after);
  return db
    .select()
    .from(rollouts)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...keysetOrderBy(ROLLOUT_ORDER))
    .limit(page.limit);
}

/**
 * Takes the (definition, site) locks for a new rollout. Returns the sites another rollout holds
 * (and takes none of them then: the caller's transaction is rolled back).
 */
export async function lockRolloutSites(
  db: WeftDb,
  definitionId: string,
  siteIds: string[],
  rolloutId: string,
): Promise<Array<{ siteId: string; rolloutId: string }>> {
  const taken = await db
    .select({ siteId: rolloutSiteLocks.siteId, rolloutId: rolloutSiteLocks.rolloutId })
    .from(rolloutSiteLocks)
    .where(and(eq(rolloutSiteLocks.definitionId, definitionId), inArray(rolloutSiteLocks.siteId, siteIds)));
  if (taken.length > 0) return taken;
  const inserted = await db
    .insert(rolloutSiteLocks)
    .values(siteIds.map((siteId) => ({ definitionId, siteId, rolloutId })))
    .onConflictDoNothing()
    .returning({ siteId: rolloutSiteLocks.siteId });
  // A concurrent creation took some between the read and the insert.
  if (inserted.length < siteIds.length) {
    const mine = new Set(inserted.map((r) => r.siteId));
    return siteIds.filter((s) => !mine.has(s)).map((siteId) => ({ siteId, rolloutId: 'another rollout' }));
  }
  return [];
}

export async function releaseRolloutSites(db: WeftDb, rolloutId: string): Promise<void> {
  await db.delete(rolloutSiteLocks).where(eq(rolloutSiteLocks.rolloutId, rolloutId));
}

export async function getDeployment(db: WeftDb, rolloutId: string, siteId: string): Promise<RolloutDeploymentRow | undefined> {
  const [row] = await db
    .select()
    .from(rolloutDeployments)
    .where(and(eq(rolloutDeployments.rolloutId, rolloutId), eq(rolloutDeployments.siteId, siteId)))
    .for('update');
  return row;
}

export async function upsertDeployment(db: WeftDb, row: typeof rolloutDeployments.$inferInsert): Promise<void> {
  const { rolloutId: _r, siteId: _s, ...set } = row;
  await db
    .insert(rolloutDeployments)
    .values(row)
    .onConflictDoUpdate({ target: [rolloutDeployments.rolloutId, rolloutDeployments.siteId], set });
}

export async function listDeployments(db: WeftDb, rolloutId: string): Promise<RolloutDeploymentRow[]> {
  return db.select().from(rolloutDeployments).where(eq(rolloutDeployments.rolloutId, rolloutId)).orderBy(asc(rolloutDeployments.siteId));
}

/** Inserts a recovery point unless its (deterministic) id exists; true when inserted. */
export async function insertRecoveryPointIfAbsent(db: WeftDb, row: typeof recoveryPoints.$inferInsert): Promise<boolean> {
  const inserted = await db.insert(recoveryPoints).values(row).onConflictDoNothing().returning({ id: recoveryPoints.id });
  return inserted.length > 0;
}

/** The first `pre_deployment` point of the site in the rollout: the state before this rollout touched it. */
export async function firstPrePoint(db: WeftDb, rolloutId: string, siteId: string): Promise<RecoveryPointRow | undefined> {
  const [row] = await db
    .select()
    .from(recoveryPoints)
    .where(and(eq(recoveryPoints.rolloutId, rolloutId), eq(recoveryPoints.siteId, siteId), eq(recoveryPoints.kind, 'pre_deployment')))
    .orderBy(asc(recoveryPoints.createdAt))
    .limit(1);
  return row;
}
