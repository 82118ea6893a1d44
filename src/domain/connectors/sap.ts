/**
 * SAP_CONNECTOR: SAP S/4HANA OData V2 APIs (the released `API_*_SRV` services under
 * `/sap/opu/odata/sap/`), with basic auth or an OAuth 2.0 client-credentials token.
 *
 * SAP Gateway refuses a write without a CSRF token bound to a session, so every write first
 * fetches one (`GET <service root>` with `x-csrf-token: Fetch`) and sends it back with the
 * session cookies that came with it; a write answered `403` + `x-csrf-token: Required` (the token
 * expired or the session was dropped in between) fetches a new one once and is sent again.
 */
import { z } from 'zod';
import { NodeCallError } from '../node-call-error';
import type { ConnectorContext, ConnectorDriver, ConnectorHttpRequest, ConnectorHttpResponse, ConnectorOperation } from './driver';
import { httpUrl, maxResponseBytes } from './config-fields';
import { cachedToken, oauthErrorText, postTokenForm, renewalTime, tokenEndpointFailure } from './oauth2';
import { connectorError, isOk, joinUrl, vendorFailure } from './vendor-errors';

/** Non-secret settings of an SAP connector. */
export const SapConfigSchema = z.strictObject({
  /** The system's host URL, e.g. `https://my300000-api.s4hana.cloud.sap` (services are below `servicePath`). */
  baseUrl: httpUrl,
  /** Where the OData V2 services live on that host. */
  servicePath: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*$/, 'must be a path starting with /')
    .default('/sap/opu/odata/sap'),
  /** The `sap-client` (three digits) sent with every call; the system's default client when absent. */
  client: z
    .string()
    .regex(/^\d{3}$/, 'must be three digits, e.g. 100')
    .optional(),
  auth: z.enum(['basic', 'oauth2_client_credentials']),
  /** The communication user (basic). */
  username: z.string().min(1).optional(),
  /** The token endpoint (oauth2_client_credentials), e.g. `https://<subdomain>.authentication.<region>.hana.ondemand.com/oauth/token`. */
  tokenUrl: httpUrl.optional(),
  clientId: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  /** Language of texts (`sap-language`), e.g. EN. */
  language: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter language code')
    .optional(),
  maxResponseBytes,
});
export type SapConfig = z.output<typeof SapConfigSchema>;

/** Credentials: the communication user's password (basic) or the OAuth client's secret. */
export const SapSecretsSchema = z.strictObject({
  password: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
});
export type SapSecrets = z.output<typeof SapSecretsSchema>;

type Ctx = ConnectorContext<SapConfig, SapSecrets>;

const TOKEN_KEY = 'sap:token';

/** The OData V2 services the operations use (their technical names in SAP API Business Hub). */
export const SAP_SERVICES = {
  purchaseOrder: 'API_PURCHASEORDER_PROCESS_SRV',
  product: 'API_PRODUCT_SRV',
  materialDocument: 'API_MATERIAL_DOCUMENT_SRV',
  productionOrder: 'API_PRODUCTION_ORDER_2_SRV',
  costCenter: 'API_COSTCENTER_SRV',
} as const;

// --- auth ------------------------------------------------------------------------------------

