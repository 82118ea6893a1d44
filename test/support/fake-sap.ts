/**
 * A loopback SAP S/4HANA that checks what SAP Gateway checks: the logon (basic auth of the
 * communication user, or a bearer token from its own client-credentials token endpoint), the
 * `sap-client`, a CSRF token on every write bound to the session cookie it was issued with, the
 * OData V2 service paths, and the business rules the tests rely on (known supplier and material,
 * enough unrestricted stock for a goods issue). Faults (any status, Retry-After, delays) can be
 * queued for the next matching requests.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FaultQueue, recordRequest, startLoopbackServer, type LoopbackFault, type LoopbackRecordedRequest } from './loopback-server';

const SERVICE_ROOT = '/sap/opu/odata/sap';

export interface SapRecordedRequest extends LoopbackRecordedRequest {
  /** `csrf-fetch` (GET with `x-csrf-token: Fetch`), `token` (the OAuth endpoint) or `data`. */
  kind: 'csrf-fetch' | 'token' | 'data';
}

/** A queued fault; without `match` it hits data requests (not CSRF fetches, not the token endpoint). */
export type FakeFault = LoopbackFault<SapRecordedRequest>;

export interface FakeSapOptions {
  client?: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
}

interface Session {
  user: string;
  client: string;
  token: string;
  valid: boolean;
}

export interface FakeSap {
  /** Host URL (the connector's `baseUrl`). */
  url: string;
  /** The OAuth token endpoint. */
  tokenUrl: string;
  requests: SapRecordedRequest[];
  purchaseOrders: Map<string, Record<string, unknown>>;
  materialDocuments: Map<string, Record<string, unknown>>;
  productionOrders: Map<string, Record<string, unknown>>;
  /** Unrestricted stock of material/plant/storage location. */
  stock(material: string, plant: string, storageLocation: string): number;
  fault(fault: FakeFault): void;
  /** The next `count` CSRF tokens expire right after they are issued (as when the session times out before the write). */
  expireNextCsrfTokens(count?: number): void;
  /** Invalidates every bearer token issued so far. */
  revokeBearerTokens(): void;
  close(): Promise<void>;
}

function odataError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(
    JSON.stringify({
      error: { code, message: { lang: 'en', value: message }, innererror: { transactionid: randomBytes(16).toString('hex').toUpperCase() } },
    }),
  );
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', dataserviceversion: '2.0', ...headers }).end(JSON.stringify(body));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function odataDateMs(value: unknown): number | undefined {
  const m = typeof value === 'string' ? /^\/Date\((-?\d+)\)\/$/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

