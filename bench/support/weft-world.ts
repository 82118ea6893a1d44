/**
 * Weft as a user runs it, for the benchmarks that compare it with plain Temporal code: the dev
 * server, a database (a fresh PostgreSQL database when DATABASE_URL is set, else PGlite in
 * memory as `npm start` has it), the API and Weft's own worker in one process — with one
 * difference: the worker's bundle also holds the hand-written baselines of bench/workflows.ts,
 * so both sides run on the same worker, its cache, its activities and its slots.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { signToken } from '../../src/auth/tokens';
import { loadSettings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';
import { startWeft, type RunningWeft } from '../../src/runtime';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/temporal/worker';
import { createFreshDatabaseUrl, type FreshDatabase } from '../../test/integration/db/fresh-database';
import { json, startFakeService, type FakeService } from '../../test/support/fake-service';

export interface WeftWorld {
  weft: RunningWeft;
  /** A plain client (no Weft interceptors), as a developer writing Temporal code by hand has. */
  client: Client;
  taskQueue: string;
  /** Answers `{ ok: true }` to anything. */
  svc: FakeService;
  database: 'postgresql' | 'pglite';
  /** What a worker in another process needs to join: the server, the database, the queue, the bundle. */
  workerEnv: Record<string, string>;
  /** Calls the API as an admin; throws on a status other than `expect`. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown, expect?: number): Promise<T>;
  close(): Promise<void>;
}

export interface WeftWorldOptions {
  /** Run Weft's worker in this process (default) or leave the queue to workers started elsewhere. */
  worker?: boolean;
  /**
   * `pglite`: embedded in the API's process, as `npm start` has it; `postgresql`: a fresh database
   * on DATABASE_URL's server (default the local one). Default: PostgreSQL when DATABASE_URL is set.
   */
  database?: 'postgresql' | 'pglite';
}

/** Bundles the interpreter with bench/workflows.ts's baselines, the way Weft's own bundle is built, into `dir`. */
export async function benchBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, workflowsPath: require.resolve('../workflows') });
  const path = join(dir, 'bench-bundle.js');
  writeFileSync(path, code);
  return path;
}

export async function startWeftWorld(opts: WeftWorldOptions = {}): Promise<WeftWorld> {
  const svc = await startFakeService();
  svc.handle((_req, res) => json(res, 200, { ok: true }));
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  let server: DevServer | undefined;
  let fresh: FreshDatabase | undefined;
  let weft: RunningWeft | undefined;
  let connection: Connection | undefined;
  const close = async () => {
    await connection?.close();
    await weft?.stop();
    await fresh?.drop();
    await server?.stop();
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    server = await startDevServer();
    const usePostgres = (opts.database ?? (process.env.DATABASE_URL ? 'postgresql' : 'pglite')) === 'postgresql';
    if (usePostgres) fresh = await createFreshDatabaseUrl('weft_bench');
    const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
    const bundle = await benchBundle(dataDir);
    const settings = loadSettings({
      PORT: '0',
      TEMPORAL_ADDRESS: server.address,
      WEFT_TASK_QUEUE: taskQueue,
      WEFT_DATA_DIR: dataDir,
      WEFT_HTTP_ALLOWED_HOSTS: svc.host,
      WEFT_WORKFLOW_BUNDLE: bundle,
      LOG_LEVEL: 'silent',
      // Benchmarks measure throughput, not the per-user limits.
      WEFT_RATE_LIMITS: 'off',
      ...(fresh ? { DATABASE_URL: fresh.url } : {}),
    });
    weft = await startWeft(settings, { api: true, worker: opts.worker ?? true, log: createLogger('silent') });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const token = signToken(weft.jwtSecret, { sub: 'bench-admin', roles: ['admin'] });
    const apiUrl = weft.apiUrl as string;
    const api = async <T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> => {
      const res = await fetch(`${apiUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const workerEnv = {
      TEMPORAL_ADDRESS: server.address,
      WEFT_TASK_QUEUE: taskQueue,
      WEFT_WORKFLOW_BUNDLE: bundle,
      WEFT_HTTP_ALLOWED_HOSTS: svc.host,
      WEFT_DATA_DIR: dataDir,
      ...(fresh ? { DATABASE_URL: fresh.url } : {}),
    };
    return { weft, client, taskQueue, svc, database: usePostgres ? 'postgresql' : 'pglite', workerEnv, api, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Creates and publishes a definition through the API; returns its id. */
export async function publishDefinition(world: WeftWorld, graph: Record<string, unknown>): Promise<string> {
  const created = await world.api<{ id: string }>('POST', '/workflows', graph, 201);
  await world.api('POST', `/workflows/${created.id}/publish`, {});
  return created.id;
}