async function bearerToken(ctx: Ctx, fresh: boolean): Promise<string> {
  const got = await cachedToken(ctx.cache, TOKEN_KEY, fresh, async () => {
    const { config, secrets } = ctx;
    if (!config.tokenUrl || !config.clientId || !secrets.clientSecret) {
      throw new NodeCallError('AUTH_FAILED', 'oauth2_client_credentials needs tokenUrl, clientId and the clientSecret secret', false);
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (config.scope) form.set('scope', config.scope);
    // SAP's token services (XSUAA, SAP Cloud Identity) take the client in basic auth.
    const res = await postTokenForm(ctx, config.tokenUrl, form, {
      authorization: `Basic ${Buffer.from(`${config.clientId}:${secrets.clientSecret}`).toString('base64')}`,
    });
    if (!isOk(res)) {
      const detail = oauthErrorText(res.body);
      throw tokenEndpointFailure(res, `the SAP token endpoint refused the client: ${detail ?? res.status}`, 'the SAP token endpoint', detail);
    }
    const body = res.body as { access_token?: unknown; expires_in?: unknown };
    if (typeof body?.access_token !== 'string') throw connectorError('the SAP token endpoint answered without an access_token');
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    return { token: body.access_token, expiresAt: renewalTime(ttl) };
  });
  return got.token;
}

async function authorization(ctx: Ctx, fresh: boolean): Promise<string> {
  const { config, secrets } = ctx;
  if (config.auth === 'oauth2_client_credentials') return `Bearer ${await bearerToken(ctx, fresh)}`;
  if (!config.username || secrets.password === undefined) throw new NodeCallError('AUTH_FAILED', 'basic auth needs username and the password secret', false);
  return `Basic ${Buffer.from(`${config.username}:${secrets.password}`).toString('base64')}`;
}

// --- transport -------------------------------------------------------------------------------

/** The OData V2 error body: `{ error: { code, message: { value } } }` (SAP message class/number as code). */
function odataErrorText(body: unknown): string | undefined {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (e && typeof e === 'object') {
    const msg = e.message as { value?: unknown } | string | undefined;
    const text = typeof msg === 'string' ? msg : typeof msg?.value === 'string' ? msg.value : undefined;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code || text) return [code, text].filter(Boolean).join(': ');
  }
  if (typeof body === 'string' && body.trim() && !body.trimStart().startsWith('<')) return body.trim().slice(0, 300);
  return undefined;
}

function serviceRoot(config: SapConfig, service: string): string {
  return joinUrl(config.baseUrl, `${config.servicePath}/${service}/`);
}

function baseQuery(config: SapConfig): Record<string, string> {
  const q: Record<string, string> = {};
  if (config.client) q['sap-client'] = config.client;
  if (config.language) q['sap-language'] = config.language.toUpperCase();
  return q;
}

/**
 * One authenticated request; with OAuth a 401 (the token was revoked or expired early) gets a
 * fresh token once.
 */
async function send(ctx: Ctx, req: ConnectorHttpRequest): Promise<ConnectorHttpResponse> {
  for (let fresh = false; ; fresh = true) {
    const res = await ctx.http({ ...req, headers: { ...req.headers, authorization: await authorization(ctx, fresh), accept: 'application/json' } });
    if (res.status === 401 && !fresh && ctx.config.auth === 'oauth2_client_credentials') continue;
    return res;
  }
}

/** `set-cookie` (joined with `, ` by the HTTP layer) → a `cookie` header of the name=value pairs. */
export function cookieHeaderOf(setCookie: string | undefined): string | undefined {
  if (!setCookie) return undefined;
  // Split only before `name=`, so the comma inside an `Expires=Thu, 01 Jan …` date survives.
  const pairs = setCookie
    .split(/,(?=\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=)/)
    .map((c) => c.split(';', 1)[0]?.trim() ?? '')
    .filter((c) => c.includes('='));
  return pairs.length ? pairs.join('; ') : undefined;
}

interface Csrf {
  token: string;
  cookie?: string;
}

async function fetchCsrf(ctx: Ctx, service: string): Promise<Csrf> {
  const res = await send(ctx, { method: 'GET', url: serviceRoot(ctx.config, service), query: baseQuery(ctx.config), headers: { 'x-csrf-token': 'Fetch' } });
  if (!isOk(res)) throw vendorFailure(res, `SAP ${service} (CSRF token fetch)`, odataErrorText(res.body));
  const token = res.headers['x-csrf-token'];
  if (!token || token.toLowerCase() === 'required') throw connectorError(`SAP ${service} answered the CSRF token fetch without a token`);
  return { token, cookie: cookieHeaderOf(res.headers['set-cookie']) };
}

function csrfRequired(res: ConnectorHttpResponse): boolean {
  return res.status === 403 && (res.headers['x-csrf-token'] ?? '').toLowerCase() === 'required';
}

/**
 * One OData call to `<service root><path>`. Writes carry a freshly fetched CSRF token and its
 * session cookies.
 */
