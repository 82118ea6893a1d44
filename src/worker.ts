import { getHeapStatistics } from 'node:v8';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import type { WeftDb } from './db/client';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: WeftDb;
  httpAllowedHosts: string[];
  /** WEFT_SMTP_URL and WEFT_MAIL_FROM, for NOTIFICATION email (refused when either is missing). */
  smtpUrl?: string;
  mailFrom?: string;
  /** The key connector secrets are sealed under. */
  secretsKey: Buffer;
  /** A prebuilt bundle (production, tests); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Workflows kept in memory between tasks; {@link defaultMaxCachedWorkflows} when unset. */
  maxCachedWorkflows?: number;
  /** Identity shown in the Temporal UI, e.g. to tell workers apart in a crash test. */
  identity?: string;
}

/**
 * Measured with bench/approvals.ts: a cached interpreter workflow holds 2–2.5 MB, more than the
 * SDK's default cache size assumes (600 per GB of heap); with that default, a worker holding
 * ~2,000 waiting instances ran its heap into constant garbage collection.
 */
const MB_PER_CACHED_WORKFLOW = 3;

/** How many workflows fit in this process's heap, leaving 400 MB for activities and the SDK. */
export function defaultMaxCachedWorkflows(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  return Math.max(10, Math.floor((heapLimitBytes / 1048576 - 400) / MB_PER_CACHED_WORKFLOW));
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
    activities: createActivities({
      db: deps.db,
      httpAllowedHosts: deps.httpAllowedHosts,
      smtpUrl: deps.smtpUrl,
      mailFrom: deps.mailFrom,
      secretsKey: deps.secretsKey,
    }),
    ...(deps.identity ? { identity: deps.identity } : {}),
    maxCachedWorkflows: deps.maxCachedWorkflows ?? defaultMaxCachedWorkflows(),
  });
}

if (require.main === module) {
  // Standalone worker process (docker-compose `worker` service); scale by running more of them.
  // Required lazily: the standalone runner imports this module too.
  void import('./standalone').then((m) => m.runStandaloneMain('worker'));
}
