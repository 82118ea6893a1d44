/**
 * A throw-away PostgreSQL database for one integration test file, on the server named by
 * `DATABASE_URL` (default: the local trust-auth server). Reusable by any integration test:
 *
 * ```ts
 * let fresh: FreshDatabase;
 * beforeAll(async () => { fresh = await createFreshDatabaseUrl(); });
 * afterAll(async () => { await fresh.drop(); });
 * // openDatabase({ databaseUrl: fresh.url }) applies the migrations
 * ```
 *
 * The database starts empty (no migrations applied).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../../src/db';

/** Server to create test databases on. */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database created for one test file. */
export interface FreshDatabase {
  /** postgres:// URL of the new database (same server and credentials as the admin URL). */
  url: string;
  /** Its name, `weft_test_<hex>`. */
  name: string;
  /** Drops it, disconnecting whoever is still connected (`WITH (FORCE)`). Safe to call twice. */
  drop(): Promise<void>;
}

/** Creates an empty database with a random name and returns its URL. */
export async function createFreshDatabaseUrl(prefix = 'weft_test'): Promise<FreshDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`invalid database name prefix: ${prefix}`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((sql) => sql.unsafe(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withAdmin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A database opened (and migrated) for one suite, with what undoes it. */
export interface OpenedForSuite {
  database: Database;
  dispose(): Promise<void>;
}

/** A fresh, migrated PostgreSQL database for one suite; `dispose` closes and drops it. */
export async function openFreshPostgres(): Promise<OpenedForSuite> {
  const fresh = await createFreshDatabaseUrl();
  try {
    const database = await openDatabase({ databaseUrl: fresh.url });
    return {
      database,
      dispose: async () => {
        await database.close();
        await fresh.drop();
      },
    };
  } catch (err) {
    await fresh.drop();
    throw err;
  }
}

/** An in-memory, migrated PGlite for one suite. */
export async function openMemoryPglite(): Promise<OpenedForSuite> {
  const database = await openDatabase({ inMemory: true });
  return { database, dispose: () => database.close() };
}

/** A database opened for one suite with a second handle, `other`, standing for another worker. */
export interface OpenedTwiceForSuite extends OpenedForSuite {
  other: Database;
}

/**
 * A fresh, migrated PostgreSQL database opened through two pools, as two worker processes
 * would race on it; `dispose` closes both and drops it.
 */
export async function openFreshPostgresTwice(): Promise<OpenedTwiceForSuite> {
  const fresh = await createFreshDatabaseUrl();
  const opened: Database[] = [];
  const closeAll = async () => {
    await Promise.all(opened.map((d) => d.close()));
    await fresh.drop();
  };
  try {
    opened.push(await openDatabase({ databaseUrl: fresh.url }));
    opened.push(await openDatabase({ databaseUrl: fresh.url }));
    const [database, other] = opened as [Database, Database];
    return { database, other, dispose: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** An in-memory, migrated PGlite whose `other` handle is itself (PGlite lives in one process). */
export async function openMemoryPgliteTwice(): Promise<OpenedTwiceForSuite> {
  const { database, dispose } = await openMemoryPglite();
  return { database, other: database, dispose };
}
