/**
 * A Salesforce org on loopback that checks what Salesforce checks: the OAuth 2.0 token endpoint
 * (client credentials: client id and secret; JWT bearer: an RS256 assertion verified with the
 * connected app's public key, issuer, subject, audience, expiry), a live bearer token on every
 * data call (an unknown or expired one gets 401 INVALID_SESSION_ID), the API version in the path,
 * sObject create/read/update, and SOQL queries paged through `nextRecordsUrl`. Faults can be
 * queued for data calls (a 500, a 429 with Retry-After).
 */
import { createVerify, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer } from './loopback-server';

export interface FakeSalesforceOptions {
  clientId: string;
  /** For the client credentials flow. */
  clientSecret?: string;
  /** PEM public key of the JWT bearer flow, with the user it may act as. */
  publicKey?: string;
  username?: string;
  apiVersion?: string;
  /** Records per query page (Salesforce: 2000; small here to exercise paging). */
  pageSize?: number;
}

interface Fault {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface RecordedSalesforceRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface FakeSalesforce {
  url: string;
  host: string;
  requests: RecordedSalesforceRequest[];
  /** Stored records by sObject type, then id. */
  records: Map<string, Map<string, Record<string, unknown>>>;
  /** How many tokens the token endpoint has issued. */
  tokensIssued(): number;
  /** Makes every issued token expired (the next data call gets 401 INVALID_SESSION_ID). */
  expireTokens(): void;
  /** Every access token issued so far (to prove none leaks). */
  issuedTokens(): string[];
  /** Queues answers for the next data calls (token calls are not affected). */
  failNext(...faults: Fault[]): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers }).end(JSON.stringify(body));
}

const sfError = (errorCode: string, message: string) => [{ message, errorCode }];

/** An 18-character id with the sObject's key prefix, as Salesforce makes them. */
function newId(prefix: string): string {
  return (prefix + randomBytes(12).toString('hex')).slice(0, 18).replace(/[^A-Za-z0-9]/g, '0');
}

const PREFIX: Record<string, string> = { Account: '001', Contact: '003', Opportunity: '006' };

