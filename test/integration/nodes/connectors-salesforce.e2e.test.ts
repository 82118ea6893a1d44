/**
 * SALESFORCE_CONNECTOR end to end: published graphs run sObject and SOQL operations of stored
 * connectors against a Salesforce org on loopback that checks OAuth tokens, bearer headers, API
 * versions and query paging. Proves retries after a 500, RATE_LIMITED honouring Retry-After,
 * AUTH_FAILED for refused credentials, token refresh after expiry, the JWT bearer flow, the
 * node-level refusals, and that no secret (nor token) reaches workflow history, API answers or logs.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { startFakeSalesforce, type FakeSalesforce } from '../../support/fake-salesforce';
import { publishGraph, runGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../../support/harness';
import { expectNoSecretsInExecution } from '../../support/secret-leaks';
import { startWorkerProcess } from '../../support/worker-process';

const CLIENT_SECRET = `sfsecret-${randomBytes(8).toString('hex')}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
/** A line from the middle of the PEM: enough to recognise the key anywhere. */
const KEY_MARKER = privateKey.split('\n')[5]!;

let t: TestWeft;
let sf: FakeSalesforce;
const instanceIds: string[] = [];
const answers: string[] = [];

beforeAll(async () => {
  sf = await startFakeSalesforce({ clientId: 'weft-app', clientSecret: CLIENT_SECRET, publicKey, username: 'integration@weft.example' });
  t = await startTestWeft({ allowedHosts: [sf.host] });
  const accounts = new Map<string, Record<string, unknown>>();
  for (const [i, name] of ['Acme', 'Globex', 'Initech', 'Umbrella'].entries()) {
    const id = `001000000000000AA${i}`;
    accounts.set(id, { Id: id, Name: name, Industry: 'Manufacturing' });
  }
  sf.records.set('Account', accounts);
  const created = await t.api('POST', '/api/v1/connectors', {
    name: 'Salesforce',
    type: 'salesforce',
    config: { loginUrl: sf.url, authFlow: 'client_credentials', clientId: 'weft-app' },
    secrets: { clientSecret: CLIENT_SECRET },
  });
  expect(created.status).toBe(201);
  answers.push(JSON.stringify(created.body));
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await sf?.close();
});

beforeEach(() => {
  sf.requests.length = 0;
});

type Props = Record<string, unknown>;

function graph(nodes: Array<{ id: string; type?: string; properties: Props }>) {
  return {
    name: `salesforce-${randomBytes(3).toString('hex')}`,
    nodes: [
      { id: 'start', type: 'START' },
      ...nodes.map((n) => ({ id: n.id, type: n.type ?? 'SALESFORCE_CONNECTOR', properties: n.properties })),
      { id: 'end', type: 'END', properties: { output: Object.fromEntries(nodes.map((n) => [n.id, `nodes.${n.id}.output`])) } },
    ],
    edges: ['start', ...nodes.map((n) => n.id), 'end'].slice(0, -1).map((source, i, all) => ({ source, target: all[i + 1] ?? 'end' })),
  };
}

async function run(nodes: Array<{ id: string; type?: string; properties: Props }>, input: unknown = {}) {
  const out = await runGraph(t, graph(nodes), input);
  instanceIds.push(out.id);
  answers.push(JSON.stringify(out));
  return out;
}

const fixed = (maxAttempts: number) => ({ maxAttempts, strategy: 'FIXED', initialIntervalMs: 100 });
const dataCalls = () => sf.requests.filter((r) => r.path.startsWith('/services/data/'));