async function call(
  ctx: Ctx,
  method: ConnectorHttpRequest['method'],
  service: string,
  path: string,
  opts: { body?: unknown; query?: Record<string, string> } = {},
): Promise<ConnectorHttpResponse> {
  const url = joinUrl(serviceRoot(ctx.config, service), path);
  const query = { ...baseQuery(ctx.config), ...opts.query };
  const what = `SAP ${method} ${service}/${path.split('?')[0]}`;
  if (method === 'GET') {
    const res = await send(ctx, { method, url, query });
    if (!isOk(res)) throw vendorFailure(res, what, odataErrorText(res.body));
    return res;
  }
  for (let attempt = 0; ; attempt++) {
    const csrf = await fetchCsrf(ctx, service);
    const headers: Record<string, string> = { 'x-csrf-token': csrf.token, 'content-type': 'application/json' };
    if (csrf.cookie) headers.cookie = csrf.cookie;
    const res = await send(ctx, { method, url, query, headers, body: opts.body });
    if (csrfRequired(res) && attempt === 0) continue;
    if (!isOk(res)) throw vendorFailure(res, what, csrfRequired(res) ? 'CSRF token validation failed twice' : odataErrorText(res.body));
    return res;
  }
}

// --- OData V2 values -------------------------------------------------------------------------

/** A key predicate value: `'…'` with quotes doubled, URL-encoded inside. */
function key(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

/** A literal inside `$filter`: `'…'` with quotes doubled (the query string is encoded as a whole). */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `YYYY-MM-DD` → the OData V2 JSON date `/Date(<ms>)/` (midnight UTC, as SAP reads Edm.DateTime dates). */
function odataDate(date: string): string {
  return `/Date(${Date.parse(`${date}T00:00:00Z`)})/`;
}

/** Edm.Decimal travels as a string in OData V2 JSON. */
function decimal(value: number | string): string {
  return typeof value === 'number' ? String(value) : value;
}

const DATE_RE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/**
 * An entity as users want it in expressions: without `__metadata` and unexpanded (`__deferred`)
 * navigations, `{ results: [...] }` as plain arrays, and `/Date(ms)/` as `YYYY-MM-DD` (midnight)
 * or an ISO timestamp.
 */
export function plainEntity(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainEntity);
  if (typeof value === 'string') {
    const m = DATE_RE.exec(value);
    if (!m) return value;
    const iso = new Date(Number(m[1])).toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'results' && Array.isArray(obj.results)) return plainEntity(obj.results);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '__metadata') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && '__deferred' in v) continue;
    out[k] = plainEntity(v);
  }
  return out;
}

function entityOf(res: ConnectorHttpResponse, what: string): Record<string, unknown> {
  const d = (res.body as { d?: unknown } | undefined)?.d;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw connectorError(`${what}: the answer has no OData entity ({ d: … })`);
  return plainEntity(d) as Record<string, unknown>;
}

function entitiesOf(res: ConnectorHttpResponse, what: string): Array<Record<string, unknown>> {
  const d = (res.body as { d?: { results?: unknown } } | undefined)?.d;
  if (!d || !Array.isArray(d.results)) throw connectorError(`${what}: the answer has no OData collection ({ d: { results } })`);
  return plainEntity(d.results) as Array<Record<string, unknown>>;
}

// --- params ----------------------------------------------------------------------------------

const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
const quantity = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal')]);
const amount = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal')]);
const code = (max: number) => z.string().min(1).max(max);
/** Further OData properties sent as they are, for fields the typed params do not cover. */
const extraFields = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an OData property name'), z.unknown()).optional();

const CreatePoParams = z.strictObject({
  companyCode: code(4),
  purchaseOrderType: code(4).default('NB'),
  supplier: code(10),
  purchasingOrganization: code(4),
  purchasingGroup: code(3),
  currency: code(5).optional(),
  items: z
    .array(
      z.strictObject({
        material: code(40),
        plant: code(4),
        quantity,
        unit: code(3),
        netPrice: amount.optional(),
        storageLocation: code(4).optional(),
        /** The schedule line's delivery date. */
        deliveryDate: isoDate.optional(),
        fields: extraFields,
      }),
    )
    .min(1)
    .max(999),
  fields: extraFields,
});
type CreatePoParams = z.output<typeof CreatePoParams>;

