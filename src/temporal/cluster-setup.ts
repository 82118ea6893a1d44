/**
 * A real Temporal server on PostgreSQL, set up from nothing but Go and a PostgreSQL server: the
 * server and its schema tool are built from the Go module proxy, the schema and the sample
 * configuration come from the server's module, and the databases live on the PostgreSQL server
 * that Weft's own DATABASE_URL names. What docker-compose's temporal services do, without Docker.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import postgres from 'postgres';
import { ensureGoTool, findGoTool, type GoTool } from './cli';
import { ensureSearchAttributes } from './search-attributes';

/** The server version the schema, configuration and binaries all come from. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`;

/** The Temporal server (`go install` names it after its folder: `server`). */
export const TEMPORAL_SERVER: GoTool = {
  binary: 'server',
  installTarget: `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`,
  pathVariable: 'TEMPORAL_SERVER_PATH',
  searchPath: false,
};

/** Temporal's SQL schema tool (`sql`). */
export const TEMPORAL_SQL_TOOL: GoTool = {
  binary: 'sql',
  installTarget: `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
  pathVariable: 'TEMPORAL_SQL_TOOL_PATH',
  searchPath: false,
};

/**
 * The production shape's defaults, shared by `npm run cluster` and docker-compose.yml (a unit test
 * keeps the two alike): two workers and one API process by default.
 */
export const CLUSTER_SHAPE = { workers: 2, apis: 1 } as const;

/**
 * The worker tuning both run with (README, Settings), for a small machine that also runs the
 * Temporal server and PostgreSQL: fewer workflow-task slots and pollers than the SDK's defaults
 * (40 and 10), because a worker runs its workflow tasks on one workflow thread and slots it cannot
 * drain hold tasks another worker could take; activities mostly wait on HTTP and the database, so
 * they keep more. bench/cluster-scale.ts measures the shape with these values.
 */
export const CLUSTER_WORKER_ENV = {
  WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
  WEFT_WORKER_WORKFLOW_POLLERS: '4',
  WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
  WEFT_WORKER_ACTIVITY_POLLERS: '4',
  WEFT_MAX_CACHED_WORKFLOWS: '1000',
} as const;

/**
 * The highest frontend port: the membership ports are placed up to 106 above it, and Temporal's
 * `cluster_membership` table keeps them as smallint (at most 32767); above that the server exits
 * at start with "value … is out of range for type smallint".
 */
export const MAX_CLUSTER_FRONTEND_PORT = 32_767 - 106;

/** gRPC ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

export interface ClusterSetupOptions {
  /** Weft's database; Temporal's two databases are made on the same server with the same user. */
  databaseUrl: string;
  /** Where the configuration and the server's log go. */
  dir: string;
  /** The frontend's gRPC port; the server's other ports are placed just above it. */
  frontendPort: number;
  namespace: string;
  /** Names of Temporal's databases (default `temporal`, `temporal_visibility`). */
  databases?: { main: string; visibility: string };
  log: (msg: string) => void;
}

export class TemporalClusterSetup {
  private server: ChildProcess | undefined;
  private serverPath = '';
  private readonly databases: { main: string; visibility: string };

  constructor(private readonly opts: ClusterSetupOptions) {
    if (opts.frontendPort > MAX_CLUSTER_FRONTEND_PORT) {
      throw new Error(
        `Temporal frontend port ${opts.frontendPort}: at most ${MAX_CLUSTER_FRONTEND_PORT} (its membership ports, up to 106 above it, must fit PostgreSQL's smallint)`,
      );
    }
    this.databases = opts.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  }

  /** Builds what is missing, creates Weft's and Temporal's databases, applies the schema, writes the configuration. */
  async prepare(): Promise<void> {
    const { log } = this.opts;
    const tool = (t: GoTool) => {
      const path = ensureGoTool(t, log);
      if (!path) throw new Error(`${t.binary}: not found and no Go toolchain to build it (go install ${t.installTarget})`);
      return path;
    };
    this.serverPath = tool(TEMPORAL_SERVER);
    const sqlTool = tool(TEMPORAL_SQL_TOOL);
    const moduleDir = serverModuleDir();
    await this.createDatabases();
    const url = new URL(this.opts.databaseUrl);
    const base = ['--plugin', 'postgres12', '--ep', url.hostname, '-p', url.port || '5432', '-u', decodeURIComponent(url.username || 'postgres')];
    if (url.password) base.push('--pw', decodeURIComponent(url.password));
    for (const [db, schema] of [
      [this.databases.main, 'temporal'],
      [this.databases.visibility, 'visibility'],
    ] as const) {
      if (!(await this.hasSchema(db))) execFileSync(sqlTool, [...base, '--db', db, 'setup-schema', '-v', '0.0'], { stdio: 'pipe' });
      // Applies only the versions the database does not have yet: safe on every start.
      execFileSync(sqlTool, [...base, '--db', db, 'update-schema', '-d', join(moduleDir, 'schema', 'postgresql', 'v12', schema, 'versioned')], {
        stdio: 'pipe',
      });
      log(`schema of ${db} is current`);
    }
    this.writeConfig(moduleDir, url);
  }

  /**
   * Starts the server, waits for its frontend, registers the namespace and Weft's search attributes.
   * @returns the frontend's host:port
   */
  async start(): Promise<string> {
    const { dir, log, namespace } = this.opts;
    const out = createWriteStream(join(dir, 'temporal.log'));
    this.server = spawn(this.serverPath, ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], {
      // The configuration names its dynamic-config file relative to the folder it runs in.
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server.stdout?.pipe(out);
    this.server.stderr?.pipe(out);
    const address = `127.0.0.1:${this.opts.frontendPort}`;
    const connection = await this.untilReady('the Temporal frontend', () => connectOnce(address), 90_000);
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') }).catch((err: { code?: number }) => {
        if (err.code !== ALREADY_EXISTS) throw err;
      });
      // A new namespace reaches the server's caches within its refresh interval (about 10 s).
      const registered = await this.untilReady(`namespace ${namespace}`, () => ensureSearchAttributes(connection, namespace, address), 60_000);
      if (registered.length) log(`registered search attributes ${registered.join(', ')}`);
    } finally {
      await connection.close();
    }
    log(`Temporal server ${TEMPORAL_SERVER_VERSION} is serving ${address}`);
    return address;
  }

  /** The running server's process id (to measure its CPU), if it runs. */
  get serverPid(): number | undefined {
    return this.server?.exitCode === null && this.server.signalCode === null ? this.server.pid : undefined;
  }

  /** Kills the server with SIGKILL, as a crash would (for fault tests); `start()` brings it back. */
  async crash(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      server.once('exit', () => resolve());
      server.kill('SIGKILL');
    });
  }

  /** Stops the server (SIGTERM, then SIGKILL after 15 s). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => server.kill('SIGKILL'), 15_000);
      server.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      server.kill('SIGTERM');
    });
  }

  private async untilReady<T>(what: string, attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.server && (this.server.exitCode !== null || this.server.signalCode !== null)) {
        const log = join(this.opts.dir, 'temporal.log');
        const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
        throw new Error(`the Temporal server exited (${this.server.exitCode ?? this.server.signalCode}); the end of ${log}:\n${tail}`);
      }
      try {
        return await attempt();
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async createDatabases(): Promise<void> {
    const admin = postgres(withDatabase(this.opts.databaseUrl, 'postgres'), { max: 1, onnotice: () => undefined });
    try {
      const weft = new URL(this.opts.databaseUrl).pathname.slice(1) || 'postgres';
      for (const name of [weft, this.databases.main, this.databases.visibility]) {
        const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
        if (!exists) {
          await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
          this.opts.log(`created database ${name}`);
        }
      }
    } finally {
      await admin.end({ timeout: 5 });
    }
  }

  private async hasSchema(db: string): Promise<boolean> {
    const client = postgres(withDatabase(this.opts.databaseUrl, db), { max: 1, onnotice: () => undefined });
    try {
      const [row] = await client`select to_regclass('public.schema_version') is not null as present`;
      return row?.present === true;
    } finally {
      await client.end({ timeout: 5 });
    }
  }

  /** The module's sample PostgreSQL configuration, pointed at our server, databases and ports. */
  private writeConfig(moduleDir: string, url: URL): void {
    const p = this.opts.frontendPort;
    // The sample's ports, each moved by the same offset from the frontend's.
    const ports: Record<string, number> = {
      7233: p,
      7234: p + 1,
      7235: p + 2,
      7239: p + 6,
      7243: p + 10,
      6933: p + 100,
      6934: p + 101,
      6935: p + 102,
      6939: p + 106,
      7936: p + 703,
      8000: p + 767,
    };
    const config = readFileSync(join(moduleDir, 'config', 'development-postgres12.yaml'), 'utf8')
      .replace(/databaseName: "temporal"/, `databaseName: "${this.databases.main}"`)
      .replace(/databaseName: "temporal_visibility"/, `databaseName: "${this.databases.visibility}"`)
      .replace(/connectAddr: "127\.0\.0\.1:5432"/g, `connectAddr: "${url.hostname}:${url.port || '5432'}"`)
      .replace(/user: "temporal"/g, `user: "${decodeURIComponent(url.username || 'postgres')}"`)
      .replace(/password: "temporal"/g, `password: "${decodeURIComponent(url.password)}"`)
      .replace(/\b(7233|7234|7235|7239|7243|6933|6934|6935|6939|7936|8000)\b/g, (m) => String(ports[m]));
    mkdirSync(join(this.opts.dir, 'config', 'dynamicconfig'), { recursive: true });
    writeFileSync(join(this.opts.dir, 'config', 'development.yaml'), config);
    copyFileSync(join(moduleDir, 'config', 'dynamicconfig', 'development-sql.yaml'), join(this.opts.dir, 'config', 'dynamicconfig', 'development-sql.yaml'));
  }
}

