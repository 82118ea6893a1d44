/**
 * Scale-out in the production shape: the Temporal server built from the Go module proxy on
 * PostgreSQL, one Weft API process, and first ONE then TWO worker processes (`src/worker.ts`
 * with the cluster's worker tuning), all on this machine. Each phase starts N executions of the
 * fault test's graph — an HTTP side effect, a WAIT, an APPROVAL (decided by its own 1 s
 * escalation, so no client takes part), another side effect — through the API, C at a time,
 * and measures executions completed per second, first start to last completion. The ratio of
 * the two rates is the figure (goal ≥ 1.6); the CPU each process used per execution, and what
 * the whole machine used, say what limits it.
 *
 * Needs PostgreSQL (DATABASE_URL's server, default the local one) and Go (the server's build,
 * once). Run: npm run bench -- cluster-scale [--quick] [N] [C]
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { clusterGraph, startTestCluster } from '../test/support/cluster';
import { json, startFakeService } from '../test/support/fake-service';
import { benchArgs, benchMode, pool, runBench, saveReport, type Figure } from './support/report';
import { benchBundle } from './support/weft-world';

const mode = benchMode();
const [nArg, clientsArg] = benchArgs();
const N = Number(nArg ?? (mode === 'quick' ? 200 : 600));
const CLIENTS = Number(clientsArg ?? 16);
const TICKS = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds a process has used (all its threads), from /proc; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Busy and total CPU seconds of the whole machine, every core, every process. */
function machineSeconds(): { busy: number; total: number } {
  const [, ...t] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const v = t.map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!;
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

interface Sample {
  at: number;
  machine: { busy: number; total: number };
  temporal: number;
  postgres: number;
  workers: number;
  api: number;
  driver: number;
}

interface PhaseResult {
  perSecond: number;
  seconds: number;
  /** CPU seconds per execution of each part, and cores the whole machine kept busy. */
  cpuPerExecution: Record<'temporal' | 'postgres' | 'workers' | 'api' | 'driver', number>;
  machineCoresBusy: number;
  oursCoresBusy: number;
}

async function main(): Promise<void> {
  const peer = await startFakeService();
  peer.handle((req, res) => json(res, 200, { path: req.url }));
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-cluster-'));
  const cluster = await startTestCluster({
    workflowBundle: await benchBundle(dir),
    env: { WEFT_HTTP_ALLOWED_HOSTS: peer.host, WEFT_RATE_LIMITS: 'off' },
  });
  const db = postgres(cluster.databaseUrl, { max: 2, onnotice: () => undefined });
  try {
    const api = await cluster.weft.startApi();
    const workers = [await cluster.weft.startWorker()];
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const res = await fetch(`${api.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => undefined) };
    };
    await call('POST', '/users', { id: 'approver', name: 'Approver', roles: ['approver'] });
    // The approval decides itself after 1 s, so no client takes part in an execution once started.
    const created = await call('POST', '/workflows', clusterGraph(peer.url, { wait: '1s', escalation: [{ after: '1s', action: 'auto_approve' }] }));
    if (created.status !== 201) throw new Error(`creating the workflow: ${created.status} ${JSON.stringify(created.body)}`);
    const definitionId = created.body.id as string;
    if ((await call('POST', `/workflows/${definitionId}/publish`, {})).status !== 200) throw new Error('publishing the workflow failed');

    const databases = [new URL(cluster.databaseUrl).pathname.slice(1), ...Object.values(cluster.temporalDatabases)];
    const postgresPids = async () => (await db`select pid from pg_stat_activity where datname = any(${databases})`).map((r) => r.pid as number);
    const sample = async (): Promise<Sample> => {
      const driver = process.cpuUsage();
      return {
        at: performance.now(),
        machine: machineSeconds(),
        temporal: cpuSeconds(cluster.temporal.serverPid),
        postgres: (await postgresPids()).reduce((sum, pid) => sum + cpuSeconds(pid), 0),
        workers: workers.reduce((sum, w) => sum + cpuSeconds(w.pid), 0),
        api: cpuSeconds(api.child.pid),
        driver: (driver.user + driver.system) / 1e6,
      };
    };

    let round = 0;
    const phase = async (): Promise<PhaseResult> => {
      round++;
      const ids: string[] = [];
      const before = await sample();
      await pool(
        Array.from({ length: N }, (_, n) => n),
        CLIENTS,
        async (n) => {
          for (;;) {
            const res = await call('POST', `/workflows/${definitionId}/instances`, { input: { n } });
            if (res.status === 202) {
              ids.push(res.body.id as string);
              return;
            }
            if (res.status !== 503) throw new Error(`start ${n}: ${res.status} ${JSON.stringify(res.body)}`);
            await sleep(500);
          }
        },
      );
      for (;;) {
        const [row] =
          await db`select count(*)::int as done, count(*) filter (where status <> 'completed')::int as other from executions where id = any(${ids}) and status in ('completed', 'failed', 'cancelled')`;
        if (row!.other > 0) throw new Error(`round ${round}: ${row!.other} executions did not complete`);
        if (row!.done === N) break;
        await sleep(200);
      }
      const after = await sample();
      const seconds = (after.at - before.at) / 1000;
      const per = (k: 'temporal' | 'postgres' | 'workers' | 'api' | 'driver') => Math.max(0, after[k] - before[k]) / N;
      const cpuPerExecution = { temporal: per('temporal'), postgres: per('postgres'), workers: per('workers'), api: per('api'), driver: per('driver') };
      return {
        perSecond: N / seconds,
        seconds,
        cpuPerExecution,
        machineCoresBusy: (after.machine.busy - before.machine.busy) / seconds,
        oursCoresBusy: (Object.values(cpuPerExecution).reduce((a, b) => a + b, 0) * N) / seconds,
      };
    };

    const one = await phase();
    workers.push(await cluster.weft.startWorker());
    const two = await phase();
    const ratio = two.perSecond / one.perSecond;

    const figures: Figure[] = [
      { key: 'rate1', label: 'executions/s, 1 worker', value: one.perSecond, unit: '/s' },
      { key: 'rate2', label: 'executions/s, 2 workers', value: two.perSecond, unit: '/s' },
      { key: 'ratio', label: '2 workers ÷ 1 worker', value: ratio, unit: '×', goal: { op: '>=', value: 1.6 } },
    ];
    const notes: string[] = [];
    for (const [name, r] of [
      ['1 worker', one],
      ['2 workers', two],
    ] as const) {
      const cpu = Object.entries(r.cpuPerExecution)
        .map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}`)
        .join(', ');
      figures.push(
        { key: `cores-${name}`, label: `cores busy, whole machine (${name})`, value: r.machineCoresBusy, unit: 'cores' },
        { key: `ours-${name}`, label: `cores busy, this cluster's processes (${name})`, value: r.oursCoresBusy, unit: 'cores' },
      );
      notes.push(`${name}: ${r.seconds.toFixed(1)} s; CPU ms per execution: ${cpu}`);
    }
    notes.push(
      `this machine has ${cpus().length} cores; workers add throughput only while the cores are not already busy with the Temporal server, PostgreSQL, the API and the rest of the machine`,
    );
    saveReport({ bench: 'cluster-scale', mode, params: { executions: N, clients: CLIENTS, apis: 1 }, figures, notes });
  } finally {
    await db.end();
    await cluster.stop();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