const createPO: ConnectorOperation<CreatePoParams> = {
  description: `Creates a purchase order with its items (POST ${SAP_SERVICES.purchaseOrder}/A_PurchaseOrder, deep insert); answers the created A_PurchaseOrder.`,
  params: CreatePoParams,
  writes: true,
  async run(ctx, p) {
    const body = {
      CompanyCode: p.companyCode,
      PurchaseOrderType: p.purchaseOrderType,
      Supplier: p.supplier,
      PurchasingOrganization: p.purchasingOrganization,
      PurchasingGroup: p.purchasingGroup,
      ...(p.currency ? { DocumentCurrency: p.currency } : {}),
      ...p.fields,
      to_PurchaseOrderItem: {
        results: p.items.map((item, i) => ({
          PurchaseOrderItem: String((i + 1) * 10),
          Material: item.material,
          Plant: item.plant,
          OrderQuantity: decimal(item.quantity),
          PurchaseOrderQuantityUnit: item.unit,
          ...(item.netPrice !== undefined ? { NetPriceAmount: decimal(item.netPrice) } : {}),
          ...(item.storageLocation ? { StorageLocation: item.storageLocation } : {}),
          ...(item.deliveryDate
            ? { to_ScheduleLine: { results: [{ ScheduleLineDeliveryDate: odataDate(item.deliveryDate), ScheduleLineOrderQuantity: decimal(item.quantity) }] } }
            : {}),
          ...item.fields,
        })),
      },
    };
    const res = await call(ctx as Ctx, 'POST', SAP_SERVICES.purchaseOrder, 'A_PurchaseOrder', { body });
    const po = entityOf(res, 'SAP createPO');
    if (typeof po.PurchaseOrder !== 'string') throw connectorError('SAP created a purchase order but answered no PurchaseOrder number');
    return po;
  },
};

const GetPoParams = z.strictObject({ purchaseOrder: code(10), includeItems: z.boolean().default(true) });
type GetPoParams = z.output<typeof GetPoParams>;

const getPO: ConnectorOperation<GetPoParams> = {
  description: `Reads a purchase order (GET ${SAP_SERVICES.purchaseOrder}/A_PurchaseOrder('<id>')), with its items unless includeItems is false.`,
  params: GetPoParams,
  writes: false,
  async run(ctx, p) {
    const query: Record<string, string> = p.includeItems ? { $expand: 'to_PurchaseOrderItem' } : {};
    const res = await call(ctx as Ctx, 'GET', SAP_SERVICES.purchaseOrder, `A_PurchaseOrder(${key(p.purchaseOrder)})`, { query });
    return entityOf(res, 'SAP getPO');
  },
};

const GetMaterialParams = z.strictObject({ material: code(40), includeDescriptions: z.boolean().default(false), includePlants: z.boolean().default(false) });
type GetMaterialParams = z.output<typeof GetMaterialParams>;

const getMaterial: ConnectorOperation<GetMaterialParams> = {
  description: `Reads a material master (GET ${SAP_SERVICES.product}/A_Product('<id>')), optionally with its descriptions and plant data.`,
  params: GetMaterialParams,
  writes: false,
  async run(ctx, p) {
    const expand = [...(p.includeDescriptions ? ['to_Description'] : []), ...(p.includePlants ? ['to_Plant'] : [])];
    const res = await call(ctx as Ctx, 'GET', SAP_SERVICES.product, `A_Product(${key(p.material)})`, {
      query: expand.length ? { $expand: expand.join(',') } : {},
    });
    return entityOf(res, 'SAP getMaterial');
  },
};

/**
 * GoodsMovementCode of A_MaterialDocumentHeader: 01 goods receipt for a purchase order, 02 for a
 * production order, 03 goods issue, 04 transfer posting, 05 other goods receipts, 06 reversal,
 * 07 subsequent adjustment.
 */
const GOODS_MOVEMENT_CODES = ['01', '02', '03', '04', '05', '06', '07'] as const;