test('creates an account, then queries it back through three pages of nextRecordsUrl', async () => {
  const out = await run(
    [
      {
        id: 'create',
        properties: {
          connector: 'Salesforce',
          operation: 'createAccount',
          params: { fields: { Name: '${input.company}', NumberOfEmployees: '${input.size}' } },
        },
      },
      { id: 'query', properties: { connector: 'salesforce', operation: 'query', params: { soql: 'SELECT Id, Name FROM Account', maxRecords: 100 } } },
    ],
    { company: 'Weft Works', size: 120 },
  );
  expect(out.status).toBe('completed');
  const { create, query } = out.output;
  expect(create).toEqual({ id: expect.stringMatching(/^001[A-Za-z0-9]{15}$/), success: true, type: 'Account' });
  expect(sf.records.get('Account')?.get(create.id)).toEqual({ Id: create.id, Name: 'Weft Works', NumberOfEmployees: 120 });
  expect(query).toMatchObject({ totalSize: 5, pages: 3, truncated: false });
  expect(query.records.map((r: { Name: string }) => r.Name)).toEqual(['Acme', 'Globex', 'Initech', 'Umbrella', 'Weft Works']);

  // What Salesforce saw: one token for both nodes, the bearer token and API version on every data call.
  const token = sf.requests.filter((r) => r.path === '/services/oauth2/token');
  expect(token.length).toBeLessThanOrEqual(1);
  const calls = dataCalls();
  expect(calls.map((r) => `${r.method} ${r.path.split('?')[0]!.replace(/01g[0-9a-f]+-\d+/, '<cursor>')}`)).toEqual([
    'POST /services/data/v60.0/sobjects/Account',
    'GET /services/data/v60.0/query',
    'GET /services/data/v60.0/query/<cursor>',
    'GET /services/data/v60.0/query/<cursor>',
  ]);
  expect(new URL(calls[1]!.path, sf.url).searchParams.get('q')).toBe('SELECT Id, Name FROM Account');
  for (const c of calls) expect(c.headers.authorization).toMatch(/^Bearer 00D[0-9a-f]{32}$/);
  expect(calls[0]!.headers['idempotency-key']).toBe(`${out.id}:create:0`);
});

test('maxRecords stops paging early and says the result is truncated', async () => {
  const out = await run([{ id: 'q', properties: { connector: 'Salesforce', operation: 'query', params: { soql: 'SELECT Id FROM Account', maxRecords: 3 } } }]);
  expect(out.output.q).toMatchObject({ totalSize: 5, pages: 2, truncated: true });
  expect(out.output.q.records).toHaveLength(3);
  expect(dataCalls()).toHaveLength(2);
});

