// npm run cluster -- [--workers N] [--apis M] [--port 3000] [--temporal-port 7233] [--ui-port 8080] [--ui | --no-ui]
// The production shape without Docker: a Temporal server (built from the Go module proxy) on the
// PostgreSQL at DATABASE_URL's server, the Temporal Web UI when built (--ui builds it), N Weft
// workers and M Weft API processes. Ctrl-C stops all.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveJwtSecret } from '../src/auth/secret';
import { resolveSecretsKey } from '../src/auth/secrets-key';
import { signToken } from '../src/auth/tokens';
import { loadSettings } from '../src/config/settings';
import { CLUSTER_SHAPE, CLUSTER_WORKER_ENV, startTemporalUi, TEMPORAL_UI_SERVER, TemporalClusterSetup } from '../src/temporal/cluster-setup';
import { quietBundlerLogger } from '../src/temporal/quiet-bundler-logger';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/temporal/worker';
import { WeftProcesses } from '../src/weft-process';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: String(CLUSTER_SHAPE.workers) },
    apis: { type: 'string', default: String(CLUSTER_SHAPE.apis) },
    port: { type: 'string', default: '3000' },
    'temporal-port': { type: 'string', default: '7233' },
    'ui-port': { type: 'string', default: '8080' },
    // Unset: the UI runs when it is built; --ui builds it first when missing; --no-ui never.
    ui: { type: 'boolean' },
  },
  allowNegative: true,
});

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.databaseUrl) {
    console.error(
      "npm run cluster: set DATABASE_URL to Weft's PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/weft (Temporal's databases go on the same server)",
    );
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
  let ui: ChildProcess | undefined;
  let weft: WeftProcesses | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    ui?.kill('SIGTERM');
    await weft?.stop();
    await temporal.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    await temporal.prepare();
    const address = await temporal.start();
    const uiPort = Number(values['ui-port']);
    const startedUi =
      values.ui === false
        ? undefined
        : await startTemporalUi({ dir, temporalAddress: address, namespace: settings.temporalNamespace, port: uiPort, build: values.ui === true, log });
    ui = startedUi?.process;

    log('bundling the workflow code once for every worker');
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietBundlerLogger })).code);

    const jwtSecret = resolveJwtSecret(settings);
    weft = new WeftProcesses(
      {
        // The shape's worker tuning, unless the environment says otherwise.
        ...CLUSTER_WORKER_ENV,
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: settings.temporalNamespace,
        WEFT_TASK_QUEUE: settings.taskQueue,
        DATABASE_URL: settings.databaseUrl,
        WEFT_JWT_SECRET: jwtSecret,
        WEFT_SECRETS_KEY: resolveSecretsKey(settings).toString('hex'),
        WEFT_WORKFLOW_BUNDLE: bundlePath,
        LOG_LEVEL: settings.logLevel,
      },
      dir,
    );
    for (let i = 0; i < workers; i++) await weft.startWorker();
    const urls: string[] = [];
    for (let i = 0; i < apis; i++) urls.push(`${(await weft.startApi(apiPort + i)).url}/api/v1`);
    for (const child of weft.all) child.once('exit', (code) => !stopping && log(`a Weft process exited (${code}); see the logs in ${dir}`));

    const uiLine = startedUi
      ? `${startedUi.url} (log ${join(dir, 'ui', 'ui.log')})`
      : values.ui === false
        ? 'off (--no-ui)'
        : `not built: npm run cluster -- --ui builds it once (go install ${TEMPORAL_UI_SERVER.installTarget})`;
    const lines = [
      '',
      'Weft cluster is running.',
      `  Temporal server:  ${address} (PostgreSQL persistence; namespace ${settings.temporalNamespace}; log ${join(dir, 'temporal.log')})`,
      `  Temporal Web UI:  ${uiLine}`,
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
