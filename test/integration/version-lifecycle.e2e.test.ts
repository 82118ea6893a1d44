/**
 * The version lifecycle over real HTTP, on real PostgreSQL and Temporal: draft → published →
 * active → deprecated → archived with the refused moves, one active version at a time, starts
 * refused on deprecated and archived versions while running ones finish, the promotion history,
 * compare verdicts, rollback as a new version, export/import, and activation behind an approval.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src/graph/canonical-json';
import { startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { auditOf, call, createWorkflow, expectProblem, graph, move, start, until, useWeft, type Json } from '../support/versions';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  useWeft(t);
});

afterAll(async () => {
  await t?.stop();
});

test('transitions: the allowed ones, the refused ones, one active version, and starts on deprecated and archived versions', async () => {
  const id = await createWorkflow(graph('lifecycle', { wait: '2s' }));

  const early = await move(id, '1.0.0', 'activate', 'too soon');
  expectProblem(early, 409, 'INVALID_TRANSITION');
  expect(early.body.detail).toContain('draft; it can become published or archived, not active');
  expect(early.body.errors).toEqual([{ path: '/status', code: 'invalid_transition', message: 'allowed from draft: published, archived' }]);
  expect(await auditOf(early.requestId)).toEqual([]);

  const published = await move(id, '1.0.0', 'publish', 'reviewed by QA');
  expect(published.status).toBe(200);
  expect(published.body).toMatchObject({ version: '1.0.0', status: 'published', author: 'lena', activatedAt: null });
  expect(published.body.publishedAt).toEqual(expect.any(String));
  expect(await auditOf(published.requestId)).toEqual([
    expect.objectContaining({
      action: 'version.published',
      actor: 'lena',
      details: { version: '1.0.0', reason: 'reviewed by QA' },
      after: { version: '1.0.0', status: 'published' },
    }),
  ]);
  const activated = await move(id, '1.0.0', 'activate', 'go live at line 1');
  expect(activated.body).toMatchObject({ status: 'active', activatedAt: expect.any(String) });

  // A draft from a graph, with changelog and tags; its parent is the version it follows.
  const draft = await call('POST', `/api/v1/workflows/${id}/versions`, {
    graph: graph('lifecycle', { label: 'two' }),
    changelog: 'new label',
    tags: ['line-2'],
  });
  expect(draft.status).toBe(201);
  expect(draft.headers.get('location')).toBe(`/api/v1/workflows/${id}/versions/1.1.0`);
  expect(draft.body).toMatchObject({ version: '1.1.0', status: 'draft', author: 'lena', changelog: 'new label', tags: ['line-2'], parentVersion: '1.0.0' });
  const badDraft = await call('POST', `/api/v1/workflows/${id}/versions`, { graph: { name: 'x', nodes: [] } });
  expectProblem(badDraft, 422, 'INVALID_WORKFLOW');

  // An instance of 1.0.0 waits at its WAIT while 1.0.0 is replaced and deprecated.
  const running = await start(id);
  expect(running.status).toBe(202);
  await move(id, '1.1.0', 'publish');
  const second = await move(id, '1.1.0', 'activate', 'label two');
  expect(second.body).toMatchObject({ version: '1.1.0', status: 'active', demoted: '1.0.0' });
  const [record] = await auditOf(second.requestId);
  expect(record).toMatchObject({ action: 'version.activated', details: { version: '1.1.0', demoted: '1.0.0', reason: 'label two' } });
  const statuses = (await call('GET', `/api/v1/workflows/${id}/versions`)).body.items.map((v: Json) => [v.version, v.status]);
  expect(statuses).toEqual([
    ['1.1.0', 'active'],
    ['1.0.0', 'published'],
  ]);

  const deprecated = await move(id, '1.0.0', 'deprecate', 'superseded by 1.1.0');
  expect(deprecated.body).toMatchObject({ status: 'deprecated', deprecatedAt: expect.any(String) });
  const refused = await start(id, '1.0.0');
  expectProblem(refused, 409, 'VERSION_DEPRECATED');
  expect(refused.body.detail).toContain('starts no new executions');
  expect(await waitForInstance(t, running.body.id)).toMatchObject({ status: 'completed', version: '1.0.0', output: { label: 'one' } });

  // The active version deprecated: nothing to start without naming a version.
  await move(id, '1.1.0', 'deprecate', 'line closed');
  expect((await call('GET', `/api/v1/workflows/${id}`)).body.activeVersion).toBeNull();
  expectProblem(await start(id), 409, 'NO_ACTIVE_VERSION');

  const archived = await move(id, '1.0.0', 'archive', 'kept for the record');
  expect(archived.body).toMatchObject({ status: 'archived', archivedAt: expect.any(String) });
  for (const verb of ['activate', 'publish', 'deprecate']) {
    const res = await move(id, '1.0.0', verb);
    expectProblem(res, 409, 'VERSION_ARCHIVED');
    expect(await auditOf(res.requestId)).toEqual([]);
  }
  expectProblem(await call('POST', `/api/v1/workflows/${id}/publish`, { version: '1.0.0' }), 409, 'VERSION_ARCHIVED');
  expectProblem(await start(id, '1.0.0'), 409, 'VERSION_ARCHIVED');
  // Deprecated may come back; re-activating it is a transition like any other.
  expect((await move(id, '1.1.0', 'activate', 'line reopened')).body.status).toBe('active');

  // Metrics are computed from the executions: 1.0.0 ran once, to completion.
  const v1 = await call('GET', `/api/v1/workflows/${id}/versions/1.0.0`);
  expect(v1.body.metrics).toEqual({ nodeCount: 5, executions: 1, successRate: 1, averageDurationMs: expect.any(Number) });
  expect(v1.body.metrics.averageDurationMs).toBeGreaterThanOrEqual(2000);
  expect((await call('GET', `/api/v1/workflows/${id}/versions/1.1.0`)).body.metrics).toEqual({
    nodeCount: 5,
    executions: 0,
    successRate: null,
    averageDurationMs: null,
  });

  const promotions = await call('GET', `/api/v1/workflows/${id}/promotions`, undefined, 'audrey', ['auditor']);
  expect(promotions.body.items.map((p: Json) => [p.version, p.from, p.to, p.actor, p.reason])).toEqual([
    ['1.0.0', null, 'draft', 'lena', null],
    ['1.0.0', 'draft', 'published', 'lena', 'reviewed by QA'],
    ['1.0.0', 'published', 'active', 'lena', 'go live at line 1'],
    ['1.1.0', null, 'draft', 'lena', null],
    ['1.1.0', 'draft', 'published', 'lena', null],
    ['1.0.0', 'active', 'published', 'lena', 'demoted: version 1.1.0 was activated'],
    ['1.1.0', 'published', 'active', 'lena', 'label two'],
    ['1.0.0', 'published', 'deprecated', 'lena', 'superseded by 1.1.0'],
    ['1.1.0', 'active', 'deprecated', 'lena', 'line closed'],
    ['1.0.0', 'deprecated', 'archived', 'lena', 'kept for the record'],
    ['1.1.0', 'deprecated', 'active', 'lena', 'line reopened'],
  ]);
  expect(promotions.body.total).toBe(11);
  expect(promotions.body.items.every((p: Json) => p.approvalRequestId === null && typeof p.at === 'string')).toBe(true);
  const oneVersion = await call('GET', `/api/v1/workflows/${id}/promotions?version=1.1.0&limit=2`);
  expect(oneVersion.body).toMatchObject({ total: 5, items: [{ to: 'draft' }, { to: 'published' }] });
});

test('POST /workflows/{id}/publish still activates a draft in one step, recorded as two transitions', async () => {
  const id = await createWorkflow(graph('legacy'));
  const res = await call('POST', `/api/v1/workflows/${id}/publish`, {});
  expect(res.body).toMatchObject({ version: '1.0.0', status: 'active' });
  expect(await auditOf(res.requestId)).toEqual([
    expect.objectContaining({ action: 'workflow.published', after: { activeVersion: '1.0.0', status: 'active' } }),
  ]);
  const promotions = await call('GET', `/api/v1/workflows/${id}/promotions`);
  expect(promotions.body.items.map((p: Json) => `${p.from}→${p.to}`)).toEqual(['null→draft', 'draft→published', 'published→active']);
});

test('compare: each kind of change and the reason for the verdict', async () => {
  const base = graph('compared', { variables: { label: { type: 'string', value: 'one' }, limit: { type: 'number', value: 5 } } });
  const id = await createWorkflow(base);
  const variants: Array<[string, Json]> = [];
  const addVariant = (name: string, edit: (g: Json) => void) => {
    const g = structuredClone(base);
    edit(g);
    variants.push([name, g]);
  };
  addVariant('added', (g) => {
    g.nodes.splice(4, 0, { id: 'pause', type: 'WAIT', properties: { duration: '1s' } });
    g.edges[3] = { id: 'e4', source: 'hold', target: 'pause' };
    g.edges.push({ id: 'e5', source: 'pause', target: 'end' });
  });
  addVariant('removed', (g) => {
    g.nodes.splice(3, 1);
    g.edges.splice(2, 2, { id: 'e3', source: 'prep', target: 'end' });
  });
  addVariant('modified', (g) => (g.nodes[2].properties.assign = { doubled: '3' }));
  addVariant('retyped', (g) => (g.variables.limit = { type: 'string', value: '5' }));
  addVariant('stricter', (g) => (g.nodes[1].properties.schema = { type: 'object', required: ['n'] }));
  addVariant('config', (g) => (g.description = 'now described'));
  for (const [name, g] of variants) {
    expect((await call('POST', `/api/v1/workflows/${id}/versions`, { graph: g, changelog: name })).status).toBe(201);
  }
  const compare = async (b: string) => (await call('GET', `/api/v1/workflows/${id}/versions/compare?a=1.0.0&b=${b}`)).body;

  expect(await compare('1.0.0')).toEqual({ a: '1.0.0', b: '1.0.0', isDifferent: false, changeCount: 0, changes: [], compatibility: 'compatible', reasons: [] });
  const added = await compare('1.1.0');
  expect(added).toMatchObject({ isDifferent: true, changeCount: 3, compatibility: 'compatible', reasons: [] });
  expect(added.changes.map((c: Json) => `${c.type} ${c.path}`)).toEqual(['node_added /nodes/pause', 'edge_modified /edges/e4/target', 'edge_added /edges/e5']);

  const removed = await compare('1.2.0');
  expect(removed.compatibility).toBe('breaking');
  expect(removed.changes.map((c: Json) => c.type)).toEqual(expect.arrayContaining(['node_removed', 'edge_removed']));
  expect(removed.reasons).toEqual([
    { compatibility: 'breaking', code: 'node_removed', path: '/nodes/hold', message: expect.stringContaining('instances waiting or suspended there') },
  ]);

  const modified = await compare('1.3.0');
  expect(modified).toMatchObject({
    compatibility: 'compatible',
    changes: [{ type: 'node_modified', path: '/nodes/prep/properties/assign', newValue: { doubled: '3' } }],
  });

  const retyped = await compare('1.4.0');
  expect(retyped).toMatchObject({ compatibility: 'requires_migration', changes: [{ type: 'variable_changed', path: '/variables/limit' }] });
  expect(retyped.reasons).toEqual([
    { compatibility: 'requires_migration', code: 'variable_type_changed', path: '/variables/limit', message: expect.stringContaining('from number to string') },
  ]);

  const stricter = await compare('1.5.0');
  expect(stricter).toMatchObject({ compatibility: 'requires_migration', reasons: [{ code: 'input_schema_stricter', path: '/nodes/check/properties/schema' }] });
  expect(stricter.reasons[0].message).toContain('now requires n');
  expect((await call('GET', `/api/v1/workflows/${id}/versions/compare?a=1.5.0&b=1.0.0`)).body.compatibility).toBe('compatible');

  const config = await compare('1.6.0');
  expect(config).toMatchObject({ compatibility: 'compatible', changes: [{ type: 'config_changed', path: '/description', newValue: 'now described' }] });

  expectProblem(await call('GET', `/api/v1/workflows/${id}/versions/compare?a=1.0.0`), 400, 'INVALID_REQUEST');
  expectProblem(await call('GET', `/api/v1/workflows/${id}/versions/compare?a=1.0.0&b=9.0.0`), 404, 'VERSION_NOT_FOUND');
});

test('rollback makes a new version with the old graph and leaves history alone', async () => {
  const id = await createWorkflow(graph('rolled', { label: 'good' }));
  await call('POST', `/api/v1/workflows/${id}/publish`, {});
  await call('POST', `/api/v1/workflows/${id}/versions`, { graph: graph('rolled', { label: 'bad' }) });
  await call('POST', `/api/v1/workflows/${id}/publish`, { version: '1.1.0' });

  expectProblem(await call('POST', `/api/v1/workflows/${id}/versions/1.0.0/rollback`, {}), 400, 'INVALID_REQUEST');
  const rolled = await call('POST', `/api/v1/workflows/${id}/versions/1.0.0/rollback`, { reason: '1.1.0 mislabels parts' });
  expect(rolled.status).toBe(201);
  expect(rolled.body).toMatchObject({ version: '1.2.0', status: 'draft', parentVersion: '1.0.0', changelog: 'Rollback to 1.0.0: 1.1.0 mislabels parts' });
  expect(await auditOf(rolled.requestId)).toEqual([
    expect.objectContaining({
      action: 'version.rolled_back',
      details: expect.objectContaining({ version: '1.2.0', rolledBackTo: '1.0.0', reason: '1.1.0 mislabels parts' }),
    }),
  ]);
  expect((await call('GET', `/api/v1/workflows/${id}/versions/compare?a=1.0.0&b=1.2.0`)).body.isDifferent).toBe(false);
  const versions = (await call('GET', `/api/v1/workflows/${id}/versions`)).body.items.map((v: Json) => [v.version, v.status]);
  expect(versions).toEqual([
    ['1.2.0', 'draft'],
    ['1.1.0', 'active'],
    ['1.0.0', 'published'],
  ]);
  expect((await call('GET', `/api/v1/workflows/${id}/versions/1.1.0`)).body.graph.variables.label.value).toBe('bad');

  await move(id, '1.2.0', 'publish');
  await move(id, '1.2.0', 'activate', 'rolled back');
  const run = await start(id);
  expect(await waitForInstance(t, run.body.id)).toMatchObject({ status: 'completed', version: '1.2.0', output: { label: 'good' } });
  const last = (await call('GET', `/api/v1/workflows/${id}/promotions`)).body.items.filter((p: Json) => p.version === '1.2.0');
  expect(last[0]).toMatchObject({ from: null, to: 'draft', reason: '1.1.0 mislabels parts' });
});

test('export → import → export gives the same bytes; a changed or foreign document is refused', async () => {
  const exported = graph('exported', { assign: { speed: 'config.lineSpeed * 2', batch: "config.`batch-size` & ''", doubled: 'input.n' } });
  const id = await createWorkflow({ ...exported, description: 'line speed', tags: ['press'] });
  await call('POST', `/api/v1/workflows/${id}/versions`, { graph: exported, changelog: 'second', tags: ['v2'] });

  const first = await call('GET', `/api/v1/workflows/${id}/versions/1.1.0/export`, undefined, 'vera', ['viewer']);
  expect(first.status).toBe(200);
  expect(first.headers.get('content-disposition')).toBe('attachment; filename="exported-1.1.0.json"');
  const doc = first.body as Json;
  expect(doc).toMatchObject({
    format: 'weft.workflow-export',
    formatVersion: 1,
    workflow: { name: 'exported', description: 'line speed', tags: ['press'] },
    version: { version: '1.1.0', changelog: 'second', tags: ['v2'] },
    variables: { label: { type: 'string', value: 'one' } },
    configParameters: ['batch-size', 'lineSpeed'],
  });
  const { checksum, ...rest } = doc;
  expect(checksum).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
  const text = await (await fetch(`${t.url}/api/v1/workflows/${id}/versions/1.1.0/export`, { headers: { authorization: `Bearer ${t.token()}` } })).text();

  const imported = await call('POST', '/api/v1/workflows/import', doc);
  expect(imported.status).toBe(201);
  expect(imported.body).toMatchObject({ version: '1.1.0', created: true });
  expect(imported.body.workflowId).not.toBe(id);
  expect(await auditOf(imported.requestId)).toEqual([
    expect.objectContaining({
      action: 'workflow.imported',
      resourceId: imported.body.workflowId,
      details: expect.objectContaining({ importedVersion: '1.1.0', checksum }),
    }),
  ]);
  const again = await fetch(`${t.url}/api/v1/workflows/${imported.body.workflowId}/versions/1.1.0/export`, {
    headers: { authorization: `Bearer ${t.token()}` },
  });
  expect(await again.text()).toBe(text);

  // Into an existing definition: its next version.
  const intoExisting = await call('POST', `/api/v1/workflows/import?workflowId=${id}`, doc);
  expect(intoExisting.body).toEqual({ workflowId: id, version: '1.2.0', created: false });
  const wrapped = await call('POST', '/api/v1/workflows/import', { workflowId: id, document: doc });
  expect(wrapped.body).toEqual({ workflowId: id, version: '1.3.0', created: false });
  expect((await call('GET', `/api/v1/workflows/${id}/versions/1.2.0`)).body).toMatchObject({
    status: 'draft',
    changelog: 'second',
    tags: ['v2'],
    parentVersion: '1.1.0',
  });

  const tampered = structuredClone(doc);
  tampered.graph.nodes[2].properties.assign.doubled = 'input.n * 100';
  const refusedTamper = await call('POST', '/api/v1/workflows/import', tampered);
  expectProblem(refusedTamper, 422, 'IMPORT_CHECKSUM_MISMATCH');
  expect(refusedTamper.body.errors).toEqual([expect.objectContaining({ path: '/checksum' })]);
  expect(await auditOf(refusedTamper.requestId)).toEqual([]);

  const future = await call('POST', '/api/v1/workflows/import', { ...doc, formatVersion: 2 });
  expectProblem(future, 422, 'IMPORT_FORMAT_UNSUPPORTED');
  expect(future.body.errors[0].path).toBe('/formatVersion');
  expect((await call('POST', '/api/v1/workflows/import', { ...doc, format: 'n8n' })).body.errors[0].path).toBe('/format');

  // A correct checksum over a graph that does not validate: refused with the graph's paths.
  const broken = structuredClone(rest);
  broken.graph.nodes.splice(4, 1);
  broken.graph.edges.splice(3, 1);
  const refusedGraph = await call('POST', '/api/v1/workflows/import', {
    ...broken,
    checksum: createHash('sha256').update(canonicalJson(broken)).digest('hex'),
  });
  expectProblem(refusedGraph, 422, 'INVALID_WORKFLOW');
  expect(refusedGraph.body.errors.every((e: Json) => e.path === '/graph' || e.path.startsWith('/graph/'))).toBe(true);
  expectProblem(await call('POST', '/api/v1/workflows/import', { ...doc, checksum: undefined }), 422, 'VALIDATION_ERROR');
});

test('with a version_activation policy, activation waits for the approval and happens once it is approved', async () => {
  await call('POST', '/api/v1/users', { id: 'quinn', name: 'Quinn QA', roles: ['approver'] }, 'root', ['admin']);
  const chain = { steps: [{ id: 'qa', approvers: [{ type: 'user', identifier: 'quinn' }] }] };
  const policy = await call(
    'POST',
    '/api/v1/approval-policies',
    { id: 'version-gate', name: 'Version gate', requestType: 'version_activation', chain },
    'mona',
    ['manager'],
  );
  expect(policy.status).toBe(201);
  try {
    const id = await createWorkflow(graph('gated'));
    await move(id, '1.0.0', 'publish');
    const asked = await move(id, '1.0.0', 'activate', 'ready for line 3');
    expect(asked.status).toBe(202);
    const requestId = asked.body.approvalRequestId;
    expect(asked.headers.get('location')).toBe(`/api/v1/approval-requests/${requestId}`);
    expect(asked.body).toMatchObject({ status: 'pending_approval', version: { version: '1.0.0', status: 'published' } });
    // Asking again while it is open gives the same request.
    expect((await move(id, '1.0.0', 'activate')).body.approvalRequestId).toBe(requestId);
    expectProblem(await start(id), 409, 'NO_ACTIVE_VERSION');

    await until(async () => (await t.api('GET', `/api/v1/approval-requests/${requestId}`)).body.pendingApprovers?.includes('quinn'));
    const approved = await call('POST', `/api/v1/approval-requests/${requestId}/approve`, { comments: 'validated' }, 'quinn', ['approver']);
    expect(approved.status).toBe(200);
    const active = await until(async () => {
      const v = await call('GET', `/api/v1/workflows/${id}/versions/1.0.0`);
      return v.body.status === 'active' ? v.body : undefined;
    });
    expect(active.activatedAt).toEqual(expect.any(String));
    const promotions = (await call('GET', `/api/v1/workflows/${id}/promotions`)).body.items;
    expect(promotions.at(-1)).toMatchObject({
      version: '1.0.0',
      from: 'published',
      to: 'active',
      actor: 'lena',
      reason: 'ready for line 3',
      approvalRequestId: requestId,
    });
    const trail = await t.api('GET', `/api/v1/audit?workflowId=${id}&eventTypes=version.activated`, undefined, { token: t.token(['auditor'], 'audrey') });
    expect(trail.body.items).toEqual([expect.objectContaining({ actor: 'lena', details: expect.objectContaining({ approvalRequestId: requestId }) })]);
    expect((await start(id)).status).toBe(202);

    // A rejected request activates nothing; the legacy publish is gated the same way.
    await call('POST', `/api/v1/workflows/${id}/versions`, { graph: graph('gated', { label: 'two' }) });
    const legacy = await call('POST', `/api/v1/workflows/${id}/publish`, { version: '1.1.0' });
    expect(legacy.status).toBe(202);
    await until(async () => (await t.api('GET', `/api/v1/approval-requests/${legacy.body.approvalRequestId}`)).body.pendingApprovers?.includes('quinn'));
    const rejected = await call('POST', `/api/v1/approval-requests/${legacy.body.approvalRequestId}/reject`, { comments: 'not yet' }, 'quinn', ['approver']);
    expect(rejected.status).toBe(200);
    await until(async () => (await t.api('GET', `/api/v1/approval-requests/${legacy.body.approvalRequestId}`)).body.status === 'rejected');
    expect((await call('GET', `/api/v1/workflows/${id}`)).body.activeVersion).toBe('1.0.0');
    expect((await call('GET', `/api/v1/workflows/${id}/versions/1.1.0`)).body.status).toBe('draft');
    // A refused move asks nobody.
    expectProblem(await move(id, '1.1.0', 'activate'), 409, 'INVALID_TRANSITION');
  } finally {
    await call('DELETE', '/api/v1/approval-policies/version-gate', undefined, 'mona', ['manager']);
  }
});
