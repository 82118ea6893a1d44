/**
 * The CLI's only way to Weft: its HTTP API with a bearer token. Problem+json answers become
 * CliErrors carrying the API's code, detail and issue paths, and the exit code of their kind.
 */
import { CliError, EXIT, type ExitCode, type IssueView } from './exit-codes';
import type { Credentials } from './settings';

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** The body as sent (export documents are written out byte for byte). */
  text: string;
}

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: Array<{ path?: string; code?: string; message?: string }>;
}

function exitFor(status: number): ExitCode {
  if (status === 401) return EXIT.UNREACHABLE;
  if (status >= 500) return EXIT.SERVER_ERROR;
  return EXIT.REFUSED;
}

/** The CliError for a refused or failed request. */
export function problemError(status: number, body: unknown): CliError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Problem;
  const issues: IssueView[] = (problem.errors ?? []).map((e) => ({ path: e.path ?? '', code: e.code, message: e.message ?? '' }));
  const detail = problem.detail ?? problem.title ?? (typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status}`);
  return new CliError(exitFor(status), detail, { code: problem.code ?? `HTTP_${status}`, status, issues, problem: body });
}

/** A client of one Weft API. */
export class WeftClient {
  constructor(private readonly credentials: Credentials) {}

  get url(): string {
    return this.credentials.url;
  }

  /**
   * Calls `/api/v1{path}`. Answers 2xx as they are.
   * @throws CliError UNREACHABLE (network, 401), REFUSED (4xx), SERVER_ERROR (5xx)
   */
  async call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const target = `${this.credentials.url}/api/v1${path}`;
    const sent: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.credentials.token}`, ...headers };
    if (body !== undefined) sent['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(target, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(EXIT.UNREACHABLE, `cannot reach ${this.credentials.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, {
        code: 'UNREACHABLE',
      });
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    if (res.status >= 400) throw problemError(res.status, parsed);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = unknown>(path: string): Promise<ApiAnswer<T>> {
    return this.call<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown = {}, headers?: Record<string, string>): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', path, body, headers);
  }

  /**
   * The items of a list, page after page by its `next` links (docs/api.md, "Pagination"), until
   * the last page or `max` items.
   * @throws CliError as {@link call}
   */
  async list<T>(path: string, max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = path;
    while (next !== null && items.length < max) {
      const page: { items: T[]; next?: string | null } = (await this.get<{ items: T[]; next?: string | null }>(next)).body;
      items.push(...page.items);
      // `next` is the API's own path; this client adds `/api/v1` itself.
      next = page.next ? page.next.replace(/^\/api\/v1(?=\/)/, '') : null;
    }
    return items.slice(0, max);
  }
}

/** A path segment, escaped. */
export const seg = (s: string): string => encodeURIComponent(s);