const UpdateInventoryParams = z.strictObject({
  goodsMovementCode: z.enum(GOODS_MOVEMENT_CODES),
  postingDate: isoDate.optional(),
  documentDate: isoDate.optional(),
  headerText: z.string().max(25).optional(),
  items: z
    .array(
      z.strictObject({
        material: code(40),
        plant: code(4),
        storageLocation: code(4).optional(),
        /** e.g. 101 GR for PO, 201 issue to cost center, 261 issue to order, 311 transfer, 561 initial stock entry. */
        goodsMovementType: z.string().regex(/^\d{3}$/, 'must be a three-digit movement type'),
        quantity,
        unit: code(3),
        batch: code(10).optional(),
        costCenter: code(10).optional(),
        purchaseOrder: code(10).optional(),
        purchaseOrderItem: z
          .string()
          .regex(/^\d{1,5}$/)
          .optional(),
        manufacturingOrder: code(12).optional(),
        fields: extraFields,
      }),
    )
    .min(1),
  fields: extraFields,
});
type UpdateInventoryParams = z.output<typeof UpdateInventoryParams>;

const updateInventory: ConnectorOperation<UpdateInventoryParams> = {
  description: `Posts a goods movement (POST ${SAP_SERVICES.materialDocument}/A_MaterialDocumentHeader with to_MaterialDocumentItem); answers the material document.`,
  params: UpdateInventoryParams,
  writes: true,
  async run(ctx, p) {
    const today = new Date().toISOString().slice(0, 10);
    const body = {
      GoodsMovementCode: p.goodsMovementCode,
      PostingDate: odataDate(p.postingDate ?? today),
      DocumentDate: odataDate(p.documentDate ?? p.postingDate ?? today),
      ...(p.headerText ? { MaterialDocumentHeaderText: p.headerText } : {}),
      ...p.fields,
      to_MaterialDocumentItem: {
        results: p.items.map((item) => ({
          Material: item.material,
          Plant: item.plant,
          ...(item.storageLocation ? { StorageLocation: item.storageLocation } : {}),
          GoodsMovementType: item.goodsMovementType,
          QuantityInEntryUnit: decimal(item.quantity),
          EntryUnit: item.unit,
          ...(item.batch ? { Batch: item.batch } : {}),
          ...(item.costCenter ? { CostCenter: item.costCenter } : {}),
          ...(item.purchaseOrder ? { PurchaseOrder: item.purchaseOrder } : {}),
          ...(item.purchaseOrderItem ? { PurchaseOrderItem: item.purchaseOrderItem } : {}),
          ...(item.manufacturingOrder ? { ManufacturingOrder: item.manufacturingOrder } : {}),
          ...item.fields,
        })),
      },
    };
    const res = await call(ctx as Ctx, 'POST', SAP_SERVICES.materialDocument, 'A_MaterialDocumentHeader', { body });
    const doc = entityOf(res, 'SAP updateInventory');
    if (typeof doc.MaterialDocument !== 'string') throw connectorError('SAP posted a goods movement but answered no MaterialDocument number');
    return doc;
  },
};

const CreateProductionOrderParams = z.strictObject({
  material: code(40),
  plant: code(4),
  /** e.g. PP01 (standard production order) or YBM1 in S/4HANA Cloud. */
  orderType: code(4),
  quantity,
  unit: code(3).optional(),
  plannedStartDate: isoDate.optional(),
  plannedEndDate: isoDate.optional(),
  productionVersion: code(4).optional(),
  fields: extraFields,
});
type CreateProductionOrderParams = z.output<typeof CreateProductionOrderParams>;

