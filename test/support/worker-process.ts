import type { ChildProcess } from 'node:child_process';
import { READY_LINES, spawnWeftProcess } from '../../src/weft-process';
import type { TestWeft } from './harness';
import { testBundlePath } from './paths';

/**
 * Starts the real `src/worker.ts` as its own process (src/weft-process.ts). Resolves
 * once it polls.
 */
export async function spawnWorker(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ChildProcess> {
  return (await spawnWeftProcess('worker.ts', READY_LINES.worker, env, { nodeArgs })).child;
}

/**
 * Starts the real `src/worker.ts` as its own process for `t`'s task queue and database (which
 * must be PostgreSQL: PGlite is not shared between processes). Resolves once it polls; the
 * caller kills it (crash tests use SIGKILL). `env` adds settings such as allowed hosts.
 */
export function startWorkerProcess(t: TestWeft, env: Record<string, string> = {}): Promise<ChildProcess> {
  return spawnWorker({
    TEMPORAL_ADDRESS: t.settings.temporalAddress,
    DATABASE_URL: t.databaseUrl,
    WEFT_TASK_QUEUE: t.settings.taskQueue,
    WEFT_WORKFLOW_BUNDLE: testBundlePath(),
    ...env,
  });
}

/**
 * Worker processes of a crash test: `start` spawns one for the test's Weft (with `env()` added),
 * `killAll` ends whichever are still running when the test file is done.
 */
export function crashTestWorkers(get: () => TestWeft, env: () => Record<string, string> = () => ({})) {
  const children: ChildProcess[] = [];
  return {
    async start(): Promise<ChildProcess> {
      const child = await startWorkerProcess(get(), env());
      children.push(child);
      return child;
    },
    killAll(): void {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}
