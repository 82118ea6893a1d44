/**
 * What the loopback vendor fakes (SAP, NetSuite, Salesforce) share: a real HTTP server on
 * 127.0.0.1 that reads each request whole before handing it on, and a queue of injected faults
 * (a status, Retry-After, a delay) for the next matching requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>` (for allowed-host lists). */
  host: string;
  /** Stops listening and drops open connections (keep-alive sockets would hold the test open). */
  close(): Promise<void>;
}

/** Handles one request: `url` is parsed (path and query as sent), `body` the whole body as UTF-8. */
export type LoopbackHandler = (req: IncomingMessage, url: URL, body: string, res: ServerResponse) => void;

/** Starts a server on a free loopback port that answers every request with `handler`. */
export async function startLoopbackServer(handler: LoopbackHandler): Promise<LoopbackServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, new URL(req.url ?? '/', 'http://loopback'), Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a vendor fake records of each request. */
export interface LoopbackRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** What the fake answered (set once the answer is sent). */
  status?: number;
}

/** The record of a request as it arrives; `status` follows when the answer has been sent. */
export function recordRequest(req: IncomingMessage, url: URL, body: string, res: ServerResponse): LoopbackRecordedRequest {
  const rec: LoopbackRecordedRequest = {
    method: req.method ?? '',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body,
    at: Date.now(),
  };
  res.on('finish', () => (rec.status = res.statusCode));
  return rec;
}

/** A queued fault: answers `status` (after `delayMs`), or only delays when `status` is absent. */
export interface LoopbackFault<Req> {
  status?: number;
  delayMs?: number;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** The answer's body; absent: the fake's own error body for `status`. */
  body?: unknown;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Which requests it hits; absent: the fake's default. */
  match?: (req: Req) => boolean;
}

/** The answer an injected fault asks for. */
export interface InjectedAnswer {
  status: number;
  /** `retry-after` when the fault set one. */
  headers: Record<string, string>;
  body?: unknown;
}

/** Faults queued for the next matching requests, first match first. */
export class FaultQueue<Req> {
  private readonly faults: Array<LoopbackFault<Req> & { times: number }> = [];

  /** `defaultMatch` is which requests a fault without `match` hits. */
  constructor(private readonly defaultMatch: (req: Req) => boolean) {}

  add(fault: LoopbackFault<Req>): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /**
   * Takes one hit of the first fault matching `req` and waits its delay; resolves to the answer
   * it injects, or undefined when none matches or it only delays.
   */
  async take(req: Req): Promise<InjectedAnswer | undefined> {
    const index = this.faults.findIndex((f) => (f.match ?? this.defaultMatch)(req));
    const fault = index >= 0 ? this.faults[index] : undefined;
    if (!fault) return undefined;
    if (--fault.times <= 0) this.faults.splice(index, 1);
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs).unref());
    if (fault.status === undefined) return undefined;
    const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
    return { status: fault.status, headers, body: fault.body };
  }
}
