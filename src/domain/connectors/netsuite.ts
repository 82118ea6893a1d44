/**
 * NETSUITE_CONNECTOR: SuiteTalk REST web services (`/services/rest/record/v1/…`) with token-based
 * authentication, i.e. every request signed with OAuth 1.0a HMAC-SHA256 under the integration's
 * consumer secret and the access token's secret, realm = the account id.
 *
 * NetSuite answers a create with `204 No Content` and the new record's URL in `Location`; a
 * create carries `X-NetSuite-Idempotency-Key` so a retried create returns the first one's result
 * instead of creating a second record.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ConnectorContext, ConnectorDriver, ConnectorHttpRequest, ConnectorHttpResponse, ConnectorOperation } from './driver';
import { httpUrl, maxResponseBytes } from './config-fields';
import { signOAuth1 } from './oauth1';
import { connectorError, isOk, joinUrl, vendorFailure } from './vendor-errors';

/** Non-secret settings of a NetSuite connector. */
export const NetSuiteConfigSchema = z.strictObject({
  /** The account id as NetSuite shows it, e.g. `1234567` or `1234567_SB1` / `1234567-sb1` for a sandbox. */
  accountId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a NetSuite account id such as 1234567 or 1234567_SB1'),
  /** Default `https://<account id, lower case, _ → ->.suitetalk.api.netsuite.com`. */
  baseUrl: httpUrl.optional(),
  consumerKey: z.string().min(1),
  tokenId: z.string().min(1),
  maxResponseBytes,
});
export type NetSuiteConfig = z.output<typeof NetSuiteConfigSchema>;

/** Credentials: the integration record's consumer secret and the access token's secret. */
export const NetSuiteSecretsSchema = z.strictObject({
  consumerSecret: z.string().min(1),
  tokenSecret: z.string().min(1),
});
export type NetSuiteSecrets = z.output<typeof NetSuiteSecretsSchema>;

type Ctx = ConnectorContext<NetSuiteConfig, NetSuiteSecrets>;

const RECORD_PATH = '/services/rest/record/v1';

/** The OAuth realm NetSuite expects: the account id upper-cased, `-` as `_` (`1234567_SB1`). */
export function netsuiteRealm(accountId: string): string {
  return accountId.toUpperCase().replace(/-/g, '_');
}

/** The account's REST host: the account id lower-cased, `_` as `-` (`1234567-sb1.suitetalk.api.netsuite.com`). */
export function netsuiteBaseUrl(config: Pick<NetSuiteConfig, 'accountId' | 'baseUrl'>): string {
  return config.baseUrl ?? `https://${config.accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`;
}

/**
 * A UUID derived from the node run's idempotency key (name-based, SHA-1, RFC 9562 §5.5): NetSuite
 * wants a UUID, and the same node run must send the same one on every retry.
 */
export function idempotencyUuid(key: string): string {
  const h = createHash('sha1').update('weft:netsuite:').update(key).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** NetSuite's error body: `{ title, status, "o:errorDetails": [{ detail, "o:errorCode", "o:errorPath"? }] }`. */
function netsuiteErrorText(body: unknown): string | undefined {
  const b = body as { title?: unknown; 'o:errorDetails'?: unknown } | undefined;
  if (b && typeof b === 'object') {
    const details = Array.isArray(b['o:errorDetails']) ? (b['o:errorDetails'] as Array<Record<string, unknown>>) : [];
    const parts = details.map((d) => {
      const codePart = typeof d['o:errorCode'] === 'string' ? `${d['o:errorCode']}: ` : '';
      const path = typeof d['o:errorPath'] === 'string' ? ` (at ${d['o:errorPath']})` : '';
      return `${codePart}${typeof d.detail === 'string' ? d.detail : ''}${path}`;
    });
    if (parts.length) return parts.join('; ');
    if (typeof b.title === 'string') return b.title;
  }
  return undefined;
}

/** One signed call to `<base URL>/services/rest/record/v1/<path>`. */
async function call(
  ctx: Ctx,
  method: ConnectorHttpRequest['method'],
  path: string,
  opts: { body?: unknown; query?: Record<string, string> } = {},
): Promise<ConnectorHttpResponse> {
  const { config, secrets } = ctx;
  const url = joinUrl(netsuiteBaseUrl(config), `${RECORD_PATH}/${path}`);
  const { authorization } = signOAuth1({
    method,
    url,
    query: opts.query,
    consumerKey: config.consumerKey,
    consumerSecret: secrets.consumerSecret,
    token: config.tokenId,
    tokenSecret: secrets.tokenSecret,
    realm: netsuiteRealm(config.accountId),
    signatureMethod: 'HMAC-SHA256',
  });
  const headers: Record<string, string> = { authorization, accept: 'application/json' };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    headers['x-netsuite-idempotency-key'] = idempotencyUuid(`${ctx.idempotencyKey}:${method}:${path}`);
  }
  const res = await ctx.http({ method, url, headers, query: opts.query, body: opts.body });
  if (!isOk(res)) throw vendorFailure(res, `NetSuite ${method} ${path.split('?')[0]}`, netsuiteErrorText(res.body));
  return res;
}

