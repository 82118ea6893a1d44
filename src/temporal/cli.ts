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

/** A Go program Weft runs: where to look for it and how to build it. */
export interface GoTool {
  /** The executable's name in PATH and in Go's bin folder (`go install` names it after its folder). */
  binary: string;
  /** `go install` argument, pinned: `module/path/cmd/x@vX.Y.Z`. */
  installTarget: string;
  /** Environment variable that names the executable explicitly. */
  pathVariable: string;
  /** Also look on PATH (names like `server` and `sql` are too generic to trust there). */
  searchPath: boolean;
  /** A folder of its own inside Go's bin folder, for a binary whose name another tool's takes there. */
  binSubdir?: string;
}

/** The Temporal CLI (the dev server and `temporal operator …`). */
export const TEMPORAL_CLI: GoTool = { binary: 'temporal', installTarget: PINNED_TEMPORAL_CLI, pathVariable: 'TEMPORAL_CLI_PATH', searchPath: true };

/**
 * Finds an installed tool: its path variable, then `PATH` (when allowed), then Go's bin folder.
 * @returns the executable's path, or undefined when there is none
 * @throws Error when the path variable names something that is not executable
 */
export function findGoTool(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[tool.pathVariable];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${tool.pathVariable}: ${explicit} is not an executable file`);
    return explicit;
  }
  if (tool.searchPath) {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir && isExecutable(join(dir, tool.binary))) return join(dir, tool.binary);
    }
  }
  const bin = goBinDir();
  if (bin && isExecutable(join(bin, tool.binSubdir ?? '', tool.binary))) return join(bin, tool.binSubdir ?? '', tool.binary);
  return undefined;
}

/**
 * Finds the tool, or builds its pinned version with Go when Go is installed (minutes on two
 * cores; the binary is cached in Go's bin folder for every later run).
 * @returns the path, or undefined when neither exists
 */
export function ensureGoTool(tool: GoTool, log: (msg: string) => void = console.error): string | undefined {
  const found = findGoTool(tool);
  if (found) return found;
  const bin = goBinDir();
  if (!bin) return undefined;
  log(`weft: building ${tool.installTarget} with Go; this takes a few minutes once…`);
  const target = join(bin, tool.binSubdir ?? '');
  execFileSync('go', ['install', tool.installTarget], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GOBIN: target } });
  const built = join(target, tool.binary);
  if (!isExecutable(built)) throw new Error(`go install finished but ${built} is missing`);
  return built;
}

/**
 * Finds an installed `temporal` CLI: `TEMPORAL_CLI_PATH`, then `PATH`, then Go's bin folder.
 * @returns the executable's path, or undefined when there is none
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findGoTool(TEMPORAL_CLI, env);
}

/**
 * Finds the CLI, or builds the pinned version with Go when Go is installed.
 * @returns the path, or undefined when neither exists — callers then let the SDK download it
 */
export function ensureTemporalCli(log: (msg: string) => void = console.error): string | undefined {
  if (!findTemporalCli() && !goBinDir()) {
    log('weft: no temporal CLI and no Go toolchain; the Temporal SDK will download the dev server');
    return undefined;
  }
  return ensureGoTool(TEMPORAL_CLI, log);
}