/** The server module's folder in Go's module cache (downloaded from the proxy when missing). */
function serverModuleDir(): string {
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', SERVER_MODULE], { encoding: 'utf8' })) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${SERVER_MODULE}: ${info.Error ?? 'no folder'}`);
  return info.Dir;
}

async function connectOnce(address: string): Promise<Connection> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    await connection.close();
    throw err;
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * The Temporal Web UI's server, with the UI's built pages embedded in the module: the version the
 * pinned Temporal CLI (v1.5.1) serves in its dev server, so the one building that CLI already
 * fetched. Its command is named `server` too, hence a folder of its own in Go's bin folder.
 */
export const TEMPORAL_UI_SERVER: GoTool = {
  binary: 'server',
  installTarget: 'github.com/temporalio/ui-server/v2/cmd/server@v2.42.1',
  pathVariable: 'TEMPORAL_UI_SERVER_PATH',
  searchPath: false,
  binSubdir: 'temporal-ui',
};

export interface TemporalUiOptions {
  /** Its configuration and log go in `<dir>/ui`. */
  dir: string;
  /** The frontend it talks to, host:port. */
  temporalAddress: string;
  namespace: string;
  port: number;
  /** Build it with Go when it is missing (a few minutes once); otherwise a missing UI is skipped. */
  build: boolean;
  log: (msg: string) => void;
}

