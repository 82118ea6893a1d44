/**
 * SAP_CONNECTOR and NETSUITE_CONNECTOR end to end: stored connectors (secrets encrypted), published
 * graphs whose nodes chain vendor operations, retries after a 500 / a 429 with Retry-After, a CSRF
 * token expiring mid-run, AUTH_FAILED without retries, and no secret in histories or API answers.
 */
import { randomBytes } from 'node:crypto';
import { idempotencyUuid } from '../../../src/domain/connectors/netsuite';
import { startFakeNetSuite, type FakeNetSuite } from '../../support/fake-netsuite';
import { startFakeSap, type FakeSap } from '../../support/fake-sap';
import { runGraph, startTestWeft, type TestWeft } from '../../support/harness';
import { expectNoSecretsInExecution } from '../../support/secret-leaks';

const SAP_PASSWORD = `sap-pw-${randomBytes(8).toString('hex')}`;
const NS_CONSUMER_SECRET = `ns-cs-${randomBytes(8).toString('hex')}`;
const NS_TOKEN_SECRET = `ns-ts-${randomBytes(8).toString('hex')}`;

let t: TestWeft;
let sap: FakeSap;
let ns: FakeNetSuite;
const instanceIds: string[] = [];
const answers: string[] = [];

beforeAll(async () => {
  sap = await startFakeSap({ password: SAP_PASSWORD });
  ns = await startFakeNetSuite({ consumerSecret: NS_CONSUMER_SECRET, tokenSecret: NS_TOKEN_SECRET });
  t = await startTestWeft({ allowedHosts: [new URL(sap.url).host, new URL(ns.url).host] });
  const s = await t.api('POST', '/api/v1/connectors', {
    name: 'S4',
    type: 'sap',
    config: { baseUrl: sap.url, client: '100', auth: 'basic', username: 'COMM_USER' },
    secrets: { password: SAP_PASSWORD },
  });
  expect(s.status).toBe(201);
  const n = await t.api('POST', '/api/v1/connectors', {
    name: 'NetSuite',
    type: 'netsuite',
    config: { accountId: ns.accountId, baseUrl: ns.url, consumerKey: ns.consumerKey, tokenId: ns.tokenId },
    secrets: { consumerSecret: NS_CONSUMER_SECRET, tokenSecret: NS_TOKEN_SECRET },
  });
  expect(n.status).toBe(201);
  answers.push(JSON.stringify(s.body), JSON.stringify(n.body));
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await sap?.close();
  await ns?.close();
});

type Node = { id: string; type: string; properties: Record<string, unknown> };

function graph(nodes: Node[]) {
  return {
    name: `erp-${randomBytes(3).toString('hex')}`,
    nodes: [
      { id: 'start', type: 'START' },
      ...nodes,
      { id: 'end', type: 'END', properties: { output: Object.fromEntries(nodes.map((n) => [n.id, `nodes.${n.id}.output`])) } },
    ],
    edges: ['start', ...nodes.map((n) => n.id)].map((source, i, all) => ({ source, target: all[i + 1] ?? 'end' })),
  };
}

async function run(nodes: Node[], input: unknown = {}) {
  const out = await runGraph(t, graph(nodes), input);
  instanceIds.push(out.id);
  answers.push(JSON.stringify(out));
  return out;
}