function verifyJwt(assertion: string, publicKey: string): Record<string, unknown> | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
  if (header.alg !== 'RS256') return undefined;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${h}.${c}`);
  if (!verifier.verify(publicKey, Buffer.from(s, 'base64url'))) return undefined;
  return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Starts the fake org on 127.0.0.1 with a random port. */
export async function startFakeSalesforce(opts: FakeSalesforceOptions): Promise<FakeSalesforce> {
  const apiVersion = opts.apiVersion ?? 'v60.0';
  const pageSize = opts.pageSize ?? 2;
  const requests: RecordedSalesforceRequest[] = [];
  const records = new Map<string, Map<string, Record<string, unknown>>>();
  const tokens = new Map<string, { expired: boolean }>();
  const cursors = new Map<string, unknown[]>();
  const faults: Fault[] = [];
  let issued = 0;
  let url = '';

  function token(req: IncomingMessage, body: string, res: ServerResponse): void {
    if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      send(res, 400, { error: 'invalid_request', error_description: 'form encoding expected' });
      return;
    }
    const form = new URLSearchParams(body);
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      if (form.get('client_id') !== opts.clientId || !opts.clientSecret || form.get('client_secret') !== opts.clientSecret) {
        send(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' });
        return;
      }
    } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = opts.publicKey ? verifyJwt(form.get('assertion') ?? '', opts.publicKey) : undefined;
      const now = Math.floor(Date.now() / 1000);
      if (!claims || claims.iss !== opts.clientId || claims.sub !== opts.username || claims.aud !== url || typeof claims.exp !== 'number' || claims.exp < now) {
        send(res, 400, { error: 'invalid_grant', error_description: 'invalid assertion' });
        return;
      }
    } else {
      send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
      return;
    }
    const accessToken = `00D${randomBytes(16).toString('hex')}`;
    tokens.set(accessToken, { expired: false });
    issued++;
    send(res, 200, { access_token: accessToken, instance_url: url, id: `${url}/id/00D/005`, token_type: 'Bearer', issued_at: String(Date.now()) });
  }

  function page(all: unknown[], res: ServerResponse): void {
    const first = all.slice(0, pageSize);
    const rest = all.slice(pageSize);
    let nextRecordsUrl: string | undefined;
    if (rest.length > 0) {
      const cursor = `01g${randomBytes(6).toString('hex')}-${pageSize}`;
      cursors.set(cursor, rest);
      nextRecordsUrl = `/services/data/${apiVersion}/query/${cursor}`;
    }
    send(res, 200, { totalSize: all.length, done: !nextRecordsUrl, records: first, ...(nextRecordsUrl ? { nextRecordsUrl } : {}) });
  }

  function data(req: IncomingMessage, path: string, search: URLSearchParams, body: string, res: ServerResponse): void {
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const session = auth ? tokens.get(auth[1]!) : undefined;
    if (!session || session.expired) {
      send(res, 401, sfError('INVALID_SESSION_ID', 'Session expired or invalid'));
      return;
    }
    const fault = faults.shift();
    if (fault) {
      send(res, fault.status, fault.body, fault.headers);
      return;
    }
    const prefix = `/services/data/${apiVersion}/`;
    if (!path.startsWith(prefix)) {
      send(res, 404, sfError('NOT_FOUND', 'The requested resource does not exist'));
      return;
    }
    const rest = path.slice(prefix.length).split('/');
    if (rest[0] === 'limits' && req.method === 'GET') {
      send(res, 200, { DailyApiRequests: { Max: 15000, Remaining: 14999 } });
      return;
    }
    if (rest[0] === 'query' && req.method === 'GET') {
      if (rest[1]) {
        const remaining = cursors.get(rest[1]);
        if (!remaining) {
          send(res, 400, sfError('INVALID_QUERY_LOCATOR', 'invalid query locator'));
          return;
        }
        cursors.delete(rest[1]);
        const total = Number(rest[1].split('-')[1]) + remaining.length;
        const first = remaining.slice(0, pageSize);
        const more = remaining.slice(pageSize);
        let nextRecordsUrl: string | undefined;
        if (more.length > 0) {
          const cursor = `01g${randomBytes(6).toString('hex')}-${total - more.length}`;
          cursors.set(cursor, more);
          nextRecordsUrl = `/services/data/${apiVersion}/query/${cursor}`;
        }
        send(res, 200, { totalSize: total, done: !nextRecordsUrl, records: first, ...(nextRecordsUrl ? { nextRecordsUrl } : {}) });
        return;
      }
      const soql = search.get('q') ?? '';
      const m = /^SELECT\s+([\w\s,]+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(\w+)\s*=\s*'([^']*)')?\s*$/i.exec(soql);
      if (!m) {
        send(res, 400, sfError('MALFORMED_QUERY', `unexpected token in: ${soql}`));
        return;
      }
      const fieldNames = m[1]!.split(',').map((f) => f.trim());
      const type = m[2]!;
      const all = [...(records.get(type)?.values() ?? [])]
        .filter((r) => !m[3] || r[m[3]] === m[4])
        .map((r) => ({
          attributes: { type, url: `/services/data/${apiVersion}/sobjects/${type}/${String(r.Id)}` },
          ...Object.fromEntries(fieldNames.map((f) => [f, r[f] ?? null])),
        }));
      page(all, res);
      return;
    }
    if (rest[0] === 'sobjects' && rest[1]) {
      const type = rest[1];
      const store = records.get(type) ?? new Map<string, Record<string, unknown>>();
      records.set(type, store);
      if (req.method === 'POST' && rest.length === 2) {
        const fields = JSON.parse(body || '{}') as Record<string, unknown>;
        if (type === 'Account' && !fields.Name) {
          send(res, 400, [{ message: 'Required fields are missing: [Name]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }]);
          return;
        }
        const id = newId(PREFIX[type] ?? 'a00');
        store.set(id, { ...fields, Id: id });
        send(res, 201, { id, success: true, errors: [] });
        return;
      }
      const record = rest[2] ? store.get(rest[2]) : undefined;
      if (!record) {
        send(res, 404, sfError('NOT_FOUND', 'The requested resource does not exist'));
        return;
      }
      if (req.method === 'GET') {
        send(res, 200, { attributes: { type, url: path }, ...record });
        return;
      }
      if (req.method === 'PATCH') {
        Object.assign(record, JSON.parse(body || '{}'));
        send(res, 204, undefined);
        return;
      }
    }
    send(res, 404, sfError('NOT_FOUND', 'The requested resource does not exist'));
  }

  const server = await startLoopbackServer((req, parsed, body, res) => {
    requests.push({ method: req.method ?? '', path: parsed.pathname + parsed.search, headers: req.headers, body, at: Date.now() });
    if (parsed.pathname === '/services/oauth2/token' && req.method === 'POST') token(req, body, res);
    else data(req, parsed.pathname, parsed.searchParams, body, res);
  });
  url = server.url;
  return {
    url,
    host: server.host,
    requests,
    records,
    tokensIssued: () => issued,
    issuedTokens: () => [...tokens.keys()],
    expireTokens() {
      for (const t of tokens.values()) t.expired = true;
    },
    failNext(...f) {
      faults.push(...f);
    },
    close: server.close,
  };
}