test('a 500 is retried and the next attempt succeeds; getAccount and updateAccount do what they say', async () => {
  sf.failNext({ status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }] });
  const id = '001000000000000AA1';
  const out = await run([
    { id: 'update', properties: { connector: 'Salesforce', operation: 'updateAccount', params: { id, fields: { Industry: 'Textiles' } }, retry: fixed(3) } },
    { id: 'get', properties: { connector: 'Salesforce', operation: 'getAccount', params: { id, fields: ['Name', 'Industry'] } } },
  ]);
  expect(out.status).toBe('completed');
  expect(out.output.update).toEqual({ id, updated: true });
  expect(out.output.get).toMatchObject({ Id: id, Name: 'Globex', Industry: 'Textiles' });
  expect(dataCalls().map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'GET']);
  const history = await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`);
  expect(history.body.nodes.find((n: { nodeId: string }) => n.nodeId === 'update').attempts).toBe(2);
});

test('429 with Retry-After: the retry waits as long as Salesforce asked; out of attempts it fails RATE_LIMITED', async () => {
  sf.failNext({ status: 429, headers: { 'retry-after': '2' }, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }] });
  const waited = await run([
    { id: 'c', properties: { connector: 'Salesforce', operation: 'createContact', params: { fields: { LastName: 'Lovelace' } }, retry: fixed(3) } },
  ]);
  expect(waited.status).toBe('completed');
  const [first, second] = dataCalls();
  // initialIntervalMs is 100: only Retry-After explains a wait of two seconds.
  expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);

  sf.failNext({ status: 429, headers: { 'retry-after': '1' }, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }] });
  const failed = await run([
    { id: 'c', properties: { connector: 'Salesforce', operation: 'createContact', params: { fields: { LastName: 'Hopper' } }, retry: fixed(1) } },
  ]);
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'RATE_LIMITED', nodeId: 'c' });
});

test('a 400 is not retried and carries Salesforce errorCode; an expired token is renewed once, transparently', async () => {
  const created = await run([
    {
      id: 'c',
      properties: {
        connector: 'Salesforce',
        operation: 'createOpportunity',
        params: { fields: { Name: 'Big', StageName: 'Prospecting', CloseDate: '2027-01-01' } },
      },
    },
  ]);
  expect(created.output.c).toMatchObject({ type: 'Opportunity', id: expect.stringMatching(/^006/) });
  sf.requests.length = 0;

  sf.failNext({ status: 400, body: [{ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Amount is required' }] });
  const refused = await run([
    {
      id: 'c',
      properties: {
        connector: 'Salesforce',
        operation: 'createOpportunity',
        params: { fields: { Name: 'Big', StageName: 'Prospecting', CloseDate: '2027-01-01' } },
        retry: fixed(3),
      },
    },
  ]);
  expect(refused.status).toBe('failed');
  expect(refused.error.code).toBe('HTTP_400');
  expect(refused.error.message).toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION: Amount is required');
  expect(dataCalls()).toHaveLength(1);

  sf.requests.length = 0;
  const before = sf.tokensIssued();
  sf.expireTokens();
  const renewed = await run([
    { id: 'q', properties: { connector: 'Salesforce', operation: 'query', params: { soql: "SELECT Id FROM Account WHERE Name = 'Acme'" } } },
  ]);
  expect(renewed.status).toBe('completed');
  expect(renewed.output.q.records).toHaveLength(1);
  expect(sf.tokensIssued()).toBe(before + 1);
  expect(sf.requests.map((r) => r.path.split('?')[0])).toEqual(['/services/data/v60.0/query', '/services/oauth2/token', '/services/data/v60.0/query']);
});

test('credentials Salesforce refuses fail the node with AUTH_FAILED, without retries', async () => {
  const c = await t.api('POST', '/api/v1/connectors', {
    name: 'Salesforce wrong',
    type: 'salesforce',
    config: { loginUrl: sf.url, authFlow: 'client_credentials', clientId: 'weft-app' },
    secrets: { clientSecret: 'wrong-secret-value' },
  });
  const out = await run([{ id: 'c', properties: { connectorId: c.body.id, operation: 'getAccount', params: { id: '001000000000000AA0' }, retry: fixed(3) } }]);
  expect(out.status).toBe('failed');
  expect(out.error).toMatchObject({ code: 'AUTH_FAILED' });
  expect(out.error.message).toContain('invalid_client');
  expect(sf.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(1);
  expect(dataCalls()).toHaveLength(0);
});

test('the JWT bearer flow signs an RS256 assertion the org verifies with the public key', async () => {
  const c = await t.api('POST', '/api/v1/connectors', {
    name: 'Salesforce JWT',
    type: 'salesforce',
    config: { loginUrl: sf.url, authFlow: 'jwt_bearer', clientId: 'weft-app', username: 'integration@weft.example' },
    secrets: { privateKey },
  });
  expect(c.status).toBe(201);
  answers.push(JSON.stringify(c.body));
  const out = await run([{ id: 'g', properties: { connector: 'Salesforce JWT', operation: 'getAccount', params: { id: '001000000000000AA3' } } }]);
  expect(out.status).toBe('completed');
  expect(out.output.g).toMatchObject({ Name: 'Umbrella' });
  const form = new URLSearchParams(sf.requests.find((r) => r.path === '/services/oauth2/token')!.body);
  expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');

  // Another key: the org refuses the signature.
  const other = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const put = await t.api('PUT', `/api/v1/connectors/${c.body.id}`, {
    name: 'Salesforce JWT',
    config: c.body.config,
    secrets: { privateKey: other.privateKey },
  });
  expect(put.status).toBe(200);
  const refused = await run([{ id: 'g', properties: { connector: 'Salesforce JWT', operation: 'getAccount', params: { id: '001000000000000AA3' } } }]);
  expect(refused.error).toMatchObject({ code: 'AUTH_FAILED' });
});

test('wrong connector type, unknown operation, bad params and unknown connector fail at once with their codes', async () => {
  const cases: Array<[Props & { type?: string }, string]> = [
    [{ type: 'CUSTOM_API', connector: 'Salesforce', operation: 'request', params: { path: '/' } }, 'CONNECTOR_TYPE_MISMATCH'],
    [{ connector: 'Salesforce', operation: 'deleteEverything' }, 'INVALID_OPERATION'],
    [{ connector: 'Salesforce', operation: 'createAccount', params: { fields: { Industry: 'Steel' } } }, 'VALIDATION_ERROR'],
    [{ connector: 'No such connector', operation: 'query', params: { soql: 'SELECT Id FROM Account' } }, 'CONNECTOR_NOT_FOUND'],
  ];
  for (const [{ type, ...properties }, code] of cases) {
    const out = await run([{ id: 'n', type, properties: { ...properties, retry: fixed(3) } }]);
    expect(out.status).toBe('failed');
    expect(out.error.code).toBe(code);
    const node = (await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`)).body.nodes.find((n: { nodeId: string }) => n.nodeId === 'n');
    expect(node.attempts).toBe(1);
  }
  expect(dataCalls()).toHaveLength(0);
});

