/**
 * Configuration parameters and the values set at each scope. Rows only (secret values stay
 * sealed here); the rules live in src/domain/config-*.ts and src/services/config*.ts.
 */
import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { configParameters, configRevision, configValues, type ConfigParameterRow, type ConfigScope, type ConfigValueRow } from '../schema';

export type NewParameterRow = Omit<typeof configParameters.$inferInsert, 'createdAt' | 'updatedAt'>;

/** Inserts a parameter; undefined when the key is taken. */
export async function insertParameter(db: WeftDb, row: NewParameterRow): Promise<ConfigParameterRow | undefined> {
  const [created] = await db.insert(configParameters).values(row).onConflictDoNothing().returning();
  return created;
}

export async function getParameter(db: WeftDb, key: string): Promise<ConfigParameterRow | undefined> {
  const [row] = await db.select().from(configParameters).where(eq(configParameters.key, key));
  return row;
}

/** Every parameter by key (optionally of one category). */
export async function listParameters(db: WeftDb, category?: string): Promise<ConfigParameterRow[]> {
  return db
    .select()
    .from(configParameters)
    .where(category === undefined ? undefined : eq(configParameters.category, category))
    .orderBy(asc(configParameters.key));
}

export async function updateParameter(
  db: WeftDb,
  key: string,
  patch: Partial<Omit<ConfigParameterRow, 'key' | 'type' | 'secret' | 'createdAt' | 'createdBy'>>,
): Promise<ConfigParameterRow | undefined> {
  const [row] = await db
    .update(configParameters)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(configParameters.key, key))
    .returning();
  return row;
}

export async function deleteParameter(db: WeftDb, key: string): Promise<boolean> {
  const rows = await db.delete(configParameters).where(eq(configParameters.key, key)).returning({ key: configParameters.key });
  return rows.length > 0;
}

/** How many values are set for `key` at any scope. */
export async function countValues(db: WeftDb, key: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(configValues).where(eq(configValues.key, key));
  return Number(row?.n ?? 0);
}

/** The value at one scope, or undefined. `forUpdate` locks the row until the transaction ends. */
export async function getValue(db: WeftDb, scope: ConfigScope, scopeId: string, key: string, forUpdate = false): Promise<ConfigValueRow | undefined> {
  const q = db
    .select()
    .from(configValues)
    .where(and(eq(configValues.scope, scope), eq(configValues.scopeId, scopeId), eq(configValues.key, key)));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

/** Every value set at one scope (e.g. a site's own values, for clone). */
export async function valuesAt(db: WeftDb, scope: ConfigScope, scopeId: string): Promise<ConfigValueRow[]> {
  return db
    .select()
    .from(configValues)
    .where(and(eq(configValues.scope, scope), eq(configValues.scopeId, scopeId)))
    .orderBy(asc(configValues.key));
}

/** The fields a write sets. */
export interface ValueWrite {
  scope: ConfigScope;
  scopeId: string;
  key: string;
  value: unknown;
  sealed: string | null;
  etag: string;
  setBy: string;
  setAt: Date;
  reason: string | null;
  approvalRequestId: string | null;
}

/**
 * Inserts the value, or replaces it counting the revision up. With `onlyIfAbsent` an existing
 * value is left alone and undefined is returned (a writer that expected none lost the race).
 */
export async function writeValue(db: WeftDb, w: ValueWrite, onlyIfAbsent = false): Promise<ConfigValueRow | undefined> {
  const insert = db.insert(configValues).values({ ...w, value: w.value === undefined ? null : w.value, revision: 1 });
  const [row] = onlyIfAbsent
    ? await insert.onConflictDoNothing().returning()
    : await insert
        .onConflictDoUpdate({
          target: [configValues.scope, configValues.scopeId, configValues.key],
          set: {
            value: sql`excluded.value`,
            sealed: sql`excluded.sealed`,
            etag: sql`excluded.etag`,
            setBy: sql`excluded.set_by`,
            setAt: sql`excluded.set_at`,
            reason: sql`excluded.reason`,
            approvalRequestId: sql`excluded.approval_request_id`,
            revision: sql`${configValues.revision} + 1`,
          },
        })
        .returning();
  return row;
}

export async function deleteValue(db: WeftDb, scope: ConfigScope, scopeId: string, key: string): Promise<ConfigValueRow | undefined> {
  const [row] = await db
    .delete(configValues)
    .where(and(eq(configValues.scope, scope), eq(configValues.scopeId, scopeId), eq(configValues.key, key)))
    .returning();
  return row;
}

/** The columns resolution reads (fewer columns, less to decode per row). */
const RESOLVABLE = {
  scope: configValues.scope,
  scopeId: configValues.scopeId,
  key: configValues.key,
  value: configValues.value,
  sealed: configValues.sealed,
  etag: configValues.etag,
  setBy: configValues.setBy,
  setAt: configValues.setAt,
  reason: configValues.reason,
};
export type ResolvableValue = Pick<ConfigValueRow, keyof typeof RESOLVABLE>;

/**
 * Every value that may apply to the site `siteId`, in one query: global ones, its region's, and
 * those of the site and its ancestors (the parent chain is followed inside the query, at most
 * `maxDepth` levels). Each part is a lookup by the primary key's prefix.
 */
export async function valuesForSite(db: WeftDb, siteId: string, maxDepth: number): Promise<ResolvableValue[]> {
  const chain = sql`with recursive chain as (
      select s.id, s.parent_site_id, 0 as depth from sites s where s.id = ${siteId}
      union all
      select p.id, p.parent_site_id, c.depth + 1 from sites p join chain c on p.id = c.parent_site_id where c.depth < ${maxDepth}
    ) select id from chain`;
  const at = (condition: SQL | undefined) => db.select(RESOLVABLE).from(configValues).where(condition);
  // UNION ALL, not OR: each branch is an index scan, where OR made the planner scan the table.
  return at(and(eq(configValues.scope, 'global'), eq(configValues.scopeId, '')))
    .unionAll(at(and(eq(configValues.scope, 'region'), sql`${configValues.scopeId} = (select region from sites where id = ${siteId})`)))
    .unionAll(at(and(eq(configValues.scope, 'site'), sql`${configValues.scopeId} = any(array(${chain}))`)));
}

/** How many statements have changed sites, parameters or values so far (see schema `configRevision`). */
export async function configRevisionNow(db: WeftDb): Promise<number> {
  const [row] = await db.select({ revision: configRevision.revision }).from(configRevision).where(eq(configRevision.id, 1));
  return row?.revision ?? 0;
}