/**
 * Starts the Temporal Web UI beside a cluster's server when it is built (or `build` asks for it).
 * @returns the running UI and its address, or undefined when it is not built and not to be
 */
export async function startTemporalUi(opts: TemporalUiOptions): Promise<{ process: ChildProcess; url: string } | undefined> {
  const path = opts.build ? ensureGoTool(TEMPORAL_UI_SERVER, opts.log) : findGoTool(TEMPORAL_UI_SERVER);
  if (!path) return undefined;
  const root = join(opts.dir, 'ui');
  mkdirSync(join(root, 'config'), { recursive: true });
  writeFileSync(
    join(root, 'config', 'development.yaml'),
    [
      `temporalGrpcAddress: ${opts.temporalAddress}`,
      'host: 127.0.0.1',
      `port: ${opts.port}`,
      'enableUi: true',
      `defaultNamespace: ${opts.namespace}`,
      'cors:',
      '  cookieInsecure: true',
      '',
    ].join('\n'),
  );
  const out = createWriteStream(join(root, 'ui.log'));
  const child = spawn(path, ['--root', root, '--config', 'config', '--env', 'development', 'start'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal UI exited (${child.exitCode}); see ${join(root, 'ui.log')}`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { process: child, url };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal UI did not answer at ${url} within 30 s; see ${join(root, 'ui.log')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
