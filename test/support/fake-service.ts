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
