/**
 * The HTTP contract: problem+json with stable codes and JSON paths, bearer-token auth with
 * roles, definitions and versions, health and readiness.
 */
import { startTestWeft, type TestWeft } from '../support/harness';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft({ worker: false });
});

afterAll(async () => {
  await t?.stop();
});

const minimal = {
  name: 'minimal',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'end', type: 'END' },
  ],
  edges: [{ source: 'start', target: 'end' }],
};

test('an invalid definition is refused with 422 problem+json naming every offending JSON path', async () => {
  const res = await t.api('POST', '/api/v1/workflows', {
    name: 'broken',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: 'vars.total >' } },
      { id: 'mystery', type: 'TELEPORT' },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'check' },
      { source: 'check', sourcePort: 'true', target: 'end' },
      { source: 'check', sourcePort: 'maybe', target: 'end' },
      { source: 'check', sourcePort: 'false', target: 'nowhere' },
    ],
  });
  expect(res.status).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 422, code: 'INVALID_WORKFLOW' });
  const byPath = Object.fromEntries(res.body.errors.map((e: any) => [e.path, e.code]));
  expect(byPath['/nodes/1/properties/condition']).toBe('EXPRESSION_ERROR');
  expect(byPath['/nodes/2/type']).toBe('INVALID_NODE_TYPE');
  expect(byPath['/edges/2/sourcePort']).toBeDefined();
  expect(byPath['/edges/3/target']).toBeDefined();
  // Nothing was stored.
  const list = await t.api('GET', '/api/v1/workflows');
  expect(list.body.items.find((w: any) => w.name === 'broken')).toBeUndefined();
});

test('malformed JSON and bad request fields get 400 with the path', async () => {
  const res = await fetch(`${t.url}/api/v1/workflows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token()}`, 'content-type': 'application/json' },
    body: '{"name": ',
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { code: string }).code).toBe('INVALID_REQUEST');

  const created = await t.api('POST', '/api/v1/workflows', minimal);
  const bad = await t.api('POST', `/api/v1/workflows/${created.body.id}/publish`, { version: 'one' });
  expect(bad.status).toBe(400);
  expect(bad.body.errors[0].path).toBe('/version');
});

test('without a valid token the API answers 401; roles decide who may change definitions', async () => {
  expect((await t.api('GET', '/api/v1/workflows', undefined, { token: null })).status).toBe(401);
  const forged = t.token(['admin']).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  const res = await t.api('GET', '/api/v1/workflows', undefined, { token: forged });
  expect(res.status).toBe(401);
  expect(res.body.code).toBe('UNAUTHENTICATED');

  const viewer = t.token(['viewer'], 'vera');
  const denied = await t.api('POST', '/api/v1/workflows', minimal, { token: viewer });
  expect(denied.status).toBe(403);
  expect(denied.body.code).toBe('PERMISSION_DENIED');
  expect((await t.api('GET', '/api/v1/workflows', undefined, { token: viewer })).status).toBe(200);
  const lead = await t.api('POST', '/api/v1/workflows', minimal, { token: t.token(['technical_lead'], 'tom') });
  expect(lead.status).toBe(201);
});

test('definitions: create, get, update to a new draft, validate, publish, versions, delete', async () => {
  const created = await t.api('POST', '/api/v1/workflows', { ...minimal, name: 'lifecycle', description: 'first' });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`/api/v1/workflows/${created.body.id}`);
  expect(created.body).toMatchObject({ name: 'lifecycle', latestVersion: '1.0.0', activeVersion: null });
  const id = created.body.id;

  const noActive = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {} });
  expect(noActive.status).toBe(409);
  expect(noActive.body.code).toBe('NO_ACTIVE_VERSION');

  const updated = await t.api('PUT', `/api/v1/workflows/${id}`, { ...minimal, name: 'lifecycle', description: 'second', changelog: 'wording' });
  expect(updated.body.latestVersion).toBe('1.1.0');
  const explicit = await t.api('PUT', `/api/v1/workflows/${id}`, { ...minimal, name: 'lifecycle', version: '2.0.0' });
  expect(explicit.body.latestVersion).toBe('2.0.0');
  const clash = await t.api('PUT', `/api/v1/workflows/${id}`, { ...minimal, name: 'lifecycle', version: '2.0.0' });
  expect(clash.status).toBe(409);
  expect(clash.body.code).toBe('VERSION_CONFLICT');

  const draft = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {}, version: '1.1.0' });
  expect(draft.status).toBe(409);
  expect(draft.body.code).toBe('VERSION_NOT_PUBLISHED');

  const valid = await t.api('POST', `/api/v1/workflows/${id}/validate`, {});
  expect(valid.body).toEqual({ valid: true, issues: [] });
  const invalid = await t.api('POST', `/api/v1/workflows/${id}/validate`, { name: 'x', nodes: [{ id: 'end', type: 'END' }], edges: [] });
  expect(invalid.body.valid).toBe(false);
  expect(invalid.body.issues.length).toBeGreaterThan(0);

  const published = await t.api('POST', `/api/v1/workflows/${id}/publish`, {});
  expect(published.body).toMatchObject({ version: '2.0.0', status: 'active' });
  expect((await t.api('GET', `/api/v1/workflows/${id}`)).body.activeVersion).toBe('2.0.0');

  const versions = await t.api('GET', `/api/v1/workflows/${id}/versions`);
  expect(versions.body.items.map((v: any) => v.version)).toEqual(['2.0.0', '1.1.0', '1.0.0']);
  expect((await t.api('GET', `/api/v1/workflows/${id}/versions/9.9.9`)).body.code).toBe('VERSION_NOT_FOUND');

  expect((await t.api('DELETE', `/api/v1/workflows/${id}`)).status).toBe(204);
  const gone = await t.api('GET', `/api/v1/workflows/${id}`);
  expect(gone.status).toBe(404);
  expect(gone.body.code).toBe('WORKFLOW_NOT_FOUND');
});

test('an unknown instance is a 404 with INSTANCE_NOT_FOUND', async () => {
  const res = await t.api('GET', '/api/v1/workflow-instances/exec-does-not-exist');
  expect(res.status).toBe(404);
  expect(res.body.code).toBe('INSTANCE_NOT_FOUND');
});

test('/health answers without a token; /ready checks the database and Temporal', async () => {
  expect((await t.api('GET', '/health', undefined, { token: null })).body).toEqual({ status: 'ok' });
  const ready = await t.api('GET', '/api/v1/ready', undefined, { token: null });
  expect(ready.status).toBe(200);
  expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
});

test('the audit log records who changed what', async () => {
  const created = await t.api('POST', '/api/v1/workflows', { ...minimal, name: 'audited' }, { token: t.token(['admin'], 'alice') });
  await t.api('POST', `/api/v1/workflows/${created.body.id}/publish`, {}, { token: t.token(['admin'], 'bob') });
  const { listAudit } = await import('../../src/db/repositories/audit');
  const rows = await listAudit(t.weft.database.db, { resourceType: 'workflow', resourceId: created.body.id, limit: 10 });
  expect(rows.map((r: any) => [r.actor, r.action]).sort()).toEqual([
    ['alice', 'workflow.created'],
    ['bob', 'workflow.published'],
  ]);
});
