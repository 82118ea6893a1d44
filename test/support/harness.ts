import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { signToken } from '../../src/auth/tokens';
import { loadSettings, type Settings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';
import { startWeft, type RunningWeft } from '../../src/runtime';
import { createFreshDatabaseUrl, type FreshDatabase } from '../integration/db/fresh-database';
import { startFakeService, type FakeService } from './fake-service';
import { testBundlePath, testEnvFile } from './paths';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** What the helpers below need of a running Weft: its API. */
export type WeftApi = Pick<TestWeft, 'api'>;

export interface TestWeft {
  url: string;
  settings: Settings;
  weft: RunningWeft;
  temporal: Client;
  /** Which database this instance uses. */
  databaseKind: 'postgres' | 'pglite';
  /** postgres:// URL when PostgreSQL is used (so another process can share it). */
  databaseUrl: string | undefined;
  token(roles?: string[], sub?: string): string;
  /** Calls the API over real HTTP as `sub` (default an admin). */
  api<T = any>(method: string, path: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

export function testTemporalAddress(): string {
  return (JSON.parse(readFileSync(testEnvFile(), 'utf8')) as { temporalAddress: string }).temporalAddress;
}

/** Calls a Weft API at `baseUrl` over real HTTP with `bearer` (none when null); a JSON body is parsed. */
export async function callApi<T = any>(
  baseUrl: string,
  bearer: string | null,
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/**
 * Starts the real Weft runtime (API + worker) against the shared test Temporal server, on its
 * own task queue, with a fresh database: PostgreSQL when DATABASE_URL is set or asked for,
 * PGlite on disk otherwise.
 */
export async function startTestWeft(
  opts: {
    worker?: boolean;
    database?: 'auto' | 'postgres' | 'pglite';
    allowedHosts?: string[];
    /** More settings (e.g. WEFT_SMTP_URL), merged over the harness's own. */
    env?: Record<string, string>;
  } = {},
): Promise<TestWeft> {
  const wantPostgres = opts.database === 'postgres' || ((opts.database ?? 'auto') === 'auto' && !!process.env.DATABASE_URL);
  const fresh: FreshDatabase | undefined = wantPostgres ? await createFreshDatabaseUrl() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-test-'));
  const settings = loadSettings({
    PORT: '0',
    TEMPORAL_ADDRESS: testTemporalAddress(),
    WEFT_TASK_QUEUE: `test-${randomUUID().slice(0, 8)}`,
    WEFT_DATA_DIR: dataDir,
    ...(fresh ? { DATABASE_URL: fresh.url } : {}),
    WEFT_HTTP_ALLOWED_HOSTS: (opts.allowedHosts ?? []).join(','),
    LOG_LEVEL: 'silent',
    WEFT_WORKFLOW_BUNDLE: testBundlePath(),
    // Tests of other features start and change far more per minute than a person would; rate-limits.e2e.test.ts sets its own.
    WEFT_RATE_LIMITS: 'off',
    ...opts.env,
  });
  const weft = await startWeft(settings, {
    api: true,
    worker: opts.worker ?? true,
    log: createLogger('silent'),
  });
  const connection = await Connection.connect({ address: settings.temporalAddress as string });
  const temporal = new Client({ connection, namespace: settings.temporalNamespace });
  const url = weft.apiUrl as string;
  const token = (roles: string[] = ['admin'], sub = 'admin-user') => signToken(weft.jwtSecret, { sub, roles });
  const adminToken = token();

  return {
    url,
    settings,
    weft,
    temporal,
    databaseKind: weft.database.kind,
    databaseUrl: fresh?.url,
    token,
    api: (method, path, body, o = {}) => callApi(url, o.token === undefined ? adminToken : o.token, method, path, body, o.headers),
    async stop() {
      await connection.close();
      await weft.stop();
      await fresh?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A second API process (no worker) on `t`'s database, task queue and data folder (so the same
 * token secret), as behind a load balancer; `env` adds or overrides settings.
 */
export async function startSecondApi(t: TestWeft, env: Record<string, string> = {}): Promise<RunningWeft> {
  const settings = loadSettings({
    PORT: '0',
    TEMPORAL_ADDRESS: testTemporalAddress(),
    WEFT_TASK_QUEUE: t.settings.taskQueue,
    WEFT_DATA_DIR: t.settings.dataDir,
    DATABASE_URL: t.databaseUrl as string,
    LOG_LEVEL: 'silent',
    WEFT_RATE_LIMITS: 'off',
    ...env,
  });
  return startWeft(settings, { api: true, worker: false, log: createLogger('silent') });
}

/** Polls the instance until it reaches a terminal status (or the deadline passes). */
export async function waitForInstance(t: WeftApi, id: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.api('GET', `/api/v1/workflow-instances/${id}`);
    if (res.status === 200 && ['completed', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`instance ${id} still ${JSON.stringify(res.body)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates, publishes and returns the id of a definition. */
export async function publishGraph(t: WeftApi, graph: unknown): Promise<string> {
  const created = await t.api('POST', '/api/v1/workflows', graph);
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const published = await t.api('POST', `/api/v1/workflows/${created.body.id}/publish`, {});
  if (published.status !== 200) throw new Error(`publish failed: ${published.status} ${JSON.stringify(published.body)}`);
  return created.body.id as string;
}

/** Weft plus a fake loopback service it may call, for one test file. */
export async function startWeftWithService(): Promise<{ t: TestWeft; svc: FakeService; stop(): Promise<void> }> {
  const svc = await startFakeService();
  const t = await startTestWeft({ allowedHosts: [svc.host] });
  return {
    t,
    svc,
    async stop() {
      await t.stop();
      await svc.close();
    },
  };
}

/** Starts an instance of a published definition over the API (expecting 202) and returns its id. */
export async function startInstance(t: WeftApi, definitionId: string, input: unknown = {}): Promise<string> {
  const res = await t.api('POST', `/api/v1/workflows/${definitionId}/instances`, { input });
  if (res.status !== 202) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Creates an approval request through the API as `requestedBy` (a user id); its id. */
export async function requestApproval(
  t: TestWeft,
  requestedBy: string,
  request: { type: string; title: string; chain: unknown; data?: unknown },
): Promise<string> {
  const res = await t.api('POST', '/api/v1/approval-requests', request, { token: t.token(['operator'], requestedBy) });
  if (res.status !== 201) throw new Error(`approval request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Publishes `graph`, runs it with `input` and returns the finished instance. */
export async function runGraph(t: TestWeft, graph: unknown, input: unknown = {}): Promise<any> {
  return waitForInstance(t, await startInstance(t, await publishGraph(t, graph), input));
}

/** The per-node trace of an instance, as `GET …/history` answers it. */
export async function nodeHistory(t: WeftApi, id: string): Promise<any[]> {
  return (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes;
}