function cookiesOf(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Key predicate `('X')` → X (quotes undoubled). */
function keyOf(segment: string, entitySet: string): string | undefined {
  const m = new RegExp(`^${entitySet}\\('((?:[^']|'')*)'\\)$`).exec(segment);
  return m?.[1]?.replace(/''/g, "'");
}

const RECEIPT_MOVEMENTS = new Set(['101', '131', '501', '521', '531', '561', '701']);
const ISSUE_MOVEMENTS = new Set(['201', '221', '241', '261', '551', '601', '702']);

export async function startFakeSap(opts: FakeSapOptions = {}): Promise<FakeSap> {
  const client = opts.client ?? '100';
  const username = opts.username ?? 'COMM_USER';
  const password = opts.password ?? 'sap-password-1';
  const clientId = opts.clientId ?? 'sb-weft-client';
  const clientSecret = opts.clientSecret ?? 'sap-client-secret-1';
  const requests: SapRecordedRequest[] = [];
  const faults = new FaultQueue<SapRecordedRequest>((r) => r.kind === 'data');
  const sessions = new Map<string, Session>();
  const bearerTokens = new Set<string>();
  let expireNext = 0;
  let seq = 0;
  const next = () => ++seq;

  const suppliers = new Set(['17300001', '17300002']);
  const products = new Map<string, Record<string, unknown>>([
    [
      'TG11',
      { Product: 'TG11', ProductType: 'HAWA', BaseUnit: 'PC', ProductGroup: 'L001', GrossWeight: '1.500', WeightUnit: 'KG', IsMarkedForDeletion: false },
    ],
    [
      'FG29',
      { Product: 'FG29', ProductType: 'FERT', BaseUnit: 'PC', ProductGroup: 'L002', GrossWeight: '12.000', WeightUnit: 'KG', IsMarkedForDeletion: false },
    ],
  ]);
  const descriptions: Record<string, string> = { TG11: 'Trading Good 11', FG29: 'Finished Good 29' };
  const costCenters = [
    {
      ControllingArea: 'A000',
      CostCenter: '10101101',
      ValidityStartDate: Date.UTC(2020, 0, 1),
      ValidityEndDate: Date.UTC(9999, 11, 31),
      CostCenterName: 'Production',
      CompanyCode: '1010',
      CostCenterCategory: 'F',
    },
    {
      ControllingArea: 'A000',
      CostCenter: '10101902',
      ValidityStartDate: Date.UTC(2020, 0, 1),
      ValidityEndDate: Date.UTC(2023, 11, 31),
      CostCenterName: 'Closed line',
      CompanyCode: '1010',
      CostCenterCategory: 'F',
    },
  ];
  const stock = new Map<string, number>([['TG11/1010/101A', 25]]);
  const purchaseOrders = new Map<string, Record<string, unknown>>();
  const materialDocuments = new Map<string, Record<string, unknown>>();
  const productionOrders = new Map<string, Record<string, unknown>>();

  let baseUrl = '';
  const meta = (service: string, path: string, type: string) => ({
    id: `${baseUrl}${SERVICE_ROOT}/${service}/${path}`,
    uri: `${baseUrl}${SERVICE_ROOT}/${service}/${path}`,
    type,
  });

  function authenticate(req: SapRecordedRequest): string | undefined {
    const auth = String(req.headers.authorization ?? '');
    if (auth.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      return user === username && sameSecret(rest.join(':'), password) ? username : undefined;
    }
    if (auth.startsWith('Bearer ') && bearerTokens.has(auth.slice(7))) return `oauth:${clientId}`;
    return undefined;
  }

  function tokenEndpoint(req: SapRecordedRequest, res: ServerResponse): void {
    const auth = String(req.headers.authorization ?? '');
    const [id, ...rest] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':') : [];
    const form = new URLSearchParams(req.body);
    if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
      return send(res, 400, { error: 'unsupported_grant_type', error_description: 'only client_credentials' });
    }
    if (id !== clientId || !sameSecret(rest.join(':'), clientSecret)) return send(res, 401, { error: 'unauthorized', error_description: 'Bad credentials' });
    const token = randomBytes(24).toString('base64url');
    bearerTokens.add(token);
    send(res, 200, { access_token: token, token_type: 'bearer', expires_in: opts.tokenTtlSeconds ?? 43199, scope: 'uaa.resource' });
  }

  /** A write needs the CSRF token of the session its cookie names, issued to the same user. */
  function csrfValid(req: SapRecordedRequest, user: string): boolean {
    const token = String(req.headers['x-csrf-token'] ?? '');
    const cookies = cookiesOf(req.headers.cookie);
    const sessionId = cookies[`SAP_SESSIONID_FAK_${client}`];
    const session = sessionId ? sessions.get(sessionId) : undefined;
    return !!session && session.valid && session.user === user && session.client === client && token.length > 0 && sameSecret(token, session.token);
  }

  function issueCsrf(res: ServerResponse, user: string): void {
    const sessionId = randomBytes(18).toString('base64url');
    const token = randomBytes(18).toString('base64');
    const valid = expireNext === 0;
    if (!valid) expireNext--;
    sessions.set(sessionId, { user, client, token, valid });
    res.setHeader('x-csrf-token', token);
    res.setHeader('set-cookie', [
      `SAP_SESSIONID_FAK_${client}=${sessionId}; path=/; secure; HttpOnly`,
      `sap-usercontext=sap-client=${client}; path=/; expires=Thu, 01 Jan 2099 00:00:00 GMT`,
    ]);
  }

  type Handler = (req: SapRecordedRequest, res: ServerResponse, rest: string[]) => void;

  function parseJson(req: SapRecordedRequest, res: ServerResponse): Record<string, unknown> | undefined {
    if (!/application\/json/.test(String(req.headers['content-type'] ?? ''))) {
      odataError(res, 415, '/IWFND/CM_MGW/004', 'Content type not supported');
      return undefined;
    }
    try {
      const body = JSON.parse(req.body) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    odataError(res, 400, '/IWBEP/CM_MGW_RT/004', 'Malformed URI literal syntax');
    return undefined;
  }

  const results = (v: unknown): Array<Record<string, unknown>> => {
    const r = (v as { results?: unknown } | undefined)?.results ?? v;
    return Array.isArray(r) ? (r as Array<Record<string, unknown>>) : [];
  };
  const positive = (v: unknown) => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0;

  const services: Record<string, Handler> = {
    API_PURCHASEORDER_PROCESS_SRV(req, res, [segment]) {
      const svc = 'API_PURCHASEORDER_PROCESS_SRV';
      if (req.method === 'POST' && segment === 'A_PurchaseOrder') {
        const body = parseJson(req, res);
        if (!body) return;
        for (const f of ['CompanyCode', 'PurchaseOrderType', 'PurchasingOrganization', 'PurchasingGroup']) {
          if (typeof body[f] !== 'string' || body[f] === '') return odataError(res, 400, 'ME/083', `Enter ${f}`);
        }
        if (typeof body.Supplier !== 'string' || !suppliers.has(body.Supplier))
          return odataError(res, 400, 'ME/062', `Supplier ${String(body.Supplier)} does not exist`);
        const items = results(body.to_PurchaseOrderItem);
        if (items.length === 0) return odataError(res, 400, 'ME/115', 'Purchase order contains no items');
        for (const item of items) {
          if (!products.has(String(item.Material))) return odataError(res, 400, 'M3/305', `Material ${String(item.Material)} does not exist`);
          if (!positive(item.OrderQuantity)) return odataError(res, 400, 'ME/081', 'Enter a quantity greater than zero');
          if (typeof item.Plant !== 'string') return odataError(res, 400, 'ME/083', 'Enter Plant');
          const lines = results(item.to_ScheduleLine);
          if (lines.some((l) => odataDateMs(l.ScheduleLineDeliveryDate) === undefined))
            return odataError(res, 400, '/IWBEP/CM_MGW_RT/021', 'Invalid date format');
        }
        const id = String(4500000000 + next());
        const po = {
          __metadata: meta(svc, `A_PurchaseOrder('${id}')`, `${svc}.A_PurchaseOrderType`),
          PurchaseOrder: id,
          CompanyCode: body.CompanyCode,
          PurchaseOrderType: body.PurchaseOrderType,
          Supplier: body.Supplier,
          PurchasingOrganization: body.PurchasingOrganization,
          PurchasingGroup: body.PurchasingGroup,
          DocumentCurrency: body.DocumentCurrency ?? 'EUR',
          PurchaseOrderDate: `/Date(${Date.UTC(2026, 10, 24)})/`,
          CreatedByUser: username,
          to_PurchaseOrderItem: {
            results: items.map((item) => ({
              __metadata: meta(
                svc,
                `A_PurchaseOrderItem(PurchaseOrder='${id}',PurchaseOrderItem='${String(item.PurchaseOrderItem)}')`,
                `${svc}.A_PurchaseOrderItemType`,
              ),
              PurchaseOrder: id,
              PurchaseOrderItem: item.PurchaseOrderItem,
              Material: item.Material,
              Plant: item.Plant,
              OrderQuantity: item.OrderQuantity,
              PurchaseOrderQuantityUnit: item.PurchaseOrderQuantityUnit,
              NetPriceAmount: item.NetPriceAmount ?? '0.00',
              to_ScheduleLine: { results: results(item.to_ScheduleLine) },
            })),
          },
        };
        purchaseOrders.set(id, po);
        return send(res, 201, { d: po }, { location: po.__metadata.uri });
      }
      const id = segment ? keyOf(segment, 'A_PurchaseOrder') : undefined;
      if (req.method === 'GET' && id !== undefined) {
        const po = purchaseOrders.get(id);
        if (!po) return odataError(res, 404, 'ME/006', `Purchase order ${id} does not exist`);
        const expanded = (req.query.$expand ?? '').split(',').includes('to_PurchaseOrderItem');
        const out = expanded
          ? po
          : { ...po, to_PurchaseOrderItem: { __deferred: { uri: `${String((po.__metadata as { uri: string }).uri)}/to_PurchaseOrderItem` } } };
        return send(res, 200, { d: out });
      }
      return notFound(res, segment);
    },
    API_PRODUCT_SRV(req, res, [segment]) {
      const id = segment ? keyOf(segment, 'A_Product') : undefined;
      if (req.method !== 'GET' || id === undefined) return notFound(res, segment);
      const p = products.get(id);
      if (!p) return odataError(res, 404, '/IWBEP/CM_MGW_RT/021', `Resource not found for segment 'A_ProductType'`);
      const expand = (req.query.$expand ?? '').split(',');
      const svc = 'API_PRODUCT_SRV';
      const uri = `${baseUrl}${SERVICE_ROOT}/${svc}/A_Product('${id}')`;
      return send(res, 200, {
        d: {
          __metadata: meta(svc, `A_Product('${id}')`, `${svc}.A_ProductType`),
          ...p,
          to_Description: expand.includes('to_Description')
            ? { results: [{ Product: id, Language: 'EN', ProductDescription: descriptions[id] ?? id }] }
            : { __deferred: { uri: `${uri}/to_Description` } },
          to_Plant: expand.includes('to_Plant') ? { results: [{ Product: id, Plant: '1010', MRPType: 'PD' }] } : { __deferred: { uri: `${uri}/to_Plant` } },
        },
      });
    },
    API_MATERIAL_DOCUMENT_SRV(req, res, [segment]) {
      if (req.method !== 'POST' || segment !== 'A_MaterialDocumentHeader') return notFound(res, segment);
      const body = parseJson(req, res);
      if (!body) return;
      if (!['01', '02', '03', '04', '05', '06', '07'].includes(String(body.GoodsMovementCode)))
        return odataError(res, 400, 'M7/001', 'Goods movement code is invalid');
      if (odataDateMs(body.PostingDate) === undefined) return odataError(res, 400, '/IWBEP/CM_MGW_RT/021', 'Invalid PostingDate');
      const items = results(body.to_MaterialDocumentItem);
      if (items.length === 0) return odataError(res, 400, 'M7/036', 'No items transferred');
      const changes = new Map<string, number>();
      for (const item of items) {
        const material = String(item.Material);
        if (!products.has(material)) return odataError(res, 400, 'M3/305', `Material ${material} does not exist`);
        if (!positive(item.QuantityInEntryUnit)) return odataError(res, 400, 'M7/002', 'Enter a quantity');
        const mvt = String(item.GoodsMovementType);
        const sign = RECEIPT_MOVEMENTS.has(mvt) ? 1 : ISSUE_MOVEMENTS.has(mvt) ? -1 : 0;
        if (sign === 0) return odataError(res, 400, 'M7/034', `Movement type ${mvt} is not supported here`);
        const k = `${material}/${String(item.Plant)}/${String(item.StorageLocation ?? '')}`;
        changes.set(k, (changes.get(k) ?? stock.get(k) ?? 0) + sign * Number(item.QuantityInEntryUnit));
        const after = changes.get(k) ?? 0;
        if (after < 0) {
          return odataError(
            res,
            400,
            'M7/021',
            `Deficit of SL Unrestricted-use ${-after} ${String(item.EntryUnit)} : ${material} ${String(item.Plant)} ${String(item.StorageLocation ?? '')}`,
          );
        }
      }
      for (const [k, v] of changes) stock.set(k, v);
      const svc = 'API_MATERIAL_DOCUMENT_SRV';
      const id = String(4900000000 + next());
      const year = new Date(odataDateMs(body.PostingDate) ?? Date.now()).getUTCFullYear().toString();
      const doc = {
        __metadata: meta(svc, `A_MaterialDocumentHeader(MaterialDocumentYear='${year}',MaterialDocument='${id}')`, `${svc}.A_MaterialDocumentHeaderType`),
        MaterialDocumentYear: year,
        MaterialDocument: id,
        GoodsMovementCode: body.GoodsMovementCode,
        PostingDate: body.PostingDate,
        DocumentDate: body.DocumentDate,
        MaterialDocumentHeaderText: body.MaterialDocumentHeaderText ?? '',
        to_MaterialDocumentItem: {
          results: items.map((item, i) => ({ MaterialDocumentYear: year, MaterialDocument: id, MaterialDocumentItem: String(i + 1), ...item })),
        },
      };
      materialDocuments.set(id, doc);
      return send(res, 201, { d: doc }, { location: doc.__metadata.uri });
    },
    API_PRODUCTION_ORDER_2_SRV(req, res, [segment]) {
      if (req.method !== 'POST' || segment !== 'A_ProductionOrder_2') return notFound(res, segment);
      const body = parseJson(req, res);
      if (!body) return;
      if (!products.has(String(body.Material)))
        return odataError(res, 400, 'CO/004', `Material ${String(body.Material)} does not exist in plant ${String(body.ProductionPlant)}`);
      if (typeof body.ManufacturingOrderType !== 'string') return odataError(res, 400, 'CO/010', 'Enter an order type');
      if (!positive(body.TotalQuantity)) return odataError(res, 400, 'CO/017', 'Enter a total quantity greater than zero');
      const svc = 'API_PRODUCTION_ORDER_2_SRV';
      const id = String(1000000 + next());
      const order = {
        __metadata: meta(svc, `A_ProductionOrder_2('${id}')`, `${svc}.A_ProductionOrder_2Type`),
        ManufacturingOrder: id,
        ManufacturingOrderCategory: '10',
        ManufacturingOrderType: body.ManufacturingOrderType,
        Material: body.Material,
        ProductionPlant: body.ProductionPlant,
        TotalQuantity: body.TotalQuantity,
        ProductionUnit: body.ProductionUnit ?? String(products.get(String(body.Material))?.BaseUnit ?? 'PC'),
        MfgOrderPlannedStartDate: body.MfgOrderPlannedStartDate ?? null,
        MfgOrderPlannedEndDate: body.MfgOrderPlannedEndDate ?? null,
        OrderIsCreated: 'X',
        OrderIsReleased: '',
      };
      productionOrders.set(id, order);
      return send(res, 201, { d: order }, { location: order.__metadata.uri });
    },
    API_COSTCENTER_SRV(req, res, [segment]) {
      if (req.method !== 'GET' || segment !== 'A_CostCenter') return notFound(res, segment);
      const filter = req.query.$filter ?? '';
      const str = (field: string) => new RegExp(`${field} eq '((?:[^']|'')*)'`).exec(filter)?.[1]?.replace(/''/g, "'");
      const date = (field: string, op: string) => {
        const m = new RegExp(`${field} ${op} datetime'(\\d{4}-\\d{2}-\\d{2})T00:00:00'`).exec(filter);
        return m ? Date.parse(`${m[1]}T00:00:00Z`) : undefined;
      };
      const area = str('ControllingArea');
      const center = str('CostCenter');
      const from = date('ValidityStartDate', 'le');
      const to = date('ValidityEndDate', 'ge');
      if (filter && (area === undefined || center === undefined)) return odataError(res, 400, '/IWBEP/CM_MGW_RT/022', 'Invalid filter expression');
      const svc = 'API_COSTCENTER_SRV';
      const found = costCenters
        .filter((c) => (area === undefined || c.ControllingArea === area) && (center === undefined || c.CostCenter === center))
        .filter((c) => (from === undefined || c.ValidityStartDate <= from) && (to === undefined || c.ValidityEndDate >= to))
        .slice(0, Number(req.query.$top ?? 1000))
        .map((c) => ({
          __metadata: meta(svc, `A_CostCenter(ControllingArea='${c.ControllingArea}',CostCenter='${c.CostCenter}')`, `${svc}.A_CostCenterType`),
          ...c,
          ValidityStartDate: `/Date(${c.ValidityStartDate})/`,
          ValidityEndDate: `/Date(${c.ValidityEndDate})/`,
        }));
      return send(res, 200, { d: { results: found } });
    },
  };

  function notFound(res: ServerResponse, segment: string | undefined): void {
    odataError(res, 404, '/IWBEP/CM_MGW_RT/021', `Resource not found for segment '${segment ?? ''}'`);
  }

  async function route(req: SapRecordedRequest, res: ServerResponse): Promise<void> {
    if (req.kind === 'token') return tokenEndpoint(req, res);
    const fault = await faults.take(req);
    if (fault) {
      if (fault.body !== undefined) return send(res, fault.status, fault.body, fault.headers);
      return odataError(res, fault.status, fault.status >= 500 ? '/IWBEP/CM_MGW_RT/020' : 'FAKE/429', `injected ${fault.status}`, fault.headers);
    }
    if (!req.path.startsWith(`${SERVICE_ROOT}/`)) return notFound(res, req.path);
    // SAP logs on to one client; the communication user exists only in the configured one.
    if (req.query['sap-client'] !== client) {
      return void res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': `Basic realm="SAP NetWeaver Application Server [FAK/${client}]"` })
        .end('Logon failed');
    }
    const user = authenticate(req);
    if (!user)
      return void res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': `Basic realm="SAP NetWeaver Application Server [FAK/${client}]"` })
        .end('Logon failed');
    const [service, ...rest] = req.path.slice(SERVICE_ROOT.length + 1).split('/');
    const handler = service ? Object.prototype.hasOwnProperty.call(services, service) && services[service] : undefined;
    if (!handler) return odataError(res, 404, '/IWFND/MED/170', `No service found for namespace '', name '${service ?? ''}', version '0001'`);
    const accept = String(req.headers.accept ?? '');
    if (!/json/.test(accept) && req.query.$format !== 'json') {
      return void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end('<?xml version="1.0" encoding="utf-8"?><feed/>');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfValid(req, user)) {
      return void res.writeHead(403, { 'content-type': 'text/plain', 'x-csrf-token': 'Required' }).end('CSRF token validation failed');
    }
    if (req.kind === 'csrf-fetch') issueCsrf(res, user);
    const path = rest.filter((s) => s !== '');
    if (req.method === 'GET' && path.length === 0) {
      return send(res, 200, { d: { EntitySets: ['A_PurchaseOrder', 'A_Product', 'A_MaterialDocumentHeader', 'A_ProductionOrder_2', 'A_CostCenter'] } });
    }
    handler(
      req,
      res,
      path.map((s) => decodeURIComponent(s)),
    );
  }

  const server = await startLoopbackServer((req, url, body, res) => {
    const kind: SapRecordedRequest['kind'] =
      url.pathname === '/oauth/token' ? 'token' : String(req.headers['x-csrf-token'] ?? '').toLowerCase() === 'fetch' ? 'csrf-fetch' : 'data';
    const rec: SapRecordedRequest = Object.assign(recordRequest(req, url, body, res), { kind });
    requests.push(rec);
    route(rec, res).catch((err: unknown) => {
      if (!res.headersSent) odataError(res, 500, 'FAKE/500', String(err));
    });
  });
  baseUrl = server.url;

  return {
    url: baseUrl,
    tokenUrl: `${baseUrl}/oauth/token`,
    requests,
    purchaseOrders,
    materialDocuments,
    productionOrders,
    stock: (material, plant, storageLocation) => stock.get(`${material}/${plant}/${storageLocation}`) ?? 0,
    fault(f) {
      faults.add(f);
    },
    expireNextCsrfTokens(count = 1) {
      expireNext += count;
    },
    revokeBearerTokens() {
      bearerTokens.clear();
    },
    close: server.close,
  };
}