const createProductionOrder: ConnectorOperation<CreateProductionOrderParams> = {
  description: `Creates a production order (POST ${SAP_SERVICES.productionOrder}/A_ProductionOrder_2); answers the created order with its ManufacturingOrder number.`,
  params: CreateProductionOrderParams,
  writes: true,
  async run(ctx, p) {
    const body = {
      Material: p.material,
      ProductionPlant: p.plant,
      ManufacturingOrderType: p.orderType,
      TotalQuantity: decimal(p.quantity),
      ...(p.unit ? { ProductionUnit: p.unit } : {}),
      ...(p.plannedStartDate ? { MfgOrderPlannedStartDate: odataDate(p.plannedStartDate) } : {}),
      ...(p.plannedEndDate ? { MfgOrderPlannedEndDate: odataDate(p.plannedEndDate) } : {}),
      ...(p.productionVersion ? { ProductionVersion: p.productionVersion } : {}),
      ...p.fields,
    };
    const res = await call(ctx as Ctx, 'POST', SAP_SERVICES.productionOrder, 'A_ProductionOrder_2', { body });
    const order = entityOf(res, 'SAP createProductionOrder');
    if (typeof order.ManufacturingOrder !== 'string') throw connectorError('SAP created a production order but answered no ManufacturingOrder number');
    return order;
  },
};

const GetCostCenterParams = z.strictObject({
  controllingArea: code(4),
  costCenter: code(10),
  /** The day the cost center must be valid on (cost centers are time-dependent); default today. */
  validOn: isoDate.optional(),
});
type GetCostCenterParams = z.output<typeof GetCostCenterParams>;

const getCostCenter: ConnectorOperation<GetCostCenterParams> = {
  description: `Reads the cost center valid on a day (GET ${SAP_SERVICES.costCenter}/A_CostCenter?$filter=…); HTTP_404 when none is valid then.`,
  params: GetCostCenterParams,
  writes: false,
  async run(ctx, p) {
    // A_CostCenter's key includes ValidityEndDate, so a point read needs the validity interval.
    const day = `datetime'${p.validOn ?? new Date().toISOString().slice(0, 10)}T00:00:00'`;
    const filter = [
      `ControllingArea eq ${literal(p.controllingArea)}`,
      `CostCenter eq ${literal(p.costCenter)}`,
      `ValidityStartDate le ${day}`,
      `ValidityEndDate ge ${day}`,
    ].join(' and ');
    const res = await call(ctx as Ctx, 'GET', SAP_SERVICES.costCenter, 'A_CostCenter', { query: { $filter: filter, $top: '1' } });
    const [found] = entitiesOf(res, 'SAP getCostCenter');
    if (!found) {
      throw new NodeCallError(
        'HTTP_404',
        `SAP has no cost center ${p.costCenter} in controlling area ${p.controllingArea} valid on ${p.validOn ?? 'today'}`,
        false,
        404,
      );
    }
    return found;
  },
};

/** The SAP S/4HANA driver: OData V2 with basic auth or OAuth 2.0, CSRF-protected writes. */
export const sapDriver: ConnectorDriver = {
  type: 'sap',
  configSchema: SapConfigSchema,
  secretsSchema: SapSecretsSchema,
  validate(config, secrets) {
    const c = config as SapConfig;
    const s = secrets as SapSecrets;
    const problems: Array<{ path: string; message: string }> = [];
    if (c.auth === 'basic') {
      if (!c.username) problems.push({ path: '/config/username', message: 'basic auth needs username' });
      if (s.password === undefined) problems.push({ path: '/secrets/password', message: 'basic auth needs password' });
    } else {
      if (!c.tokenUrl) problems.push({ path: '/config/tokenUrl', message: 'oauth2_client_credentials needs tokenUrl' });
      if (!c.clientId) problems.push({ path: '/config/clientId', message: 'oauth2_client_credentials needs clientId' });
      if (!s.clientSecret) problems.push({ path: '/secrets/clientSecret', message: 'oauth2_client_credentials needs clientSecret' });
    }
    return problems;
  },
  operations: { createPO, getPO, getMaterial, updateInventory, createProductionOrder, getCostCenter },
  async testConnection(ctx) {
    const c = ctx as Ctx;
    // A CSRF token fetch is authenticated, touches no data and proves a write would get a token.
    await fetchCsrf(c, SAP_SERVICES.purchaseOrder);
    return {
      message: `authenticated with ${c.config.auth}${c.config.client ? ` in client ${c.config.client}` : ''}; ${SAP_SERVICES.purchaseOrder} issued a CSRF token`,
    };
  },
};