/** The id at the end of a create's `Location` (…/record/v1/salesOrder/1234). */
function createdId(res: ConnectorHttpResponse, recordType: string): { id: string; recordType: string; location: string } {
  const location = res.headers.location;
  const id = location ? decodeURIComponent(new URL(location, 'http://x').pathname.split('/').pop() ?? '') : '';
  if (!location || !id) throw connectorError(`NetSuite created a ${recordType} but answered no Location with its id`);
  return { id, recordType, location };
}

function withoutLinks(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutLinks);
  if (!body || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (k !== 'links') out[k] = withoutLinks(v);
  return out;
}

// --- params ----------------------------------------------------------------------------------

/** Internal ids are digits; a reference may also be `eid:<external id>`. */
const internalId = z.union([z.string().regex(/^(\d+|eid:.+)$/, 'must be an internal id (digits) or eid:<external id>'), z.number().int().positive()]);
const ref = (id: string | number) => ({ id: String(id) });
const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
const money = z.number().nonnegative();
/** Further record fields sent as they are (NetSuite's REST field ids, e.g. `custbody_x`). */
const extraFields = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a NetSuite field id'), z.unknown()).optional();

const lineItem = z.strictObject({
  itemId: internalId,
  quantity: z.number().positive(),
  rate: money.optional(),
  locationId: internalId.optional(),
  description: z.string().optional(),
  fields: extraFields,
});
type LineItem = z.output<typeof lineItem>;

function itemLines(items: LineItem[]) {
  return {
    items: items.map((i) => ({
      item: ref(i.itemId),
      quantity: i.quantity,
      ...(i.rate !== undefined ? { rate: i.rate } : {}),
      ...(i.locationId !== undefined ? { location: ref(i.locationId) } : {}),
      ...(i.description !== undefined ? { description: i.description } : {}),
      ...i.fields,
    })),
  };
}

function header(p: {
  subsidiaryId?: string | number;
  locationId?: string | number;
  tranDate?: string;
  memo?: string;
  externalId?: string;
  currencyId?: string | number;
}) {
  return {
    ...(p.subsidiaryId !== undefined ? { subsidiary: ref(p.subsidiaryId) } : {}),
    ...(p.locationId !== undefined ? { location: ref(p.locationId) } : {}),
    ...(p.currencyId !== undefined ? { currency: ref(p.currencyId) } : {}),
    ...(p.tranDate ? { tranDate: p.tranDate } : {}),
    ...(p.memo !== undefined ? { memo: p.memo } : {}),
    ...(p.externalId !== undefined ? { externalId: p.externalId } : {}),
  };
}

const transactionHeader = {
  subsidiaryId: internalId.optional(),
  locationId: internalId.optional(),
  tranDate: isoDate.optional(),
  memo: z.string().max(999).optional(),
  externalId: z.string().min(1).max(255).optional(),
  fields: extraFields,
};

function createOperation<P>(recordType: string, description: string, params: z.ZodType<P>, body: (p: P) => Record<string, unknown>): ConnectorOperation<P> {
  return {
    description: `${description} (POST /record/v1/${recordType}); answers { id, recordType, location }.`,
    params,
    writes: true,
    async run(ctx, p) {
      const res = await call(ctx as Ctx, 'POST', recordType, { body: body(p) });
      return createdId(res, recordType);
    },
  };
}

