import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import type { WeftDb } from './db/client';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: WeftDb;
  httpAllowedHosts: string[];
  /** A prebuilt bundle (production, tests); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Identity shown in the Temporal UI, e.g. to tell workers apart in a crash test. */
  identity?: string;
}

/** The path the bundler starts from: workflow code only, never activities. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

/** Creates (does not run) the Weft worker: the generic interpreter workflow plus every activity. */
export function createWeftWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ db: deps.db, httpAllowedHosts: deps.httpAllowedHosts }),
    ...(deps.identity ? { identity: deps.identity } : {}),
  });
}

async function main(): Promise<void> {
  // Standalone worker process (docker-compose `worker` service); scale by running more of them.
  const { loadSettings } = await import('./config/settings');
  const { createLogger } = await import('./logger');
  const { openDatabase } = await import('./db/client');
  const settings = loadSettings();
  const log = createLogger(settings.logLevel, 'weft-worker');
  const { installTemporalLogging } = await import('./temporal/runtime-logging');
  installTemporalLogging(log);
  if (!settings.temporalAddress) throw new Error('TEMPORAL_ADDRESS: required for a standalone worker (npm start embeds one)');
  if (!settings.databaseUrl) throw new Error('DATABASE_URL: required for a standalone worker (PGlite cannot be shared between processes)');
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, log: (m) => log.info(m) });
  const connection = await NativeConnection.connect({ address: settings.temporalAddress });
  const worker = await createWeftWorker({
    connection,
    namespace: settings.temporalNamespace,
    taskQueue: settings.taskQueue,
    db: database.db,
    httpAllowedHosts: settings.httpAllowedHosts,
    workflowBundle: settings.workflowBundlePath ? { codePath: settings.workflowBundlePath } : undefined,
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  log.info({ taskQueue: settings.taskQueue }, 'worker running');
  await worker.run();
  await connection.close();
  await database.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
