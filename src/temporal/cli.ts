import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Temporal CLI version we build; later tags carry a `replace` directive that breaks `go install`. */
export const PINNED_TEMPORAL_CLI = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function goBinDir(): string | undefined {
  const go = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' });
  if (go.status !== 0) return undefined;
  const gopath = go.stdout.trim().split(delimiter)[0];
  return gopath ? join(gopath, 'bin') : undefined;
}

/**
 * Finds an installed `temporal` CLI: `TEMPORAL_CLI_PATH`, then `PATH`, then Go's bin folder.
 * @returns the executable's path, or undefined when there is none
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH: ${explicit} is not an executable file`);
    return explicit;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  const bin = goBinDir();
  if (bin && isExecutable(join(bin, 'temporal'))) return join(bin, 'temporal');
  return undefined;
}

/**
 * Finds the CLI, or builds the pinned version with Go when Go is installed (minutes on two
 * cores; the binary is cached in Go's bin folder for every later run).
 * @returns the path, or undefined when neither exists — callers then let the SDK download it
 */
export function ensureTemporalCli(log: (msg: string) => void = console.error): string | undefined {
  const found = findTemporalCli();
  if (found) return found;
  const bin = goBinDir();
  if (!bin) {
    log('weft: no temporal CLI and no Go toolchain; the Temporal SDK will download the dev server');
    return undefined;
  }
  log(`weft: building the Temporal CLI (${PINNED_TEMPORAL_CLI}) with Go; this takes a few minutes once…`);
  execFileSync('go', ['install', PINNED_TEMPORAL_CLI], { stdio: ['ignore', 'inherit', 'inherit'] });
  const built = join(bin, 'temporal');
  if (!isExecutable(built)) throw new Error(`go install finished but ${built} is missing`);
  return built;
}
