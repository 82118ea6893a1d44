/**
 * The SAP and NetSuite drivers over real HTTP against loopback vendors that check what SAP
 * Gateway and NetSuite check (logon, sap-client, CSRF token + session cookie on writes, OData
 * paths; OAuth 1.0a signatures verified independently, realm, replayed nonces). Every operation's
 * happy path, the CSRF refetch, the failure codes (AUTH_FAILED, RATE_LIMITED with Retry-After,
 * retryable HTTP_500, non-retryable HTTP_400), and NetSuite's idempotency key. The runs through
 * published graphs are in connectors-sap-netsuite.e2e.test.ts.
 */
import { request as httpRequest } from 'node:http';
import { NodeCallError } from '../../../src/domain/node-call-error';
import type { ConnectorContext } from '../../../src/domain/connectors/driver';
import { netsuiteDriver } from '../../../src/domain/connectors/netsuite';
import { sapDriver } from '../../../src/domain/connectors/sap';
import { directConnectorContext, runOperation } from '../../support/connector-context';
import { startFakeNetSuite, type FakeNetSuite } from '../../support/fake-netsuite';
import { startFakeSap, type FakeSap } from '../../support/fake-sap';

async function failureOf(p: Promise<unknown>): Promise<NodeCallError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NodeCallError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A raw request to a fake, bypassing the drivers (to prove what the fake itself refuses). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('SAP S/4HANA OData driver', () => {
  let sap: FakeSap;
  const basic = () => ({ baseUrl: sap.url, client: '100', auth: 'basic', username: 'COMM_USER' });
  const ctxOf = (over: Record<string, unknown> = {}, secrets: Record<string, unknown> = { password: 'sap-password-1' }, extra: { timeoutMs?: number } = {}) =>
    directConnectorContext(sapDriver, { config: { ...basic(), ...over }, secrets, ...extra });
  const run = (ctx: ConnectorContext, op: string, params: unknown) => runOperation(sapDriver, ctx, op, params);
  const po = {
    companyCode: '1010',
    supplier: '17300001',
    purchasingOrganization: '1010',
    purchasingGroup: '001',
    currency: 'EUR',
    items: [
      { material: 'TG11', plant: '1010', quantity: 10, unit: 'PC', netPrice: '12.50', deliveryDate: '2026-12-15' },
      { material: 'FG29', plant: '1010', quantity: '2.5', unit: 'PC' },
    ],
  };

  beforeAll(async () => {
    sap = await startFakeSap();
  });
  afterAll(async () => {
    await sap?.close();
  });
  beforeEach(() => {
    sap.requests.length = 0;
  });

  test('createPO fetches a CSRF token and sends it with the session cookie; getPO reads the order back', async () => {
    const ctx = ctxOf();
    const created = (await run(ctx, 'createPO', po)) as Record<string, any>;
    expect(created.PurchaseOrder).toMatch(/^45\d{8}$/);
    expect(created).toMatchObject({ Supplier: '17300001', CompanyCode: '1010', PurchaseOrderType: 'NB', PurchaseOrderDate: '2026-11-24' });
    expect(created).not.toHaveProperty('__metadata');
    expect(created.to_PurchaseOrderItem).toHaveLength(2);
    expect(created.to_PurchaseOrderItem[0]).toMatchObject({ PurchaseOrderItem: '10', Material: 'TG11', OrderQuantity: '10', NetPriceAmount: '12.50' });
    expect(created.to_PurchaseOrderItem[0].to_ScheduleLine).toEqual([{ ScheduleLineDeliveryDate: '2026-12-15', ScheduleLineOrderQuantity: '10' }]);

    const [fetch, post] = sap.requests;
    expect(sap.requests.map((r) => `${r.kind} ${r.method} ${r.path} ${r.status}`)).toEqual([
      'csrf-fetch GET /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/ 200',
      'data POST /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder 201',
    ]);
    for (const r of sap.requests) {
      expect(r.query['sap-client']).toBe('100');
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('COMM_USER:sap-password-1').toString('base64')}`);
    }
    expect(post!.headers['x-csrf-token']).toEqual(expect.any(String));
    expect(post!.headers.cookie).toMatch(/SAP_SESSIONID_FAK_100=[^;]+; sap-usercontext=sap-client=100/);
    expect(fetch!.headers['x-csrf-token']).toBe('Fetch');
    const sent = JSON.parse(post!.body);
    expect(sent.to_PurchaseOrderItem.results[0].to_ScheduleLine.results[0].ScheduleLineDeliveryDate).toBe(`/Date(${Date.UTC(2026, 11, 15)})/`);

    sap.requests.length = 0;
    const read = (await run(ctx, 'getPO', { purchaseOrder: created.PurchaseOrder })) as Record<string, any>;
    expect(read).toMatchObject({ PurchaseOrder: created.PurchaseOrder, Supplier: '17300001' });
    expect(read.to_PurchaseOrderItem.map((i: { Material: string }) => i.Material)).toEqual(['TG11', 'FG29']);
    // A read needs no CSRF token.
    expect(sap.requests.map((r) => `${r.kind} ${r.method} ${r.path}`)).toEqual([
      `data GET /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('${created.PurchaseOrder}')`,
    ]);
    expect(sap.requests[0]!.query.$expand).toBe('to_PurchaseOrderItem');
    const header = (await run(ctx, 'getPO', { purchaseOrder: created.PurchaseOrder, includeItems: false })) as Record<string, unknown>;
    expect(header).not.toHaveProperty('to_PurchaseOrderItem');

    const missing = await failureOf(run(ctx, 'getPO', { purchaseOrder: '4599999999' }));
    expect(missing).toMatchObject({ code: 'HTTP_404', retryable: false });
    expect(missing.message).toContain('ME/006');
  });

  test('getMaterial, getCostCenter and createProductionOrder use their services', async () => {
    const ctx = ctxOf();
    const material = (await run(ctx, 'getMaterial', { material: 'TG11', includeDescriptions: true })) as Record<string, any>;
    expect(material).toMatchObject({
      Product: 'TG11',
      ProductType: 'HAWA',
      BaseUnit: 'PC',
      to_Description: [{ Language: 'EN', ProductDescription: 'Trading Good 11' }],
    });
    expect(material).not.toHaveProperty('to_Plant');
    expect(sap.requests[0]!.path).toBe("/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product('TG11')");
    expect(await failureOf(run(ctx, 'getMaterial', { material: "NO'PE" }))).toMatchObject({ code: 'HTTP_404', retryable: false });

    const cc = (await run(ctx, 'getCostCenter', { controllingArea: 'A000', costCenter: '10101101' })) as Record<string, unknown>;
    expect(cc).toMatchObject({ CostCenter: '10101101', CostCenterName: 'Production', ValidityStartDate: '2020-01-01', ValidityEndDate: '9999-12-31' });
    const filter = sap.requests.at(-1)!.query.$filter;
    expect(filter).toMatch(
      /^ControllingArea eq 'A000' and CostCenter eq '10101101' and ValidityStartDate le datetime'\d{4}-\d{2}-\d{2}T00:00:00' and ValidityEndDate ge/,
    );
    // Valid until 2023 only: found on a day in 2022, not today.
    expect(await run(ctx, 'getCostCenter', { controllingArea: 'A000', costCenter: '10101902', validOn: '2022-06-01' })).toMatchObject({
      CostCenterName: 'Closed line',
    });
    expect(await failureOf(run(ctx, 'getCostCenter', { controllingArea: 'A000', costCenter: '10101902' }))).toMatchObject({
      code: 'HTTP_404',
      retryable: false,
    });

    sap.requests.length = 0;
    const order = (await run(ctx, 'createProductionOrder', {
      material: 'FG29',
      plant: '1010',
      orderType: 'YBM1',
      quantity: 40,
      plannedStartDate: '2026-12-01',
      plannedEndDate: '2026-12-03',
    })) as Record<string, unknown>;
    expect(order).toMatchObject({
      ManufacturingOrder: expect.stringMatching(/^\d{7}$/),
      Material: 'FG29',
      TotalQuantity: '40',
      MfgOrderPlannedEndDate: '2026-12-03',
    });
    expect(sap.productionOrders.has(order.ManufacturingOrder as string)).toBe(true);
    expect(sap.requests.map((r) => `${r.kind} ${r.path}`)).toEqual([
      'csrf-fetch /sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/',
      'data /sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/A_ProductionOrder_2',
    ]);
  });

  test('updateInventory posts goods movements; a goods issue beyond stock is a non-retryable HTTP_400 that changes nothing', async () => {
    const ctx = ctxOf();
    expect(sap.stock('TG11', '1010', '101A')).toBe(25);
    const receipt = (await run(ctx, 'updateInventory', {
      goodsMovementCode: '05',
      postingDate: '2026-11-24',
      headerText: 'initial entry',
      items: [{ material: 'TG11', plant: '1010', storageLocation: '101A', goodsMovementType: '561', quantity: 15, unit: 'PC' }],
    })) as Record<string, any>;
    expect(receipt).toMatchObject({ MaterialDocument: expect.stringMatching(/^49\d{8}$/), MaterialDocumentYear: '2026', PostingDate: '2026-11-24' });
    expect(receipt.to_MaterialDocumentItem[0]).toMatchObject({ Material: 'TG11', GoodsMovementType: '561', QuantityInEntryUnit: '15' });
    expect(sap.stock('TG11', '1010', '101A')).toBe(40);
    expect(sap.requests.at(-1)!.path).toBe('/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader');

    const issue = {
      goodsMovementCode: '03',
      items: [{ material: 'TG11', plant: '1010', storageLocation: '101A', goodsMovementType: '201', quantity: 41, unit: 'PC', costCenter: '10101101' }],
    };
    const deficit = await failureOf(run(ctx, 'updateInventory', issue));
    expect(deficit).toMatchObject({ code: 'HTTP_400', retryable: false, status: 400 });
    expect(deficit.message).toContain('M7/021: Deficit of SL Unrestricted-use 1 PC');
    expect(sap.stock('TG11', '1010', '101A')).toBe(40);
    await run(ctx, 'updateInventory', { ...issue, items: [{ ...issue.items[0], quantity: 40 }] });
    expect(sap.stock('TG11', '1010', '101A')).toBe(0);
  });

  test('a CSRF token that expired before the write is fetched again once; expired twice it fails AUTH_FAILED', async () => {
    const ctx = ctxOf();
    sap.expireNextCsrfTokens(1);
    const created = (await run(ctx, 'createPO', po)) as Record<string, unknown>;
    expect(sap.purchaseOrders.has(created.PurchaseOrder as string)).toBe(true);
    expect(sap.requests.map((r) => `${r.kind} ${r.method} ${r.status}`)).toEqual([
      'csrf-fetch GET 200',
      'data POST 403',
      'csrf-fetch GET 200',
      'data POST 201',
    ]);
    expect(sap.requests[1]!.headers['x-csrf-token']).toEqual(expect.any(String));
    expect(sap.requests[3]!.headers['x-csrf-token']).not.toBe(sap.requests[1]!.headers['x-csrf-token']);
    expect(sap.requests[3]!.headers.cookie).not.toBe(sap.requests[1]!.headers.cookie);

    sap.requests.length = 0;
    const count = sap.purchaseOrders.size;
    sap.expireNextCsrfTokens(2);
    const refused = await failureOf(run(ctx, 'createPO', po));
    expect(refused).toMatchObject({ code: 'AUTH_FAILED', retryable: false, status: 403 });
    expect(refused.message).toContain('CSRF');
    expect(sap.requests.map((r) => `${r.kind} ${r.status}`)).toEqual(['csrf-fetch 200', 'data 403', 'csrf-fetch 200', 'data 403']);
    expect(sap.purchaseOrders.size).toBe(count);
  });

  test("the fake refuses writes without a token, with another session's cookie, or outside the sap-client", async () => {
    const auth = {
      authorization: `Basic ${Buffer.from('COMM_USER:sap-password-1').toString('base64')}`,
      accept: 'application/json',
      'content-type': 'application/json',
    };
    const root = `${sap.url}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/`;
    const a = await raw(`${root}?sap-client=100`, 'GET', { ...auth, 'x-csrf-token': 'Fetch' });
    const b = await raw(`${root}?sap-client=100`, 'GET', { ...auth, 'x-csrf-token': 'Fetch' });
    const cookieOf = (r: typeof a) => (r.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]).join('; ');
    const body = JSON.stringify({
      CompanyCode: '1010',
      PurchaseOrderType: 'NB',
      Supplier: '17300001',
      PurchasingOrganization: '1010',
      PurchasingGroup: '001',
      to_PurchaseOrderItem: [{ Material: 'TG11', Plant: '1010', OrderQuantity: '1' }],
    });
    const post = (headers: Record<string, string>) => raw(`${root}A_PurchaseOrder?sap-client=100`, 'POST', { ...auth, ...headers }, body);
    const none = await post({});
    expect(none.status).toBe(403);
    expect(none.headers['x-csrf-token']).toBe('Required');
    expect((await post({ 'x-csrf-token': String(a.headers['x-csrf-token']), cookie: cookieOf(b) })).status).toBe(403);
    expect((await post({ 'x-csrf-token': String(a.headers['x-csrf-token']) })).status).toBe(403);
    expect((await post({ 'x-csrf-token': String(a.headers['x-csrf-token']), cookie: cookieOf(a) })).status).toBe(201);

    const wrongClient = await failureOf(run(ctxOf({ client: '200' }), 'getMaterial', { material: 'TG11' }));
    expect(wrongClient).toMatchObject({ code: 'AUTH_FAILED', status: 401, retryable: false });
    const wrongPassword = await failureOf(run(ctxOf({}, { password: 'nope' }), 'getMaterial', { material: 'TG11' }));
    expect(wrongPassword).toMatchObject({ code: 'AUTH_FAILED', status: 401 });
    expect(wrongPassword.message).not.toContain('nope');
  });

  test('OAuth 2.0 client credentials: one token for several calls, renewed once when revoked; a wrong secret is AUTH_FAILED', async () => {
    const oauth = { auth: 'oauth2_client_credentials', username: undefined, tokenUrl: sap.tokenUrl, clientId: 'sb-weft-client' };
    const ctx = ctxOf(oauth, { clientSecret: 'sap-client-secret-1' });
    await run(ctx, 'getMaterial', { material: 'FG29' });
    await run(ctx, 'createPO', po);
    expect(sap.requests.map((r) => r.kind)).toEqual(['token', 'data', 'csrf-fetch', 'data']);
    const bearer = sap.requests[1]!.headers.authorization;
    expect(bearer).toMatch(/^Bearer \S+$/);
    expect(sap.requests[3]!.headers.authorization).toBe(bearer);

    sap.requests.length = 0;
    sap.revokeBearerTokens();
    await run(ctx, 'getMaterial', { material: 'FG29' });
    expect(sap.requests.map((r) => `${r.kind} ${r.status}`)).toEqual(['data 401', 'token 200', 'data 200']);

    const wrong = await failureOf(run(ctxOf(oauth, { clientSecret: 'wrong-secret' }), 'getMaterial', { material: 'FG29' }));
    expect(wrong).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(wrong.message).toContain('Bad credentials');
    expect(wrong.message).not.toContain('wrong-secret');
  });

  test('429 is RATE_LIMITED with Retry-After, 500 a retryable HTTP_500, 400 a non-retryable HTTP_400, a slow answer TIMEOUT', async () => {
    const ctx = ctxOf();
    sap.fault({ status: 429, retryAfter: 7 });
    expect(await failureOf(run(ctx, 'getMaterial', { material: 'TG11' }))).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 7000,
      status: 429,
    });

    sap.fault({ status: 500 });
    const e500 = await failureOf(run(ctx, 'createPO', po));
    expect(e500).toMatchObject({ code: 'HTTP_500', retryable: true, status: 500 });
    expect(e500.message).toContain('/IWBEP/CM_MGW_RT/020');
    // The fault was spent: the same call now succeeds.
    expect(await run(ctx, 'createPO', po)).toHaveProperty('PurchaseOrder');

    const e400 = await failureOf(run(ctx, 'createPO', { ...po, supplier: '99999999' }));
    expect(e400).toMatchObject({ code: 'HTTP_400', retryable: false });
    expect(e400.message).toContain('ME/062: Supplier 99999999 does not exist');

    sap.fault({ delayMs: 1500 });
    expect(await failureOf(run(ctxOf({}, undefined, { timeoutMs: 300 }), 'getMaterial', { material: 'TG11' }))).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
  });

  test('testConnection proves the logon and the CSRF token fetch', async () => {
    await expect(sapDriver.testConnection(ctxOf())).resolves.toEqual({ message: expect.stringContaining('client 100') });
    expect(await failureOf(sapDriver.testConnection(ctxOf({}, { password: 'bad' })))).toMatchObject({ code: 'AUTH_FAILED' });
    expect(sapDriver.validate?.(sapDriver.configSchema.parse({ baseUrl: sap.url, auth: 'basic' }), {})).toEqual([
      { path: '/config/username', message: 'basic auth needs username' },
      { path: '/secrets/password', message: 'basic auth needs password' },
    ]);
  });
});

/** What a NetSuite create answers. */
interface Created {
  id: string;
  recordType: string;
  location: string;
}

describe('NetSuite SuiteTalk REST driver', () => {
  let ns: FakeNetSuite;
  const config = () => ({ accountId: '1234567_SB1', baseUrl: ns.url, consumerKey: ns.consumerKey, tokenId: ns.tokenId });
  const secrets = () => ({ consumerSecret: ns.consumerSecret, tokenSecret: ns.tokenSecret });
  const ctxOf = (over: { config?: Record<string, unknown>; secrets?: Record<string, unknown>; idempotencyKey?: string } = {}) =>
    directConnectorContext(netsuiteDriver, {
      config: { ...config(), ...over.config },
      secrets: { ...secrets(), ...over.secrets },
      idempotencyKey: over.idempotencyKey,
    });
  const run = (ctx: ConnectorContext, op: string, params: unknown) => runOperation(netsuiteDriver, ctx, op, params);

  beforeAll(async () => {
    ns = await startFakeNetSuite();
  });
  afterAll(async () => {
    await ns?.close();
  });
  beforeEach(() => {
    ns.requests.length = 0;
    ns.authFailures.length = 0;
  });

  test('createCustomer and createSalesOrder answer the id from Location; getSalesOrder reads it back with its lines', async () => {
    const customer = (await run(ctxOf(), 'createCustomer', {
      companyName: 'Weft Works',
      email: 'buyer@weft.example',
      subsidiaryId: '1',
      externalId: 'WW-1',
    })) as Created;
    expect(customer).toEqual({
      id: expect.stringMatching(/^\d+$/),
      recordType: 'customer',
      location: `${ns.url}/services/rest/record/v1/customer/${customer.id}`,
    });
    expect(ns.records('customer').get(customer.id)).toMatchObject({
      companyName: 'Weft Works',
      email: 'buyer@weft.example',
      subsidiary: { id: '1' },
      isPerson: false,
    });

    const order = (await run(ctxOf(), 'createSalesOrder', {
      customerId: customer.id,
      tranDate: '2026-11-24',
      memo: 'line order',
      externalId: 'SO-EXT-1',
      items: [
        { itemId: '501', quantity: 4 },
        { itemId: 502, quantity: 1, rate: 35 },
      ],
    })) as Created;
    expect(order.recordType).toBe('salesOrder');
    const post = ns.requests.at(-1)!;
    expect(post.status).toBe(204);
    expect(JSON.parse(post.body)).toEqual({
      entity: { id: customer.id },
      tranDate: '2026-11-24',
      memo: 'line order',
      externalId: 'SO-EXT-1',
      item: {
        items: [
          { item: { id: '501' }, quantity: 4 },
          { item: { id: '502' }, quantity: 1, rate: 35 },
        ],
      },
    });

    const read = (await run(ctxOf(), 'getSalesOrder', { id: order.id })) as Record<string, any>;
    expect(read).toMatchObject({ id: order.id, tranId: `SO${order.id}`, entity: { id: customer.id, refName: 'Weft Works' }, total: 85 });
    expect(read.item.items.map((l: { item: { refName: string }; amount: number }) => [l.item.refName, l.amount])).toEqual([
      ['Widget A', 50],
      ['Widget B', 35],
    ]);
    expect(read).not.toHaveProperty('links');
    expect(ns.requests.at(-1)!.query).toEqual({ expandSubResources: 'true' });
    expect(await run(ctxOf(), 'getSalesOrder', { id: 'eid:SO-EXT-1' })).toMatchObject({ id: order.id });
    expect(ns.requests.at(-1)!.path).toBe('/services/rest/record/v1/salesOrder/eid:SO-EXT-1');
    expect(await failureOf(run(ctxOf(), 'getSalesOrder', { id: '999999' }))).toMatchObject({ code: 'HTTP_404', retryable: false });

    // Every request was signed for the account's realm with HMAC-SHA256 and a fresh nonce.
    const nonces = ns.requests.map((r) => r.oauth?.oauth_nonce);
    expect(new Set(nonces).size).toBe(ns.requests.length);
    for (const r of ns.requests)
      expect(r.oauth).toMatchObject({ realm: '1234567_SB1', oauth_signature_method: 'HMAC-SHA256', oauth_version: '1.0', oauth_token: ns.tokenId });
    expect(ns.authFailures).toEqual([]);
  });

  test('updateInventoryLevel, createPurchaseOrder and createJournalEntry create their records', async () => {
    expect(ns.onHand('501', '1')).toBe(40);
    const adj = (await run(ctxOf(), 'updateInventoryLevel', {
      accountId: '58',
      subsidiaryId: '1',
      locationId: '1',
      memo: 'cycle count',
      items: [
        { itemId: '501', adjustQtyBy: -15 },
        { itemId: '502', locationId: '2', adjustQtyBy: 8, unitCost: 20 },
      ],
    })) as Created;
    expect(adj.recordType).toBe('inventoryAdjustment');
    expect(ns.onHand('501', '1')).toBe(25);
    expect(ns.onHand('502', '2')).toBe(8);
    expect(JSON.parse(ns.requests.at(-1)!.body)).toMatchObject({
      account: { id: '58' },
      adjLocation: { id: '1' },
      inventory: {
        items: [
          { item: { id: '501' }, location: { id: '1' }, adjustQtyBy: -15 },
          { item: { id: '502' }, location: { id: '2' }, adjustQtyBy: 8, unitCost: 20 },
        ],
      },
    });
    const below = await failureOf(run(ctxOf(), 'updateInventoryLevel', { accountId: '58', locationId: '1', items: [{ itemId: '501', adjustQtyBy: -26 }] }));
    expect(below).toMatchObject({ code: 'HTTP_400', retryable: false });
    expect(below.message).toContain('USER_ERROR: You cannot adjust the quantity of Widget A below zero');
    expect(ns.onHand('501', '1')).toBe(25);

    const purchase = (await run(ctxOf(), 'createPurchaseOrder', {
      vendorId: '77',
      locationId: '1',
      items: [{ itemId: '502', quantity: 10, rate: 38 }],
    })) as Created;
    expect(ns.records('purchaseOrder').get(purchase.id)).toMatchObject({
      entity: { id: '77' },
      location: { id: '1' },
      item: { items: [{ item: { id: '502' }, quantity: 10, rate: 38 }] },
    });
    const noVendor = await failureOf(run(ctxOf(), 'createPurchaseOrder', { vendorId: '78', items: [{ itemId: '502', quantity: 1 }] }));
    expect(noVendor.message).toContain('Invalid Field Value 78 for the following field: entity (at entity)');

    const je = (await run(ctxOf(), 'createJournalEntry', {
      subsidiaryId: '1',
      tranDate: '2026-11-30',
      memo: 'scrap write-off',
      lines: [
        { accountId: '215', debit: 120.1 },
        { accountId: '120', credit: 100.05 },
        { accountId: '120', credit: 20.05, memo: 'rounding' },
      ],
    })) as Created;
    expect(ns.records('journalEntry').get(je.id)).toMatchObject({
      line: { items: [{ account: { id: '215' }, debit: 120.1 }, { credit: 100.05 }, { credit: 20.05, memo: 'rounding' }] },
    });
    // Unbalanced entries and half-filled customers are refused by the params, before any call.
    const before = ns.requests.length;
    expect(
      netsuiteDriver.operations.createJournalEntry!.params.safeParse({
        lines: [
          { accountId: '1', debit: 5 },
          { accountId: '2', credit: 4 },
        ],
      }).success,
    ).toBe(false);
    expect(netsuiteDriver.operations.createCustomer!.params.safeParse({ isPerson: true, firstName: 'Ada' }).success).toBe(false);
    expect(ns.requests.length).toBe(before);
  });

  test('a create carries a UUID idempotency key derived from the node run: a retry returns the first record', async () => {
    const key = 'exec-1:customer:0';
    const first = (await run(ctxOf({ idempotencyKey: key }), 'createCustomer', { companyName: 'Once Ltd' })) as Created;
    const again = (await run(ctxOf({ idempotencyKey: key }), 'createCustomer', { companyName: 'Once Ltd' })) as Created;
    expect(again.id).toBe(first.id);
    expect([...ns.records('customer').values()].filter((c) => c.companyName === 'Once Ltd')).toHaveLength(1);
    const [a, b] = ns.requests;
    expect(a!.headers['x-netsuite-idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b!.headers['x-netsuite-idempotency-key']).toBe(a!.headers['x-netsuite-idempotency-key']);
    // Another node run is another key, and another record.
    const other = (await run(ctxOf({ idempotencyKey: 'exec-2:customer:0' }), 'createCustomer', { companyName: 'Once Ltd' })) as Created;
    expect(other.id).not.toBe(first.id);
  });

  test('a wrong secret, another realm or a replayed nonce is refused: AUTH_FAILED, not retried', async () => {
    const wrongSecret = await failureOf(run(ctxOf({ secrets: { tokenSecret: 'not-the-secret' } }), 'getSalesOrder', { id: '1' }));
    expect(wrongSecret).toMatchObject({ code: 'AUTH_FAILED', retryable: false, status: 401 });
    expect(wrongSecret.message).toContain('INVALID_LOGIN');
    expect(wrongSecret.message).not.toContain('not-the-secret');
    const wrongConsumer = await failureOf(run(ctxOf({ secrets: { consumerSecret: 'cs-secret-value-2' } }), 'createCustomer', { companyName: 'X' }));
    expect(wrongConsumer.code).toBe('AUTH_FAILED');
    const wrongRealm = await failureOf(run(ctxOf({ config: { accountId: '7654321' } }), 'getSalesOrder', { id: '1' }));
    expect(wrongRealm.code).toBe('AUTH_FAILED');
    expect(ns.authFailures).toEqual(['signature mismatch', 'signature mismatch', 'realm 7654321 is not 1234567_SB1']);
    expect(ns.records('customer').size).toBeGreaterThan(0);
    expect([...ns.records('customer').values()].some((c) => c.companyName === 'X')).toBe(false);

    // The sandbox account id written with a dash signs with the same realm.
    await expect(
      run(ctxOf({ config: { accountId: '1234567-sb1' } }), 'createCustomer', { isPerson: true, firstName: 'Ada', lastName: 'Lovelace' }),
    ).resolves.toHaveProperty('id');

    // Replaying a request that was accepted, headers and all, is refused.
    const accepted = ns.requests.at(-1)!;
    const replay = await raw(
      `${ns.url}${accepted.path}`,
      accepted.method,
      {
        authorization: String(accepted.headers.authorization),
        'content-type': 'application/json',
        'x-netsuite-idempotency-key': '0f9e4a52-4b8e-5c3d-9a1b-2c3d4e5f6a7b',
      },
      accepted.body,
    );
    expect(replay.status).toBe(401);
    expect(ns.authFailures.at(-1)).toBe('nonce already used (replay)');
  });

  test('429 is RATE_LIMITED with Retry-After, 500 a retryable HTTP_500, 400 a non-retryable HTTP_400', async () => {
    ns.fault({ status: 429, retryAfter: 3 });
    const limited = await failureOf(run(ctxOf(), 'getSalesOrder', { id: '1' }));
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000 });
    expect(limited.message).toContain('CONCURRENCY_LIMIT_EXCEEDED');

    ns.fault({ status: 500 });
    expect(await failureOf(run(ctxOf(), 'createCustomer', { companyName: 'Flaky' }))).toMatchObject({ code: 'HTTP_500', retryable: true });
    await expect(run(ctxOf(), 'createCustomer', { companyName: 'Flaky' })).resolves.toHaveProperty('id');

    const bad = await failureOf(run(ctxOf(), 'createSalesOrder', { customerId: '42', items: [{ itemId: '9999', quantity: 1 }] }));
    expect(bad).toMatchObject({ code: 'HTTP_400', retryable: false, status: 400 });
    expect(bad.message).toContain('USER_ERROR: Error while accessing a resource. Invalid Field Value 9999 for the following field: item');
  });

  test('testConnection signs a metadata-catalog read', async () => {
    await expect(netsuiteDriver.testConnection(ctxOf())).resolves.toEqual({ message: 'token-based authentication accepted by account 1234567_SB1' });
    expect(ns.requests.at(-1)).toMatchObject({ path: '/services/rest/record/v1/metadata-catalog', query: { select: 'customer' }, status: 200 });
    expect(await failureOf(netsuiteDriver.testConnection(ctxOf({ secrets: { consumerSecret: 'x' } })))).toMatchObject({ code: 'AUTH_FAILED' });
  });
});
