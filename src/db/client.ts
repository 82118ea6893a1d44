/**
 * The one database client factory. Importing this module opens nothing: a connection exists only
 * after `openDatabase()` resolves, and it is the caller's to `close()`.
 *
 * - `databaseUrl` set → PostgreSQL through postgres.js (the production shape).
 * - otherwise → embedded PGlite, persisted under `<dataDir>/pglite` or kept in memory.
 *
 * Either way the checked-in migrations in `drizzle/` are applied before the handle is returned.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as PgliteModule from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { rootMessage } from './errors';
import * as schema from './schema';

/** The drizzle database every repository takes; the same type for both drivers and for transactions. */
export type WeftDb = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database: the drizzle handle plus the lifecycle of the connection under it. */
export interface Database {
  /** The drizzle handle to pass to repositories. */
  db: WeftDb;
  /** Which driver is underneath. */
  kind: 'postgres' | 'pglite';
  /** Ends the pool (postgres) or shuts PGlite down; the handle is unusable afterwards. */
  close(): Promise<void>;
  /** Runs `select 1`; rejects when the database cannot be reached (for health checks). */
  ping(): Promise<void>;
  /**
   * LISTENs on `channel` (PostgreSQL: on a connection of its own, which the driver re-opens and
   * LISTENs on again after it drops, calling `onListen` each time; PGlite: in process). Resolves
   * once listening; the answer stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onListen: () => void): Promise<() => Promise<void>>;
}

/** Where to find the database. */
export interface OpenDatabaseOptions {
  /** postgres:// URL; when set, PostgreSQL is used and `dataDir`/`inMemory` are ignored. */
  databaseUrl?: string;
  /**
   * Folder for PGlite files (stored in `<dataDir>/pglite`). Required for PGlite unless
   * `inMemory`. PGlite is single-process: only one process may open a given folder at a time.
   */
  dataDir?: string;
  /** PGlite only: keep everything in memory (tests). */
  inMemory?: boolean;
  /** Receives one line per notable step (driver chosen, migrations applied). */
  log?: (msg: string) => void;
  /** Pool size for PostgreSQL (default 10). */
  maxConnections?: number;
  /** Override the migrations folder (default: the checked-in `drizzle/` of this repository). */
  migrationsFolder?: string;
}

/**
 * Key of the session-level advisory lock held while migrating PostgreSQL, so that an API and a
 * worker starting together do not both run the same DDL (drizzle's migrator is not safe for
 * that: its `CREATE SCHEMA IF NOT EXISTS` races, and both would apply the same migration).
 * Any constant works as long as every Weft process uses the same one.
 */
const MIGRATION_LOCK_KEY = 7_286_330_912;

/**
 * Opens the database named by `opts` and applies pending migrations.
 *
 * @throws Error when neither `databaseUrl`, `dataDir` nor `inMemory` is given, when the
 *   migrations folder cannot be found, or when the database is unreachable or a migration fails
 *   (the connection is closed before the error propagates).
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const log = opts.log ?? (() => undefined);
  const migrationsFolder = opts.migrationsFolder ?? findMigrationsFolder();
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, migrationsFolder, opts.maxConnections ?? 10, log);
  if (opts.inMemory) return openPglite(undefined, migrationsFolder, log);
  if (opts.dataDir) return openPglite(join(opts.dataDir, 'pglite'), migrationsFolder, log);
  throw new Error('openDatabase: give databaseUrl (PostgreSQL), dataDir (PGlite on disk) or inMemory: true');
}

async function openPostgres(url: string, migrationsFolder: string, max: number, log: (msg: string) => void): Promise<Database> {
  try {
    await migratePostgresLocked(url, migrationsFolder, log);
  } catch (err) {
    throw new Error(`openDatabase: migrating PostgreSQL at ${redact(url)} failed: ${rootMessage(err)}`, { cause: err });
  }
  const client = postgres(url, { max, onnotice: (n) => log(`postgres notice: ${n.message}`) });
  const db = drizzlePostgres({ client, schema });
  const database: Database = {
    db,
    kind: 'postgres',
    close: () => client.end({ timeout: 5 }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    listen: async (channel, onNotify, onListen) => {
      const listening = await client.listen(channel, onNotify, onListen);
      return () => listening.unlisten();
    },
  };
  try {
    await database.ping();
  } catch (err) {
    await client.end({ timeout: 0 });
    throw err;
  }
  log(`database: PostgreSQL at ${redact(url)}`);
  return database;
}

/**
 * Migrates over a dedicated single-connection client: a session-level advisory lock belongs to
 * one connection, so the lock, the migration and the unlock must all run on the same one.
 */
async function migratePostgresLocked(url: string, migrationsFolder: string, log: (msg: string) => void): Promise<void> {
  // Notices such as "schema drizzle already exists, skipping" are expected on every start.
  const client = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const db = drizzlePostgres({ client });
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await migratePostgres(db, { migrationsFolder });
      log('database: migrations applied (PostgreSQL)');
    } finally {
      // Best effort: if the connection broke, ending the session below releases the lock anyway,
      // and the migration's own error is the one worth reporting.
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => undefined);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function openPglite(dir: string | undefined, migrationsFolder: string, log: (msg: string) => void): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const { PGlite } = loadPglite();
  const client = new PGlite(dir);
  const db = drizzlePglite({ client, schema });
  try {
    await client.waitReady;
    await migratePglite(db, { migrationsFolder });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new Error(`openDatabase: migrating PGlite ${dir ?? 'in memory'} failed: ${rootMessage(err)}`, { cause: err });
  }
  log(`database: PGlite ${dir ? `in ${dir}` : 'in memory'}, migrations applied`);
  return {
    db,
    kind: 'pglite',
    close: async () => {
      if (!client.closed) await client.close();
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    listen: async (channel, onNotify, onListen) => {
      const unlisten = await client.listen(channel, onNotify);
      onListen();
      return () => unlisten();
    },
  };
}

/**
 * PGlite is loaded on demand, so a PostgreSQL deployment never loads its WASM. (Its CommonJS
 * build uses dynamic `import()`, which is why Jest runs with `--experimental-vm-modules`.)
 */
function loadPglite(): typeof PgliteModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return require('@electric-sql/pglite') as typeof PgliteModule;
}

/**
 * Finds the checked-in `drizzle/` folder by walking up from this module, so that it works from
 * any cwd and both from `src/db` (tsx, ts-jest) and from a compiled `dist/src/db`.
 */
function findMigrationsFolder(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`openDatabase: no drizzle/meta/_journal.json found above ${resolve(__dirname)}`);
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

/**
 * Runs raw SQL and returns its rows whichever driver is underneath (postgres.js answers an
 * array, PGlite an object with `rows`). Prefer the query builder; this is for the odd query it
 * cannot express.
 */
export async function executeRows<T extends Record<string, unknown>>(db: WeftDb, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  if (typeof result === 'object' && result !== null && Array.isArray((result as { rows?: unknown }).rows)) {
    return (result as { rows: T[] }).rows;
  }
  throw new Error('executeRows: unexpected result shape from the driver');
}