const SalesOrderParams = z.strictObject({ customerId: internalId, items: z.array(lineItem).min(1), ...transactionHeader });
const createSalesOrder = createOperation('salesOrder', 'Creates a sales order for a customer', SalesOrderParams, (p) => ({
  entity: ref(p.customerId),
  ...header(p),
  item: itemLines(p.items),
  ...p.fields,
}));

const GetSalesOrderParams = z.strictObject({ id: internalId, expandSubResources: z.boolean().default(true) });
type GetSalesOrderParams = z.output<typeof GetSalesOrderParams>;

const getSalesOrder: ConnectorOperation<GetSalesOrderParams> = {
  description: 'Reads a sales order (GET /record/v1/salesOrder/{id}, id or eid:<external id>), its item lines expanded unless expandSubResources is false.',
  params: GetSalesOrderParams,
  writes: false,
  async run(ctx, p) {
    const query = p.expandSubResources ? { expandSubResources: 'true' } : undefined;
    // NetSuite reads `eid:` literally; only the external id itself needs encoding.
    const id = String(p.id);
    const segment = id.startsWith('eid:') ? `eid:${encodeURIComponent(id.slice(4))}` : id;
    const res = await call(ctx as Ctx, 'GET', `salesOrder/${segment}`, { query });
    if (!res.body || typeof res.body !== 'object') throw connectorError('NetSuite answered a sales order read without a JSON record');
    return withoutLinks(res.body);
  },
};

const InventoryAdjustmentParams = z.strictObject({
  /** The adjustment (GL) account the value change is booked to. */
  accountId: internalId,
  subsidiaryId: internalId.optional(),
  /** The adjustment location (`adjLocation`), used for lines without their own location. */
  locationId: internalId.optional(),
  tranDate: isoDate.optional(),
  memo: z.string().max(999).optional(),
  externalId: z.string().min(1).max(255).optional(),
  items: z
    .array(
      z.strictObject({
        itemId: internalId,
        locationId: internalId.optional(),
        /** Positive adds stock, negative removes it. */
        adjustQtyBy: z
          .number()
          .refine((n) => n !== 0, 'must not be 0')
          .refine(Number.isFinite, 'must be finite'),
        unitCost: money.optional(),
        memo: z.string().optional(),
        fields: extraFields,
      }),
    )
    .min(1),
  fields: extraFields,
});
const updateInventoryLevel = createOperation(
  'inventoryAdjustment',
  'Changes on-hand quantities with an inventory adjustment',
  InventoryAdjustmentParams.refine((p) => p.locationId !== undefined || p.items.every((i) => i.locationId !== undefined), {
    message: 'every item needs a locationId unless the adjustment has one',
    path: ['locationId'],
  }),
  (p) => ({
    account: ref(p.accountId),
    ...(p.subsidiaryId !== undefined ? { subsidiary: ref(p.subsidiaryId) } : {}),
    ...(p.locationId !== undefined ? { adjLocation: ref(p.locationId) } : {}),
    ...(p.tranDate ? { tranDate: p.tranDate } : {}),
    ...(p.memo !== undefined ? { memo: p.memo } : {}),
    ...(p.externalId !== undefined ? { externalId: p.externalId } : {}),
    ...p.fields,
    inventory: {
      items: p.items.map((i) => ({
        item: ref(i.itemId),
        location: ref((i.locationId ?? p.locationId) as string | number),
        adjustQtyBy: i.adjustQtyBy,
        ...(i.unitCost !== undefined ? { unitCost: i.unitCost } : {}),
        ...(i.memo !== undefined ? { memo: i.memo } : {}),
        ...i.fields,
      })),
    },
  }),
);

const CustomerParams = z
  .strictObject({
    isPerson: z.boolean().default(false),
    companyName: z.string().min(1).max(83).optional(),
    firstName: z.string().min(1).max(32).optional(),
    lastName: z.string().min(1).max(32).optional(),
    email: z.email().optional(),
    phone: z.string().max(32).optional(),
    subsidiaryId: internalId.optional(),
    externalId: z.string().min(1).max(255).optional(),
    fields: extraFields,
  })
  .refine((p) => (p.isPerson ? !!p.firstName && !!p.lastName : !!p.companyName), {
    message: 'a company needs companyName; a person (isPerson) needs firstName and lastName',
    path: ['companyName'],
  });
