/** What every command gets: where to print and, when it needs one, a client of the API. */
import type { Command } from 'commander';
import { WeftClient } from './client';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import { createOutput, type Output } from './output';
import { loadCredentials } from './settings';

export interface Ctx {
  out: Output;
  /** The API client, from WEFT_URL/WEFT_TOKEN or the login file. @throws CliError UNREACHABLE when not logged in */
  client(): WeftClient;
}

/** A command's body: its positional arguments, then its options; answers an exit code or nothing (0). */
export type Handler<O> = (ctx: Ctx, args: string[], opts: O) => Promise<ExitCode | void>;

let exitCode: ExitCode = EXIT.OK;

/** The exit code the last action asked for. */
export function lastExitCode(): ExitCode {
  return exitCode;
}

/** Adapts a handler to commander's `.action(...)`, which passes the positionals, the options and the command. */
export function act<O>(handler: Handler<O>): (...raw: unknown[]) => Promise<void> {
  return async (...raw) => {
    const command = raw[raw.length - 1] as Command;
    const args = raw.slice(0, command.registeredArguments.length) as string[];
    const opts = command.opts<O & object>();
    const json = Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
    let client: WeftClient | undefined;
    const ctx: Ctx = { out: createOutput(json), client: () => (client ??= new WeftClient(loadCredentials())) };
    exitCode = (await handler(ctx, args, opts)) ?? EXIT.OK;
  };
}

/** Parses a comma-separated list option (`--sites a,b`). */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A whole number of at least 1 from an option (`--limit`). @throws CliError BAD_INPUT */
export function positiveCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(EXIT.BAD_INPUT, `not a whole number of at least 1: ${value}`, { code: 'INVALID_OPTION' });
  return n;
}

/** A positive number of seconds from an option. @throws CliError BAD_INPUT */
export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(EXIT.BAD_INPUT, `not a positive number of seconds: ${value}`, { code: 'INVALID_OPTION' });
  return n;
}