const fixed = (maxAttempts: number) => ({ maxAttempts, strategy: 'FIXED', initialIntervalMs: 100 });
const attemptsOf = async (id: string, nodeId: string) =>
  (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes.find((n: { nodeId: string }) => n.nodeId === nodeId).attempts as number;

test('SAP: material → purchase order (a 500, then a CSRF token expiring, both survived) → goods receipt', async () => {
  sap.requests.length = 0;
  // Attempt 1: its first CSRF token has expired (403, fetched again), then the write meets a 500.
  let posts = 0;
  sap.fault({ status: 500, match: (r) => r.kind === 'data' && r.method === 'POST' && ++posts === 2 });
  sap.expireNextCsrfTokens(1);
  const out = await run(
    [
      { id: 'mat', type: 'SAP_CONNECTOR', properties: { connector: 'S4', operation: 'getMaterial', params: { material: '${input.material}' } } },
      {
        id: 'po',
        type: 'SAP_CONNECTOR',
        properties: {
          connector: 'S4',
          operation: 'createPO',
          params: {
            companyCode: '1010',
            supplier: '17300002',
            purchasingOrganization: '1010',
            purchasingGroup: '001',
            items: [{ material: '${nodes.mat.output.Product}', plant: '1010', quantity: '${input.qty}', unit: '${nodes.mat.output.BaseUnit}' }],
          },
          retry: fixed(3),
        },
      },
      {
        id: 'gr',
        type: 'SAP_CONNECTOR',
        properties: {
          connector: 'S4',
          operation: 'updateInventory',
          params: {
            goodsMovementCode: '01',
            items: [
              {
                material: '${nodes.mat.output.Product}',
                plant: '1010',
                storageLocation: '101A',
                goodsMovementType: '101',
                quantity: '${input.qty}',
                unit: 'PC',
                purchaseOrder: '${nodes.po.output.PurchaseOrder}',
                purchaseOrderItem: '10',
              },
            ],
          },
        },
      },
    ],
    { material: 'FG29', qty: 12 },
  );
  expect(out.status).toBe('completed');
  const { po, gr } = out.output;
  expect(po).toMatchObject({
    PurchaseOrder: expect.stringMatching(/^45/),
    Supplier: '17300002',
    to_PurchaseOrderItem: [{ Material: 'FG29', OrderQuantity: '12', PurchaseOrderQuantityUnit: 'PC' }],
  });
  expect(gr.to_MaterialDocumentItem[0]).toMatchObject({ PurchaseOrder: po.PurchaseOrder, GoodsMovementType: '101' });
  expect(sap.stock('FG29', '1010', '101A')).toBe(12);
  expect(sap.purchaseOrders.size).toBe(1);
  expect(sap.requests.filter((r) => r.path.endsWith('/A_PurchaseOrder')).map((r) => r.status)).toEqual([403, 500, 201]);
  expect(await attemptsOf(out.id, 'po')).toBe(2);

  const ops = await t.api('GET', `/api/v1/connectors/${JSON.parse(answers[0]!).id}/operations`);
  expect(ops.body.items.map((o: { name: string }) => o.name)).toEqual([
    'createPO',
    'getPO',
    'getMaterial',
    'updateInventory',
    'createProductionOrder',
    'getCostCenter',
  ]);
  const test = await t.api('POST', `/api/v1/connectors/${JSON.parse(answers[0]!).id}/test`);
  answers.push(JSON.stringify(ops.body), JSON.stringify(test.body));
  expect(test.status).toBe(200);
  expect(JSON.stringify(test.body)).toContain('CSRF');
});

test('SAP: a refused password fails the node AUTH_FAILED at once; a 400 is not retried', async () => {
  const wrong = await t.api('POST', '/api/v1/connectors', {
    name: 'S4 wrong',
    type: 'sap',
    config: { baseUrl: sap.url, client: '100', auth: 'basic', username: 'COMM_USER' },
    secrets: { password: 'not-it' },
  });
  expect(wrong.status).toBe(201);
  sap.requests.length = 0;
  const refused = await run([
    { id: 'm', type: 'SAP_CONNECTOR', properties: { connector: 'S4 wrong', operation: 'getMaterial', params: { material: 'TG11' }, retry: fixed(3) } },
  ]);
  expect(refused.status).toBe('failed');
  expect(refused.error).toMatchObject({ code: 'AUTH_FAILED', nodeId: 'm' });
  expect(sap.requests).toHaveLength(1);

  sap.requests.length = 0;
  const bad = await run([
    {
      id: 'p',
      type: 'SAP_CONNECTOR',
      properties: {
        connector: 'S4',
        operation: 'createProductionOrder',
        params: { material: 'NOPE', plant: '1010', orderType: 'YBM1', quantity: 1 },
        retry: fixed(3),
      },
    },
  ]);
  expect(bad.error).toMatchObject({ code: 'HTTP_400' });
  expect(bad.error.message).toContain('CO/004');
  expect(sap.requests.filter((r) => r.kind === 'data')).toHaveLength(1);
});

test("NetSuite: customer → sales order → read back, a 429 waited out as Retry-After asked; creates carry the run's idempotency key", async () => {
  ns.requests.length = 0;
  ns.fault({ status: 429, retryAfter: 2, match: (r) => r.method === 'POST' && r.path.endsWith('/salesOrder') });
  const out = await run(
    [
      {
        id: 'cust',
        type: 'NETSUITE_CONNECTOR',
        properties: { connector: 'NetSuite', operation: 'createCustomer', params: { companyName: '${input.company}', subsidiaryId: '1' } },
      },
      {
        id: 'so',
        type: 'NETSUITE_CONNECTOR',
        properties: {
          connector: 'NetSuite',
          operation: 'createSalesOrder',
          params: { customerId: '${nodes.cust.output.id}', items: [{ itemId: '501', quantity: '${input.qty}' }] },
          retry: fixed(3),
        },
      },
      { id: 'read', type: 'NETSUITE_CONNECTOR', properties: { connector: 'NetSuite', operation: 'getSalesOrder', params: { id: '${nodes.so.output.id}' } } },
    ],
    { company: 'Graph Co', qty: 3 },
  );
  expect(out.status).toBe('completed');
  expect(out.output.read).toMatchObject({ id: out.output.so.id, entity: { id: out.output.cust.id, refName: 'Graph Co' }, total: 37.5 });
  const posts = ns.requests.filter((r) => r.path.endsWith('/salesOrder'));
  expect(posts.map((r) => r.status)).toEqual([429, 204]);
  // initialIntervalMs is 100: only Retry-After explains two seconds between the attempts.
  expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1900);
  expect(await attemptsOf(out.id, 'so')).toBe(2);
  const custPost = ns.requests.find((r) => r.path.endsWith('/customer'))!;
  expect(custPost.headers['x-netsuite-idempotency-key']).toBe(idempotencyUuid(`${out.id}:cust:0:POST:customer`));
  expect(posts[1]!.headers['x-netsuite-idempotency-key']).toBe(posts[0]!.headers['x-netsuite-idempotency-key']);
  expect(ns.authFailures).toEqual([]);
});