test('validation refuses a connector node naming no connector', async () => {
  const res = await t.api('POST', '/api/v1/workflows', graph([{ id: 'n', properties: { operation: 'query' } }]));
  expect(res.status).toBe(422);
  expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('/nodes/1/properties/connectorId');
});

test('no secret or access token is in any workflow history, node history or API answer', async () => {
  expect(instanceIds.length).toBeGreaterThan(8);
  const secrets = [CLIENT_SECRET, KEY_MARKER, ...sf.issuedTokens()];
  expect(sf.issuedTokens().length).toBeGreaterThan(0);
  for (const id of instanceIds) await expectNoSecretsInExecution(t, id, secrets);
  const listed = JSON.stringify((await t.api('GET', '/api/v1/connectors')).body);
  for (const s of secrets) expect(listed).not.toContain(s);
  for (const a of answers) for (const s of secrets) expect(a).not.toContain(s);
});

describe('a worker process logging at debug', () => {
  const pg = process.env.DATABASE_URL ? test : test.skip;
  let t2: TestWeft;
  let child: ChildProcess | undefined;
  const KEY = randomBytes(32).toString('base64');

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await t2?.stop();
  });

  pg(
    'never writes the secret or a token to its log, and shares WEFT_SECRETS_KEY with the API',
    async () => {
      t2 = await startTestWeft({ worker: false, database: 'postgres', env: { WEFT_SECRETS_KEY: KEY } });
      child = await startWorkerProcess(t2, { WEFT_HTTP_ALLOWED_HOSTS: sf.host, WEFT_SECRETS_KEY: KEY, LOG_LEVEL: 'debug' });
      let log = '';
      child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      const created = await t2.api('POST', '/api/v1/connectors', {
        name: 'Salesforce',
        type: 'salesforce',
        config: { loginUrl: sf.url, authFlow: 'client_credentials', clientId: 'weft-app' },
        secrets: { clientSecret: CLIENT_SECRET },
      });
      expect(created.status).toBe(201);
      const wrong = await t2.api('POST', '/api/v1/connectors', {
        name: 'Wrong',
        type: 'salesforce',
        config: { loginUrl: sf.url, authFlow: 'client_credentials', clientId: 'weft-app' },
        secrets: { clientSecret: `${CLIENT_SECRET}-wrong` },
      });
      expect(wrong.status).toBe(201);
      sf.failNext({ status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }] });
      const ok = await waitForInstance(
        t2,
        await startInstance(
          t2,
          await publishGraph(
            t2,
            graph([{ id: 'c', properties: { connector: 'Salesforce', operation: 'createAccount', params: { fields: { Name: 'Logged' } }, retry: fixed(2) } }]),
          ),
        ),
        60_000,
      );
      expect(ok.status).toBe('completed');
      const failed = await waitForInstance(
        t2,
        await startInstance(
          t2,
          await publishGraph(t2, graph([{ id: 'c', properties: { connector: 'Wrong', operation: 'getAccount', params: { id: '001000000000000AA0' } } }])),
        ),
        60_000,
      );
      expect(failed.error.code).toBe('AUTH_FAILED');
      await new Promise((r) => setTimeout(r, 500));
      // The log is real and covers the failures.
      expect(log).toMatch(/HTTP_500|AUTH_FAILED/);
      for (const s of [CLIENT_SECRET, ...sf.issuedTokens()]) expect(log).not.toContain(s);
    },
    120_000,
  );
});
