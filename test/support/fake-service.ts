import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer } from './loopback-server';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** A real HTTP server on loopback that records every request and answers with `handler`. */
export interface FakeService {
  url: string;
  host: string;
  requests: RecordedRequest[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeService(): Promise<FakeService> {
  const requests: RecordedRequest[] = [];
  let handler: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };
  const server = await startLoopbackServer((req, _url, body, res) => {
    const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    requests.push(rec);
    handler(rec, res);
  });
  return {
    url: server.url,
    host: server.host,
    requests,
    handle(h) {
      handler = h;
    },
    close: server.close,
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** How long {@link echoPath} holds a request whose path contains `/slow/`. */
export const SLOW_ECHO_MS = 300;

/**
 * A handler that answers 200 `{ "path": <path and query as sent> }`, after {@link SLOW_ECHO_MS}
 * when the path contains `/slow/`: which request a node sent shows in its output, and a slow
 * one lets a concurrent iteration or branch overtake it.
 */
export const echoPath: Handler = (req, res) => {
  const answer = () => json(res, 200, { path: req.url });
  if (req.url.includes('/slow/')) setTimeout(answer, SLOW_ECHO_MS).unref();
  else answer();
};
