/**
 * Starting one of Weft's entries (`src/server.ts`, `src/worker.ts`) as a process of its own: what
 * `npm run cluster`, the cluster benchmark and the crash tests all do to get the real processes a
 * deployment runs, each waiting for the line the process prints once it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

const ROOT = join(__dirname, '..');

/** What an API process prints once it listens (with its URL) and a worker once it polls. */
export const READY_LINES = {
  api: /"url":"(http:\/\/[^"]+)"[^\n]*api listening/,
  worker: /worker running/,
} as const;

export interface SpawnWeftOptions {
  /** Arguments for Node itself, e.g. `--max-old-space-size=…`. */
  nodeArgs?: string[];
  /** Where the process's output goes as well (a log file); it is kept in memory only until ready. */
  log?: Writable;
}

/**
 * Starts `src/<entry>` with `env` over this process's environment (LOG_LEVEL info unless `env`
 * says otherwise: the ready lines are printed at that level).
 * @returns the child and the first match of `ready` in its output (stdout and stderr); the caller stops it
 * @throws Error with the end of its output when it exits before printing `ready`
 */
export function spawnWeftProcess(
  entry: string,
  ready: RegExp,
  env: NodeJS.ProcessEnv,
  opts: SpawnWeftOptions = {},
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'src', entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.log) {
    child.stdout?.pipe(opts.log, { end: false });
    child.stderr?.pipe(opts.log, { end: false });
  }
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = out.match(ready);
      if (!match) return;
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Without a log, what it prints from now on is dropped rather than left to fill the pipe and stall it.
      if (!opts.log) {
        child.stdout?.resume();
        child.stderr?.resume();
      }
      resolve({ child, match });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => reject(new Error(`${entry} exited early (${code ?? signal}): ${out.slice(-4000)}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * The Weft processes of one cluster (`npm run cluster`, the cluster test and benchmark): workers
 * and API processes started with the same settings, each with its log in `logDir` when given,
 * and stopped together.
 */
export class WeftProcesses {
  private readonly children: ChildProcess[] = [];
  private started = { worker: 0, api: 0 };

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir?: string,
  ) {}

  /** A worker (`src/worker.ts`), once it polls; `env` adds settings for this one. */
  async startWorker(env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
    return (await this.start('worker', 'worker.ts', READY_LINES.worker, env)).child;
  }

  /** An API process (`src/server.ts`) on `port` (0: any free one), once it listens. */
  async startApi(port = 0): Promise<{ child: ChildProcess; url: string }> {
    const { child, match } = await this.start('api', 'server.ts', READY_LINES.api, { PORT: String(port) });
    return { child, url: match[1] as string };
  }

  /** Every process started, running or not. */
  get all(): readonly ChildProcess[] {
    return this.children;
  }

  /** SIGTERM to those still running (SIGKILL after 15 s); resolves once all have exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 15_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
  }

  private async start(role: 'worker' | 'api', entry: string, ready: RegExp, env: NodeJS.ProcessEnv) {
    const name = `${role}-${++this.started[role]}`;
    const log = this.logDir ? createWriteStream(join(this.logDir, `${name}.log`)) : undefined;
    try {
      const started = await spawnWeftProcess(entry, ready, { ...this.env, ...env }, { log });
      this.children.push(started.child);
      started.child.once('exit', () => log?.end());
      return started;
    } catch (err) {
      log?.end();
      throw new Error(`${name}: ${(err as Error).message}${log ? ` (log: ${log.path as string})` : ''}`);
    }
  }
}
