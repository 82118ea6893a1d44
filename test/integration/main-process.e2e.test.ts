/**
 * `npm start` as a user runs it: a real process with its embedded dev server, a second
 * installation beside it, and Ctrl-C (SIGINT to the whole process group, as a terminal sends).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBundlePath } from '../support/paths';
import { freePort } from '../support/ports';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startWeftProcess(dataDir: string, temporalPort: number): Started {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    // Its own process group, so the test can signal it the way a terminal does.
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      PORT: '0',
      WEFT_DATA_DIR: dataDir,
      WEFT_TEMPORAL_PORT: String(temporalPort),
      WEFT_WORKFLOW_BUNDLE: testBundlePath(),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until(pred: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a second installation on a taken port stops with a clear message; Ctrl-C stops the first quietly', async () => {
  const port = await freePort();
  const dirs = [mkdtempSync(join(tmpdir(), 'weft-main-a-')), mkdtempSync(join(tmpdir(), 'weft-main-b-'))];
  const first = startWeftProcess(dirs[0]!, port);
  try {
    await until(() => first.output().includes('Weft is running'), 'the first Weft to start');

    const second = startWeftProcess(dirs[1]!, port);
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain(`127.0.0.1:${port} is already in use`);
    expect(second.output()).toContain('WEFT_TEMPORAL_PORT');
    expect(second.output()).not.toContain('Weft is running');
    expect(second.output()).not.toMatch(/^\s+at /m); // a message, not a stack trace

    const stoppingAt = first.output().length;
    process.kill(-first.child.pid!, 'SIGINT');
    expect(await first.exited).toBe(0);
    const shutdownLog = first.output().slice(stoppingAt);
    expect(shutdownLog).not.toMatch(/"level":(50|60)/); // no error or fatal log lines
    expect(shutdownLog).not.toMatch(/^\s+at /m);
    expect(shutdownLog).not.toContain('Not running');
    expect(shutdownLog).not.toContain('Cannot close connection');
  } finally {
    if (first.child.exitCode === null) process.kill(-first.child.pid!, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
