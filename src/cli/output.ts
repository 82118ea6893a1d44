/**
 * How results and errors are printed: lines for people by default; with `--json` one JSON
 * document per result on stdout (watch: one per line), and errors as JSON on stderr, so a
 * script can parse stdout without filtering.
 */
import { CliError, EXIT, type IssueView } from './exit-codes';

export interface Output {
  json: boolean;
  /** Prints a result: `value` as JSON with `--json`, else the lines `human` gives. */
  result(value: unknown, human: () => string | string[]): void;
  /** One line for people only (progress, notes); nothing with `--json`. */
  note(line: string): void;
  /** One JSON line with `--json` (a stream of events), else the lines `human` gives. */
  event(value: unknown, human: () => string | string[]): void;
}

/** An Output writing to the process's streams. */
export function createOutput(json: boolean, out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Output {
  const lines = (h: () => string | string[]) => {
    const v = h();
    for (const line of Array.isArray(v) ? v : [v]) out.write(`${line}\n`);
  };
  return {
    json,
    result: (value, human) => (json ? out.write(`${JSON.stringify(value, null, 2)}\n`) : lines(human)),
    event: (value, human) => (json ? out.write(`${JSON.stringify(value)}\n`) : lines(human)),
    note: (line) => {
      if (!json) err.write(`${line}\n`);
    },
  };
}

function issueLine(issue: IssueView, file: string | undefined): string {
  const where = issue.line !== undefined && file ? `${file}:${issue.line}:${issue.column ?? 1}  ` : '';
  return `  ${where}${issue.path || '/'}  ${issue.code ? `${issue.code}  ` : ''}${issue.message}`;
}

/** Writes an error to stderr: code, detail and each issue with its path (and line); JSON with `--json`. */
export function printError(error: unknown, json: boolean, err: NodeJS.WriteStream = process.stderr): number {
  const e =
    error instanceof CliError ? error : new CliError(EXIT.SERVER_ERROR, `unexpected error: ${(error as Error)?.stack ?? String(error)}`, { code: 'CLI_ERROR' });
  const { code, status, issues = [], file, problem } = e.details;
  if (json) {
    const body =
      problem && typeof problem === 'object' ? { ...problem, errors: issues } : { code, detail: e.message, ...(issues.length ? { errors: issues } : {}) };
    err.write(`${JSON.stringify({ error: { ...body, ...(file ? { file } : {}) }, exitCode: e.exitCode })}\n`);
    return e.exitCode;
  }
  err.write(`error${code ? ` ${code}` : ''}${status ? ` (HTTP ${status})` : ''}: ${e.message}\n`);
  for (const issue of issues) err.write(`${issueLine(issue, file)}\n`);
  return e.exitCode;
}
