/** Site health check configurations and results. */
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { executions, siteHealthCheckConfigs, siteHealthChecks, type HealthCheckConfig, type SiteHealthCheckRow } from '../schema';

export async function getHealthConfig(db: WeftDb, siteId: string): Promise<{ checks: HealthCheckConfig; updatedBy: string; updatedAt: Date } | undefined> {
  const [row] = await db.select().from(siteHealthCheckConfigs).where(eq(siteHealthCheckConfigs.siteId, siteId));
  return row;
}

/** Replaces a site's configuration; answers the one it replaced, if any. */
export async function putHealthConfig(db: WeftDb, siteId: string, checks: HealthCheckConfig, updatedBy: string) {
  const [before] = await db.select().from(siteHealthCheckConfigs).where(eq(siteHealthCheckConfigs.siteId, siteId)).for('update');
  const [after] = await db
    .insert(siteHealthCheckConfigs)
    .values({ siteId, checks, updatedBy })
    .onConflictDoUpdate({ target: siteHealthCheckConfigs.siteId, set: { checks, updatedBy, updatedAt: new Date() } })
    .returning();
  return { before, after: after as NonNullable<typeof after> };
}

export async function insertHealthCheck(db: WeftDb, row: typeof siteHealthChecks.$inferInsert): Promise<SiteHealthCheckRow> {
  const [inserted] = await db.insert(siteHealthChecks).values(row).returning();
  if (!inserted) throw new Error('insertHealthCheck: insert returned no row');
  return inserted;
}

/** A site's latest health checks, newest first. */
export async function latestHealthChecks(db: WeftDb, siteId: string, limit: number): Promise<SiteHealthCheckRow[]> {
  return db
    .select()
    .from(siteHealthChecks)
    .where(eq(siteHealthChecks.siteId, siteId))
    .orderBy(desc(siteHealthChecks.createdAt), desc(siteHealthChecks.id))
    .limit(limit);
}

/** Finished executions of the version at the site since `since`: how many, and how many failed. */
export async function recentOutcomes(
  db: WeftDb,
  q: { definitionId: string; version: string; siteId: string; since: Date },
): Promise<{ finished: number; failed: number }> {
  const [row] = await db
    .select({ finished: sql<number>`count(*)::int`, failed: sql<number>`(count(*) filter (where ${executions.status} = 'failed'))::int` })
    .from(executions)
    .where(
      and(
        eq(executions.definitionId, q.definitionId),
        eq(executions.version, q.version),
        eq(executions.siteId, q.siteId),
        gte(executions.startedAt, q.since),
        inArray(executions.status, ['completed', 'failed']),
      ),
    );
  return { finished: Number(row?.finished ?? 0), failed: Number(row?.failed ?? 0) };
}
