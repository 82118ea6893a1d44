/**
 * The production shape for the cluster test and benchmark: a Temporal server built from the Go
 * module proxy on PostgreSQL (databases of its own, dropped at the end), a fresh Weft database,
 * and Weft's worker and API processes with the cluster's worker tuning, all on this machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { signToken } from '../../src/auth/tokens';
import { CLUSTER_WORKER_ENV, MAX_CLUSTER_FRONTEND_PORT, TemporalClusterSetup } from '../../src/temporal/cluster-setup';
import { WeftProcesses } from '../../src/weft-process';
import { ADMIN_DATABASE_URL, createFreshDatabaseUrl } from '../integration/db/fresh-database';
import { portIsFree } from './ports';

export interface TestCluster {
  temporal: TemporalClusterSetup;
  weft: WeftProcesses;
  /** Weft's database. */
  databaseUrl: string;
  /** Temporal's two databases on the same server. */
  temporalDatabases: { main: string; visibility: string };
  jwtSecret: string;
  /** A token with the admin role. */
  adminToken: string;
  /** SIGKILLs what still runs, stops the server, drops the databases. */
  stop(): Promise<void>;
}

/** A free frontend port with the ports the server places above it free too. */
async function freePortRange(): Promise<number> {
  for (;;) {
    // Below MAX_CLUSTER_FRONTEND_PORT: Temporal stores membership ports as smallint.
    const base = 20_000 + Math.floor(Math.random() * (MAX_CLUSTER_FRONTEND_PORT - 20_000));
    const free = await Promise.all([0, 1, 2, 6, 10, 100, 101, 102, 106, 703, 767].map((o) => portIsFree(base + o)));
    if (free.every(Boolean)) return base;
  }
}

/**
 * Sets up and starts the Temporal server; Weft's processes are started by the caller through
 * `weft` (so that it can measure or kill them), with `env` over the cluster's settings.
 */
export async function startTestCluster(opts: { workflowBundle: string; env?: NodeJS.ProcessEnv }): Promise<TestCluster> {
  const fresh = await createFreshDatabaseUrl('weft_cluster');
  const dir = mkdtempSync(join(tmpdir(), 'weft-cluster-'));
  const suffix = randomBytes(4).toString('hex');
  const databases = { main: `temporal_t_${suffix}`, visibility: `temporal_tv_${suffix}` };
  const temporal = new TemporalClusterSetup({
    databaseUrl: fresh.url,
    dir,
    frontendPort: await freePortRange(),
    namespace: 'default',
    databases,
    log: () => undefined,
  });
  const jwtSecret = randomBytes(32).toString('hex');
  let weft: WeftProcesses | undefined;
  const stop = async () => {
    for (const child of weft?.all ?? []) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await temporal.stop();
    await fresh.drop();
    const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
    for (const name of Object.values(databases)) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await temporal.prepare();
    weft = new WeftProcesses({
      ...CLUSTER_WORKER_ENV,
      TEMPORAL_ADDRESS: await temporal.start(),
      DATABASE_URL: fresh.url,
      WEFT_JWT_SECRET: jwtSecret,
      WEFT_SECRETS_KEY: randomBytes(32).toString('hex'),
      WEFT_WORKFLOW_BUNDLE: opts.workflowBundle,
      // Info: the processes announce themselves ("worker running", "api listening") at that level.
      LOG_LEVEL: 'info',
      ...opts.env,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    temporal,
    weft,
    databaseUrl: fresh.url,
    temporalDatabases: databases,
    jwtSecret,
    adminToken: signToken(jwtSecret, { sub: 'admin-user', roles: ['admin'] }),
    stop,
  };
}

/**
 * The graph the cluster test and benchmark run: charge at `peerUrl`, WAIT, an APPROVAL by user
 * `approver` (with `escalation`, e.g. an auto-approval, when given), ship at `peerUrl`. Its output
 * names what each step did, so a wrong or missing step shows in it.
 */
export function clusterGraph(peerUrl: string, opts: { retry?: Record<string, unknown>; wait: string; escalation?: unknown[] }): Record<string, unknown> {
  const call = (id: string) => ({
    id,
    type: 'API_CALL',
    properties: { method: 'POST', url: `${peerUrl}/${id}/\${input.n}`, ...(opts.retry ? { retry: opts.retry } : {}) },
  });
  const step = { id: 'ok', approvers: [{ type: 'user', identifier: 'approver' }], ...(opts.escalation ? { escalation: opts.escalation } : {}) };
  return {
    name: 'cluster',
    nodes: [
      { id: 'start', type: 'START' },
      call('charge'),
      { id: 'pause', type: 'WAIT', properties: { duration: opts.wait } },
      { id: 'gate', type: 'APPROVAL', properties: { title: 'Ship it?', chain: { steps: [step] } } },
      call('ship'),
      {
        id: 'end',
        type: 'END',
        properties: {
          output: {
            n: 'input.n',
            charged: 'nodes.charge.output.body.path',
            approval: 'nodes.gate.output.status',
            approvedBy: 'nodes.gate.output.decisions.approverId',
            shipped: 'nodes.ship.output.body.path',
          },
        },
      },
    ],
    edges: [
      { source: 'start', target: 'charge' },
      { source: 'charge', target: 'pause' },
      { source: 'pause', target: 'gate' },
      { source: 'gate', sourcePort: 'approved', target: 'ship' },
      { source: 'ship', target: 'end' },
    ],
  };
}
