/**
 * A loopback NetSuite SuiteTalk REST endpoint that checks token-based authentication as NetSuite
 * does: the realm is the account id, the consumer key and token are known, the method is
 * HMAC-SHA256, the timestamp is recent, a nonce is never accepted twice, and the signature is
 * recomputed here from the request as received. The verification is written independently of
 * src/ (its own percent-encoding, parameter sorting and base string) so a bug in the driver's
 * signing cannot be mirrored by the check. Records: customer, salesOrder, purchaseOrder,
 * journalEntry, inventoryAdjustment; creates answer 204 + Location and honour
 * X-NetSuite-Idempotency-Key. Faults (any status, Retry-After, delays) can be queued.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FaultQueue, recordRequest, startLoopbackServer, type LoopbackFault, type LoopbackRecordedRequest } from './loopback-server';

const RECORD_ROOT = '/services/rest/record/v1';

export interface NetSuiteRecordedRequest extends LoopbackRecordedRequest {
  /** The parsed `Authorization: OAuth …` parameters, when present. */
  oauth?: Record<string, string>;
}

/** A queued fault; without `match` it hits every request. */
export type NetSuiteFault = LoopbackFault<NetSuiteRecordedRequest>;

export interface FakeNetSuiteOptions {
  /** As NetSuite shows it, e.g. `1234567_SB1`. */
  accountId?: string;
  consumerKey?: string;
  consumerSecret?: string;
  tokenId?: string;
  tokenSecret?: string;
}

export interface FakeNetSuite {
  url: string;
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
  requests: NetSuiteRecordedRequest[];
  /** Why each refused login was refused (NetSuite itself only says INVALID_LOGIN). */
  authFailures: string[];
  records(type: string): Map<string, Record<string, unknown>>;
  /** On-hand quantity of an item at a location. */
  onHand(itemId: string, locationId: string): number;
  fault(fault: NetSuiteFault): void;
  close(): Promise<void>;
}

// --- an independent OAuth 1.0a verifier -----------------------------------------------------

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 §2.1 percent-encoding of the UTF-8 bytes, hex upper case (RFC 5849 §3.6). */
function rfc3986(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `OAuth a="b", c="d"` → { a: 'b', c: 'd' } (values percent-decoded). */
function parseOAuthHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^OAuth\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_]+)="([^"]*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out[m[1] as string] = decodeURIComponent(m[2] as string);
  return out;
}

function expectedSignature(method: string, host: string, path: string, query: Array<[string, string]>, oauth: Record<string, string>, secret: string): string {
  const params: Array<[string, string]> = [...query, ...Object.entries(oauth).filter(([k]) => k !== 'oauth_signature' && k !== 'realm')].map(([k, v]) => [
    rfc3986(k),
    rfc3986(v),
  ]);
  params.sort((a, b) => Buffer.compare(Buffer.from(`${a[0]}\u0000${a[1]}`), Buffer.from(`${b[0]}\u0000${b[1]}`)));
  const normalized = params.map(([k, v]) => `${k}=${v}`).join('&');
  const base = `${method.toUpperCase()}&${rfc3986(`http://${host.toLowerCase()}${path}`)}&${rfc3986(normalized)}`;
  return createHmac('sha256', secret).update(base, 'utf8').digest('base64');
}

const INVALID_LOGIN =
  'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.';

