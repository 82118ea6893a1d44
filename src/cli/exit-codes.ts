/**
 * The CLI's exit codes (docs/cli.md). Scripts branch on them, so each means one kind of outcome
 * and never changes meaning.
 */
export const EXIT = {
  /** Done as asked. */
  OK: 0,
  /** The API answered and refused (a 4xx other than 401: conflict, not found, invalid, forbidden). */
  REFUSED: 1,
  /** The command line or a local file is wrong (usage, unreadable or invalid JSON, an invalid graph). */
  BAD_INPUT: 2,
  /** The API cannot be reached or does not accept the credentials (no URL or token, network error, 401). */
  UNREACHABLE: 3,
  /** What the command waited for ended badly: an execution failed or was cancelled, a rollout failed or was rolled back. */
  ENDED_BADLY: 4,
  /** The API failed (5xx): a retry may help. */
  SERVER_ERROR: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A problem item as the API lists it, with where it is in a local file when known. */
export interface IssueView {
  path: string;
  code?: string;
  message: string;
  line?: number;
  column?: number;
}

/** An error the CLI reports and exits with; `problem` is the API's problem+json when it sent one. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly details: { code?: string; status?: number; issues?: IssueView[]; problem?: unknown; file?: string } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}