const createCustomer = createOperation('customer', 'Creates a customer (company or person)', CustomerParams, (p) => ({
  isPerson: p.isPerson,
  ...(p.companyName !== undefined ? { companyName: p.companyName } : {}),
  ...(p.firstName !== undefined ? { firstName: p.firstName } : {}),
  ...(p.lastName !== undefined ? { lastName: p.lastName } : {}),
  ...(p.email !== undefined ? { email: p.email } : {}),
  ...(p.phone !== undefined ? { phone: p.phone } : {}),
  ...(p.subsidiaryId !== undefined ? { subsidiary: ref(p.subsidiaryId) } : {}),
  ...(p.externalId !== undefined ? { externalId: p.externalId } : {}),
  ...p.fields,
}));

const PurchaseOrderParams = z.strictObject({ vendorId: internalId, items: z.array(lineItem).min(1), ...transactionHeader });
const createPurchaseOrder = createOperation('purchaseOrder', 'Creates a purchase order to a vendor', PurchaseOrderParams, (p) => ({
  entity: ref(p.vendorId),
  ...header(p),
  item: itemLines(p.items),
  ...p.fields,
}));

const cents = (n: number) => Math.round(n * 100);
const JournalEntryParams = z
  .strictObject({
    subsidiaryId: internalId.optional(),
    currencyId: internalId.optional(),
    tranDate: isoDate.optional(),
    memo: z.string().max(999).optional(),
    externalId: z.string().min(1).max(255).optional(),
    lines: z
      .array(
        z
          .strictObject({
            accountId: internalId,
            debit: money.optional(),
            credit: money.optional(),
            memo: z.string().optional(),
            entityId: internalId.optional(),
            departmentId: internalId.optional(),
            classId: internalId.optional(),
            locationId: internalId.optional(),
            fields: extraFields,
          })
          .refine((l) => (l.debit === undefined) !== (l.credit === undefined), 'a line has either debit or credit'),
      )
      .min(2),
    fields: extraFields,
  })
  // NetSuite refuses an unbalanced entry; saying so before the call names the lines' totals.
  .refine((p) => p.lines.reduce((s, l) => s + cents(l.debit ?? 0) - cents(l.credit ?? 0), 0) === 0, {
    message: 'debits and credits must balance',
    path: ['lines'],
  });
const createJournalEntry = createOperation('journalEntry', 'Creates a balanced journal entry', JournalEntryParams, (p) => ({
  ...header(p),
  ...p.fields,
  line: {
    items: p.lines.map((l) => ({
      account: ref(l.accountId),
      ...(l.debit !== undefined ? { debit: l.debit } : {}),
      ...(l.credit !== undefined ? { credit: l.credit } : {}),
      ...(l.memo !== undefined ? { memo: l.memo } : {}),
      ...(l.entityId !== undefined ? { entity: ref(l.entityId) } : {}),
      ...(l.departmentId !== undefined ? { department: ref(l.departmentId) } : {}),
      ...(l.classId !== undefined ? { class: ref(l.classId) } : {}),
      ...(l.locationId !== undefined ? { location: ref(l.locationId) } : {}),
      ...l.fields,
    })),
  },
}));

/** The NetSuite driver: SuiteTalk REST records with token-based auth (OAuth 1.0a HMAC-SHA256). */
export const netsuiteDriver: ConnectorDriver = {
  type: 'netsuite',
  configSchema: NetSuiteConfigSchema,
  secretsSchema: NetSuiteSecretsSchema,
  operations: { createSalesOrder, getSalesOrder, updateInventoryLevel, createCustomer, createPurchaseOrder, createJournalEntry },
  async testConnection(ctx) {
    const c = ctx as Ctx;
    // The record metadata catalog is the cheapest signed read every role may make.
    await call(c, 'GET', 'metadata-catalog', { query: { select: 'customer' } });
    return { message: `token-based authentication accepted by account ${netsuiteRealm(c.config.accountId)}` };
  },
};
