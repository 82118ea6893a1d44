/**
 * Executions at a site (issue 15, site-aware executions) on real Temporal and PostgreSQL: the
 * site's effective configuration is resolved once at the start, seen by expressions as
 * `config.<key>` with the site as `execution.site`, and never changes under a running instance;
 * starts at an inactive site or with a configuration that does not validate are refused; the
 * site is recorded, filterable in the list, and searchable in Temporal as `WeftSite`.
 */
import { callApi, publishGraph, startSecondApi, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;
let definitionId: string;

async function ok(method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await t.api(method, `/api/v1${path}`, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits in `ready` for `go`, then reports what it sees of its site and configuration. */
const siteReport = {
  name: 'site-report',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'ready', type: 'DATA_TRANSFORMATION', properties: { assign: { seenAtStart: 'config.batchSize' } } },
    {
      id: 'end',
      type: 'END',
      properties: {
        output: {
          batchSize: 'config.batchSize',
          seenAtStart: 'vars.seenAtStart',
          label: 'config.label',
          apiKey: 'config.apiKey',
          site: 'execution.site',
          keys: '$keys(config)',
        },
      },
    },
  ],
  edges: [
    { source: 'start', target: 'ready' },
    { source: 'ready', target: 'end', trigger: 'go' },
  ],
};

const startAt = (site: string | undefined, extra: Record<string, unknown> = {}) =>
  t.api('POST', `/api/v1/workflows/${definitionId}/instances`, { input: {}, ...(site ? { site } : {}), ...extra });

async function finish(id: string): Promise<any> {
  await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body.status === 'waiting');
  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'go' })).status).toBe(200);
  return waitForInstance(t, id);
}

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await ok('POST', '/config/parameters', { key: 'batchSize', name: 'Batch size', type: 'number', defaultValue: 10 }, 201);
  await ok('POST', '/config/parameters', { key: 'label', name: 'Label', type: 'string', defaultValue: 'default' }, 201);
  await ok('POST', '/config/parameters', { key: 'apiKey', name: 'API key', type: 'string', secret: true }, 201);
  await ok('POST', '/sites', { id: 'plant-a', name: 'Plant A', region: 'eu-west', environment: 'staging', timeZone: 'Europe/Paris' }, 201);
  await ok('POST', '/sites', { id: 'line-1', name: 'Line 1', region: 'eu-west', environment: 'staging', parentSiteId: 'plant-a' }, 201);
  await ok('POST', '/sites', { id: 'plant-b', name: 'Plant B', region: 'us-east', environment: 'development' }, 201);
  await ok('PUT', '/config/regions/eu-west/batchSize', { value: 20, reason: 'EU lines are longer' }, 201);
  await ok('PUT', '/sites/plant-a/config/batchSize', { value: 25, reason: 'plant A runs bigger batches' }, 201);
  await ok('PUT', '/sites/plant-a/config/apiKey', { value: 'sk-live-do-not-show', reason: 'ERP access' }, 201);
  definitionId = await publishGraph(t, siteReport);
});

afterAll(async () => {
  await t?.stop();
});

test('expressions see the site and its inherited configuration, secrets left out', async () => {
  const started = await startAt('line-1');
  expect(started.status).toBe(202);
  const done = await finish(started.body.id);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({
    batchSize: 25,
    seenAtStart: 25,
    label: 'default',
    apiKey: null,
    site: { id: 'line-1', region: 'eu-west', environment: 'staging' },
    keys: ['batchSize', 'label'],
  });
  expect(done.site).toBe('line-1');
  expect(JSON.stringify(done)).not.toContain('sk-live');
});

test('a configuration change never alters a running instance; the next start sees it', async () => {
  const running = (await startAt('plant-a')).body.id as string;
  await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${running}`)).body.status === 'waiting');
  const current = await t.api('GET', '/api/v1/sites/plant-a/config/batchSize');
  await ok('PUT', '/sites/plant-a/config/batchSize', { value: 40, reason: 'new press' }, 200);
  const later = (await startAt('plant-a')).body.id as string;

  expect((await finish(running)).output.batchSize).toBe(25);
  expect((await finish(later)).output.batchSize).toBe(40);
  expect(current.body.value).toBe(25);
});

test('starts are refused at an unknown or inactive site and where the configuration does not validate', async () => {
  expect((await startAt('nowhere')).body.code).toBe('SITE_NOT_FOUND');

  await ok('POST', '/sites/plant-b/deactivate', { reason: 'closed for refit' });
  const inactive = await startAt('plant-b');
  expect(inactive.status).toBe(422);
  expect(inactive.body.code).toBe('CONFIG_INVALID');
  expect(inactive.body.detail).toMatch(/inactive/);
  await ok('POST', '/sites/plant-b/activate', { reason: 'back' });

  await ok('POST', '/config/parameters', { key: 'stationCode', name: 'Station code', type: 'string', requiredAtLevel: 'site' }, 201);
  await ok('PUT', '/sites/plant-a/config/stationCode', { value: 'A-01', reason: 'labelled' }, 201);
  await ok('PUT', '/sites/line-1/config/stationCode', { value: 'L-01', reason: 'labelled' }, 201);
  const invalid = await startAt('plant-b');
  expect(invalid.status).toBe(422);
  expect(invalid.body.code).toBe('CONFIG_INVALID');
  expect(JSON.stringify(invalid.body)).toContain('stationCode');

  // Nothing was started by the refusals; a valid site still starts.
  const listed = await ok('GET', `/workflows/${definitionId}/instances?site=plant-b`);
  expect(listed.total).toBe(0);
  expect((await startAt('plant-a')).status).toBe(202);
});

test('executions record their site: the list filters by it and Temporal searches WeftSite', async () => {
  const id = (await startAt('line-1')).body.id as string;
  const plain = (await startAt(undefined)).body.id as string;
  await finish(id);
  await finish(plain);

  const atLine = await ok('GET', `/workflow-instances?workflowId=${definitionId}&site=line-1`);
  expect(atLine.items.map((i: any) => i.id)).toContain(id);
  expect(atLine.items.every((i: any) => i.site === 'line-1')).toBe(true);
  expect((await ok('GET', `/workflow-instances/${plain}`)).site).toBeNull();

  const found: string[] = [];
  await until(async () => {
    found.length = 0;
    for await (const wf of t.temporal.workflow.list({ query: `WeftSite = "line-1" AND WeftDefinitionId = "${definitionId}"` })) found.push(wf.workflowId);
    return found.includes(id);
  });
  expect(found).not.toContain(plain);
});

test('a change made through another API process reaches the next start here (each process keeps resolved sites)', async () => {
  const before = (await startAt('plant-a')).body.id as string;
  // A second API process on the same database, as behind a load balancer.
  const other = await startSecondApi(t);
  try {
    const set = await callApi(other.apiUrl as string, t.token(), 'PUT', '/api/v1/sites/plant-a/config/label', {
      value: 'from-the-other-process',
      reason: 'relabel',
    });
    expect(set.status).toBe(201);
  } finally {
    await other.stop();
  }
  const after = (await startAt('plant-a')).body.id as string;
  expect((await finish(before)).output.label).toBe('default');
  expect((await finish(after)).output.label).toBe('from-the-other-process');
});