function nsError(res: ServerResponse, status: number, code: string, detail: string, extra: { path?: string; headers?: Record<string, string> } = {}): void {
  const titles: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error' };
  res.writeHead(status, { 'content-type': 'application/vnd.oracle.resource+json; type=error; charset=UTF-8', ...extra.headers }).end(
    JSON.stringify({
      type: `https://www.rfc-editor.org/rfc/rfc9110.html#section-15.${status >= 500 ? 6 : 5}`,
      title: titles[status] ?? 'Error',
      status,
      'o:errorDetails': [{ detail, 'o:errorCode': code, ...(extra.path ? { 'o:errorPath': extra.path } : {}) }],
    }),
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startFakeNetSuite(opts: FakeNetSuiteOptions = {}): Promise<FakeNetSuite> {
  const accountId = opts.accountId ?? '1234567_SB1';
  const consumerKey = opts.consumerKey ?? 'ck-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const consumerSecret = opts.consumerSecret ?? 'cs-secret-value-1';
  const tokenId = opts.tokenId ?? 'tk-a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const tokenSecret = opts.tokenSecret ?? 'ts-secret-value-1';
  const realm = accountId.toUpperCase().replace(/-/g, '_');
  const requests: NetSuiteRecordedRequest[] = [];
  const authFailures: string[] = [];
  const faults = new FaultQueue<NetSuiteRecordedRequest>(() => true);
  const nonces = new Set<string>();
  const idempotent = new Map<string, { status: number; location?: string; bodyHash: string }>();
  const stores = new Map<string, Map<string, Record<string, unknown>>>();
  const store = (type: string) => {
    let m = stores.get(type);
    if (!m) stores.set(type, (m = new Map()));
    return m;
  };
  const onHand = new Map<string, number>([['501/1', 40]]);
  let seq = 1000;
  let baseUrl = '';

  store('customer').set('42', { id: '42', companyName: 'Acme Corp', isPerson: false });
  store('vendor').set('77', { id: '77', companyName: 'Steel Supplies Ltd' });
  const items = new Map([
    ['501', { id: '501', refName: 'Widget A', basePrice: 12.5 }],
    ['502', { id: '502', refName: 'Widget B', basePrice: 40 }],
  ]);
  const accounts = new Set(['1', '58', '120', '215']);
  const locations = new Set(['1', '2']);

  function verify(req: NetSuiteRecordedRequest, url: URL): string | undefined {
    const o = req.oauth;
    if (!o) return 'no OAuth Authorization header';
    if (o.realm !== realm) return `realm ${o.realm ?? '(none)'} is not ${realm}`;
    if (o.oauth_signature_method !== 'HMAC-SHA256') return `signature method ${o.oauth_signature_method ?? '(none)'} is not HMAC-SHA256`;
    if (o.oauth_version !== undefined && o.oauth_version !== '1.0') return `version ${o.oauth_version}`;
    if (o.oauth_consumer_key !== consumerKey) return 'unknown consumer key';
    if (o.oauth_token !== tokenId) return 'unknown token';
    const ts = Number(o.oauth_timestamp);
    if (!Number.isInteger(ts) || Math.abs(ts - Date.now() / 1000) > 300) return `timestamp ${o.oauth_timestamp ?? '(none)'} is not within 5 minutes`;
    if (!o.oauth_nonce || o.oauth_nonce.length < 6) return 'nonce missing or too short';
    const expected = expectedSignature(
      req.method,
      String(req.headers.host),
      url.pathname,
      [...url.searchParams.entries()],
      o,
      `${rfc3986(consumerSecret)}&${rfc3986(tokenSecret)}`,
    );
    const given = Buffer.from(o.oauth_signature ?? '');
    if (given.length !== Buffer.byteLength(expected) || !timingSafeEqual(given, Buffer.from(expected))) return 'signature mismatch';
    // A nonce counts as used only once the request is authentic, as a forger must not burn nonces.
    const nonceKey = `${o.oauth_consumer_key}:${o.oauth_token}:${o.oauth_timestamp}:${o.oauth_nonce}`;
    if (nonces.has(nonceKey)) return 'nonce already used (replay)';
    nonces.add(nonceKey);
    return undefined;
  }

  const refId = (v: unknown) => (v && typeof v === 'object' ? String((v as { id?: unknown }).id ?? '') : '');
  const lines = (v: unknown) => {
    const list = (v as { items?: unknown } | undefined)?.items;
    return Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
  };
  const missing = (res: ServerResponse, field: string, label: string) =>
    nsError(res, 400, 'USER_ERROR', `Error while accessing a resource. Please enter value(s) for: ${label}.`, { path: field });
  const invalid = (res: ServerResponse, field: string, value: string) =>
    nsError(res, 400, 'USER_ERROR', `Error while accessing a resource. Invalid Field Value ${value} for the following field: ${field}`, { path: field });

  /** Validates and stores a record; answers its id or has already answered an error. */
  const creators: Record<string, (b: Record<string, unknown>, res: ServerResponse) => string | undefined> = {
    customer(b, res) {
      if (b.isPerson === true ? !b.firstName || !b.lastName : !b.companyName)
        return void missing(res, b.isPerson === true ? 'lastName' : 'companyName', b.isPerson === true ? 'Last Name' : 'Company Name');
      const id = String(++seq);
      store('customer').set(id, { id, entityId: `CUST${id}`, ...b });
      return id;
    },
    salesOrder(b, res) {
      const entity = refId(b.entity);
      if (!entity) return void missing(res, 'entity', 'Customer');
      if (!store('customer').has(entity)) return void invalid(res, 'entity', entity);
      const lineItems = lines(b.item);
      if (lineItems.length === 0) return void nsError(res, 400, 'USER_ERROR', 'You must enter at least one line item for this transaction.', { path: 'item' });
      for (const l of lineItems) if (!items.has(refId(l.item))) return void invalid(res, 'item', refId(l.item));
      const id = String(++seq);
      const itemLines = lineItems.map((l, i) => {
        const item = items.get(refId(l.item)) as { id: string; refName: string; basePrice: number };
        const rate = typeof l.rate === 'number' ? l.rate : item.basePrice;
        return { line: i + 1, item: { id: item.id, refName: item.refName }, quantity: l.quantity, rate, amount: rate * Number(l.quantity) };
      });
      store('salesOrder').set(id, {
        id,
        tranId: `SO${id}`,
        entity: { id: entity, refName: String(store('customer').get(entity)?.companyName ?? entity) },
        tranDate: b.tranDate ?? '2026-11-24',
        memo: b.memo,
        externalId: b.externalId,
        status: { id: 'A', refName: 'Pending Approval' },
        total: itemLines.reduce((s, l) => s + l.amount, 0),
        item: { items: itemLines },
      });
      return id;
    },
    purchaseOrder(b, res) {
      const entity = refId(b.entity);
      if (!entity) return void missing(res, 'entity', 'Vendor');
      if (!store('vendor').has(entity)) return void invalid(res, 'entity', entity);
      if (lines(b.item).length === 0)
        return void nsError(res, 400, 'USER_ERROR', 'You must enter at least one line item for this transaction.', { path: 'item' });
      const id = String(++seq);
      store('purchaseOrder').set(id, { id, tranId: `PO${id}`, ...b });
      return id;
    },
    journalEntry(b, res) {
      const ls = lines(b.line);
      if (ls.length < 2) return void nsError(res, 400, 'USER_ERROR', 'You must enter at least two lines for this transaction.', { path: 'line' });
      for (const l of ls) if (!accounts.has(refId(l.account))) return void invalid(res, 'account', refId(l.account));
      const balance = ls.reduce((s, l) => s + Math.round(Number(l.debit ?? 0) * 100) - Math.round(Number(l.credit ?? 0) * 100), 0);
      if (balance !== 0) return void nsError(res, 400, 'USER_ERROR', 'The total debits must equal the total credits.', { path: 'line' });
      const id = String(++seq);
      store('journalEntry').set(id, { id, tranId: `JE${id}`, ...b });
      return id;
    },
    inventoryAdjustment(b, res) {
      if (!accounts.has(refId(b.account)))
        return void (refId(b.account) ? invalid(res, 'account', refId(b.account)) : missing(res, 'account', 'Adjustment Account'));
      const ls = lines(b.inventory);
      if (ls.length === 0) return void nsError(res, 400, 'USER_ERROR', 'You must enter at least one line item for this transaction.', { path: 'inventory' });
      const changes = new Map<string, number>();
      for (const l of ls) {
        const item = refId(l.item);
        const location = refId(l.location);
        if (!items.has(item)) return void invalid(res, 'item', item);
        if (!locations.has(location)) return void invalid(res, 'location', location);
        const key = `${item}/${location}`;
        changes.set(key, (changes.get(key) ?? onHand.get(key) ?? 0) + Number(l.adjustQtyBy));
        if ((changes.get(key) ?? 0) < 0) {
          return void nsError(res, 400, 'USER_ERROR', `You cannot adjust the quantity of ${items.get(item)?.refName ?? item} below zero at this location.`, {
            path: 'inventory',
          });
        }
      }
      for (const [k, v] of changes) onHand.set(k, v);
      const id = String(++seq);
      store('inventoryAdjustment').set(id, { id, tranId: `IA${id}`, ...b });
      return id;
    },
  };

  async function route(req: NetSuiteRecordedRequest, url: URL, res: ServerResponse): Promise<void> {
    const fault = await faults.take(req);
    if (fault) {
      const { status, headers } = fault;
      if (fault.body !== undefined) return void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(fault.body));
      const code = status === 429 ? 'CONCURRENCY_LIMIT_EXCEEDED' : status >= 500 ? 'UNEXPECTED_ERROR' : 'USER_ERROR';
      return nsError(res, status, code, `injected ${status}`, { headers });
    }
    const refused = verify(req, url);
    if (refused) {
      authFailures.push(refused);
      return nsError(res, 401, 'INVALID_LOGIN', INVALID_LOGIN, { headers: { 'www-authenticate': `OAuth realm="${realm}", error="token_rejected"` } });
    }
    if (!url.pathname.startsWith(`${RECORD_ROOT}/`)) return nsError(res, 404, 'NONEXISTENT_ID', 'The requested resource does not exist.');
    const [type, rawId, ...rest] = url.pathname.slice(RECORD_ROOT.length + 1).split('/');
    if (req.method === 'GET' && type === 'metadata-catalog') {
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ items: [{ name: url.searchParams.get('select') ?? 'customer', links: [] }] }));
    }
    if (!type || !Object.prototype.hasOwnProperty.call(creators, type))
      return nsError(res, 400, 'INVALID_RCRD_TYPE', `Record type '${type ?? ''}' does not exist.`);
    if (req.method === 'POST' && rawId === undefined) {
      if (!/application\/json/.test(String(req.headers['content-type'] ?? ''))) return nsError(res, 415, 'INVALID_CONTENT_TYPE', 'Unsupported content type.');
      const key = req.headers['x-netsuite-idempotency-key'];
      if (key !== undefined && !UUID_RE.test(String(key))) return nsError(res, 400, 'INVALID_IDEMPOTENCY_KEY', 'The idempotency key must be a UUID.');
      const previous = key !== undefined ? idempotent.get(String(key)) : undefined;
      if (previous) {
        if (previous.bodyHash !== req.body) return nsError(res, 400, 'IDEMPOTENCY_KEY_CONFLICT', 'The idempotency key was used with a different request.');
        return void res.writeHead(previous.status, previous.location ? { location: previous.location } : {}).end();
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body) as Record<string, unknown>;
      } catch {
        return nsError(res, 400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
      }
      const id = (creators[type] as (b: Record<string, unknown>, r: ServerResponse) => string | undefined)(body, res);
      if (id === undefined) return;
      const location = `${baseUrl}${RECORD_ROOT}/${type}/${id}`;
      if (key !== undefined) idempotent.set(String(key), { status: 204, location, bodyHash: req.body });
      return void res.writeHead(204, { location }).end();
    }
    if (req.method === 'GET' && rawId !== undefined && rest.length === 0) {
      const id = decodeURIComponent(rawId);
      const all = store(type);
      const record = id.startsWith('eid:') ? [...all.values()].find((r) => r.externalId === id.slice(4)) : all.get(id);
      if (!record) return nsError(res, 404, 'NONEXISTENT_ID', `The record instance does not exist. Provide a valid record instance ID.`);
      const self = `${baseUrl}${RECORD_ROOT}/${type}/${String(record.id)}`;
      const expand = url.searchParams.get('expandSubResources') === 'true';
      const out: Record<string, unknown> = { links: [{ rel: 'self', href: self }], ...record };
      if (!expand && record.item) out.item = { links: [{ rel: 'self', href: `${self}/item` }] };
      return void res
        .writeHead(200, { 'content-type': 'application/vnd.oracle.resource+json; type=singular-resource; charset=UTF-8' })
        .end(JSON.stringify(out));
    }
    return nsError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here.`);
  }

  const server = await startLoopbackServer((req, url, body, res) => {
    const rec: NetSuiteRecordedRequest = Object.assign(recordRequest(req, url, body, res), { oauth: parseOAuthHeader(req.headers.authorization) });
    requests.push(rec);
    route(rec, url, res).catch((err: unknown) => {
      if (!res.headersSent) nsError(res, 500, 'UNEXPECTED_ERROR', String(err));
    });
  });
  baseUrl = server.url;

  return {
    url: baseUrl,
    accountId,
    consumerKey,
    consumerSecret,
    tokenId,
    tokenSecret,
    requests,
    authFailures,
    records: store,
    onHand: (itemId, locationId) => onHand.get(`${itemId}/${locationId}`) ?? 0,
    fault(f) {
      faults.add(f);
    },
    close: server.close,
  };
}
