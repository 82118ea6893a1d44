import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWeft } from './harness';
import { testBundlePath } from './paths';

const ROOT = join(__dirname, '..', '..');

/**
 * Starts the real Weft entry `src/<entry>` as its own process, with `env` over this process's
 * environment (LOG_LEVEL info unless `env` says otherwise) and `nodeArgs` for Node itself.
 * Resolves with the child and the first match of `ready` in its output (stdout and stderr);
 * rejects with its output if it exits first. `output()` is all it printed so far. The caller kills it.
 */
export function spawnWeftProcess(
  entry: string,
  ready: RegExp,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'src', entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = out.match(ready);
      if (match) resolve({ child, match, output: () => out });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited early (${code}): ${out}`)));
  });
}

/**
 * Starts the real `src/worker.ts` as its own process (see {@link spawnWeftProcess}). Resolves
 * once it polls.
 */
export async function spawnWorker(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ChildProcess> {
  return (await spawnWeftProcess('worker.ts', /worker running/, env, nodeArgs)).child;
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
