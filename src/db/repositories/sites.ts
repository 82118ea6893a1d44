/**
 * Sites: rows, keyset pages and the parent chain. The rules (cycles, time zones, views) live in
 * src/services/sites.ts. Every function works on the handle it is given, so it joins the
 * caller's transaction.
 */
import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import { sites, type SiteEnvironment, type SiteRow } from '../schema';

/** Parent chains longer than this are not followed (cycles are refused on write; this is the net). */
export const MAX_SITE_DEPTH = 64;

export type NewSiteRow = Omit<typeof sites.$inferInsert, 'createdAt' | 'updatedAt'>;

/** Inserts a site; undefined when the id is taken. */
export async function insertSite(db: WeftDb, row: NewSiteRow): Promise<SiteRow | undefined> {
  const [created] = await db.insert(sites).values(row).onConflictDoNothing().returning();
  return created;
}

export async function getSite(db: WeftDb, id: string): Promise<SiteRow | undefined> {
  const [row] = await db.select().from(sites).where(eq(sites.id, id));
  return row;
}

/** The site, its row locked until the transaction ends. */
export async function getSiteForUpdate(db: WeftDb, id: string): Promise<SiteRow | undefined> {
  const [row] = await db.select().from(sites).where(eq(sites.id, id)).for('update');
  return row;
}

/** Changes the given fields; undefined when the site is gone. */
export async function updateSite(db: WeftDb, id: string, patch: Partial<Omit<SiteRow, 'id' | 'createdAt' | 'createdBy'>>): Promise<SiteRow | undefined> {
  const [row] = await db
    .update(sites)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(sites.id, id))
    .returning();
  return row;
}

/** Filters of {@link pageSites}; omitted ones match every site. */
export interface SiteFilter {
  region?: string;
  environment?: SiteEnvironment;
  active?: boolean;
}

/** Sites by id, after `afterId`, at most `limit`. */
export async function pageSites(db: WeftDb, filter: SiteFilter, page: { afterId?: string; limit: number }): Promise<SiteRow[]> {
  const conditions: SQL[] = [];
  if (filter.region !== undefined) conditions.push(eq(sites.region, filter.region));
  if (filter.environment !== undefined) conditions.push(eq(sites.environment, filter.environment));
  if (filter.active !== undefined) conditions.push(eq(sites.isActive, filter.active));
  if (page.afterId !== undefined) conditions.push(gt(sites.id, page.afterId));
  return db
    .select()
    .from(sites)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(sites.id))
    .limit(page.limit);
}

/** A site of a chain: what resolution and starts need. */
export interface ChainSite {
  id: string;
  name: string;
  region: string;
  environment: SiteEnvironment;
  parentSiteId: string | null;
  timeZone: string;
  isActive: boolean;
}

/**
 * The site and its ancestors, the site first, in one query. Empty when there is no such site.
 * Stops after {@link MAX_SITE_DEPTH} levels.
 */
export async function siteChain(db: WeftDb, id: string): Promise<ChainSite[]> {
  const rows = await executeRows<{
    id: string;
    name: string;
    region: string;
    environment: SiteEnvironment;
    parent_site_id: string | null;
    time_zone: string;
    is_active: boolean;
  }>(
    db,
    sql`with recursive chain as (
          select s.id, s.name, s.region, s.environment, s.parent_site_id, s.time_zone, s.is_active, 0 as depth from sites s where s.id = ${id}
          union all
          select p.id, p.name, p.region, p.environment, p.parent_site_id, p.time_zone, p.is_active, c.depth + 1
            from sites p join chain c on p.id = c.parent_site_id where c.depth < ${MAX_SITE_DEPTH}
        )
        select id, name, region, environment, parent_site_id, time_zone, is_active from chain order by depth`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    region: r.region,
    environment: r.environment,
    parentSiteId: r.parent_site_id,
    timeZone: r.time_zone,
    isActive: r.is_active,
  }));
}

/**
 * Serialises changes of parents until the transaction ends, so that two concurrent changes
 * cannot close a cycle between them (each would see the other's old parent).
 */
export async function lockSiteParents(db: WeftDb): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('weft.sites.parents'))`);
}

/** Sites by id (any that exist), or the active sites of an environment (in some regions), in id order. */
export async function sitesWhere(db: WeftDb, where: { ids: string[] } | { environment: SiteEnvironment; regions?: string[] }): Promise<SiteRow[]> {
  const condition =
    'ids' in where
      ? inArray(sites.id, where.ids)
      : and(eq(sites.environment, where.environment), eq(sites.isActive, true), where.regions ? inArray(sites.region, where.regions) : undefined);
  return db.select().from(sites).where(condition).orderBy(asc(sites.id));
}