test('NetSuite: a wrong token secret fails the node AUTH_FAILED without retries', async () => {
  const wrong = await t.api('POST', '/api/v1/connectors', {
    name: 'NetSuite wrong',
    type: 'netsuite',
    config: { accountId: ns.accountId, baseUrl: ns.url, consumerKey: ns.consumerKey, tokenId: ns.tokenId },
    secrets: { consumerSecret: NS_CONSUMER_SECRET, tokenSecret: 'wrong-token-secret' },
  });
  expect(wrong.status).toBe(201);
  ns.requests.length = 0;
  ns.authFailures.length = 0;
  const out = await run([
    {
      id: 'c',
      type: 'NETSUITE_CONNECTOR',
      properties: { connector: 'NetSuite wrong', operation: 'createCustomer', params: { companyName: 'Nope' }, retry: fixed(3) },
    },
  ]);
  expect(out.status).toBe('failed');
  expect(out.error).toMatchObject({ code: 'AUTH_FAILED', nodeId: 'c' });
  expect(ns.authFailures).toEqual(['signature mismatch']);
  expect(await attemptsOf(out.id, 'c')).toBe(1);
});

test('no SAP password or NetSuite secret is in any history or API answer', async () => {
  expect(instanceIds.length).toBeGreaterThanOrEqual(4);
  const secrets = [SAP_PASSWORD, NS_CONSUMER_SECRET, NS_TOKEN_SECRET, Buffer.from(`COMM_USER:${SAP_PASSWORD}`).toString('base64')];
  for (const id of instanceIds) await expectNoSecretsInExecution(t, id, secrets);
  answers.push(JSON.stringify((await t.api('GET', '/api/v1/connectors')).body));
  for (const a of answers) for (const s of secrets) expect(a).not.toContain(s);
});
