// npm run cluster -- [--workers N] [--apis M] [--port 3000] [--temporal-port 7233]
// The production shape without Docker: a Temporal server (built from the Go module proxy) on the
// PostgreSQL at DATABASE_URL's server, N Weft workers and M Weft API processes. Ctrl-C stops all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveJwtSecret } from '../src/auth/secret';
import { resolveSecretsKey } from '../src/auth/secrets-key';
import { signToken } from '../src/auth/tokens';
import { loadSettings } from '../src/config/settings';
import { TemporalClusterSetup } from '../src/temporal/cluster-setup';
import { quietBundlerLogger } from '../src/temporal/quiet-bundler-logger';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/temporal/worker';

const ROOT = join(__dirname, '..');

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    apis: { type: 'string', default: '1' },
    port: { type: 'string', default: '3000' },
    'temporal-port': { type: 'string', default: '7233' },
  },
});

/** One Weft process of the cluster, its output kept in a log file. */
function startWeftProcess(entry: 'server.ts' | 'worker.ts', name: string, env: NodeJS.ProcessEnv, logDir: string): Promise<ChildProcess> {
  const log = createWriteStream(join(logDir, `${name}.log`));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', entry)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/api listening|worker running/.test(out)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}); see ${join(logDir, `${name}.log`)}:\n${out.slice(-2000)}`)));
  });
}

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.databaseUrl) {
    console.error('npm run cluster: set DATABASE_URL to Weft\'s PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/weft (Temporal\'s databases go on the same server)');
    process.exit(2);
  }
  const workers = Number(values.workers);
  const apis = Number(values.apis);
  const apiPort = Number(values.port);
  const temporalPort = Number(values['temporal-port']);
  const dir = join(settings.dataDir, 'cluster');
  mkdirSync(dir, { recursive: true });
  const log = (msg: string) => console.error(`cluster: ${msg}`);

  const temporal = new TemporalClusterSetup({ databaseUrl: settings.databaseUrl, dir, frontendPort: temporalPort, namespace: settings.temporalNamespace, log });
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once('exit', () => r()), c.kill('SIGTERM'))))));
    await temporal.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    await temporal.prepare();
    const address = await temporal.start();

    log('bundling the workflow code once for every worker');
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietBundlerLogger })).code);

    const jwtSecret = resolveJwtSecret(settings);
    const env: NodeJS.ProcessEnv = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: settings.temporalNamespace,
      WEFT_TASK_QUEUE: settings.taskQueue,
      DATABASE_URL: settings.databaseUrl,
      WEFT_JWT_SECRET: jwtSecret,
      WEFT_SECRETS_KEY: resolveSecretsKey(settings).toString('hex'),
      WEFT_WORKFLOW_BUNDLE: bundlePath,
      LOG_LEVEL: settings.logLevel,
    };
    for (let i = 0; i < workers; i++) children.push(await startWeftProcess('worker.ts', `worker-${i + 1}`, env, dir));
    const urls: string[] = [];
    for (let i = 0; i < apis; i++) {
      children.push(await startWeftProcess('server.ts', `api-${i + 1}`, { ...env, PORT: String(apiPort + i) }, dir));
      urls.push(`http://localhost:${apiPort + i}/api/v1`);
    }
    for (const child of children) child.once('exit', (code) => !stopping && log(`a Weft process exited (${code}); see the logs in ${dir}`));

    const lines = [
      '',
      'Weft cluster is running.',
      `  Temporal server:  ${address} (PostgreSQL persistence; namespace ${settings.temporalNamespace}; log ${join(dir, 'temporal.log')})`,
      `  Temporal Web UI:  not part of this shape (npm run temporal:cli -- --address ${address} …)`,
      `  Workers:          ${workers} (logs ${join(dir, 'worker-*.log')})`,
      ...urls.map((u, i) => `  API ${i + 1}:            ${u}`),
      `  Admin token:      ${signToken(jwtSecret, { sub: 'admin', roles: ['admin'] })}`,
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
}


void main();
