/**
 * The audit trail over real HTTP, on real PostgreSQL and Temporal: each kind of change through the
 * API leaves exactly one record naming who, what, before/after and which request; a refused
 * request leaves none; the trail reads back through filters, cursors, CSV and NDJSON exports and
 * summaries, for admins and auditors only; the chain finds a record edited behind its back.
 */
import { sql } from 'drizzle-orm';
import { CSV_COLUMNS } from '../../src/api/audit-export';
import { publishGraph, startTestWeft, waitForInstance, type ApiResponse, type TestWeft } from '../support/harness';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
});

afterAll(async () => {
  await t?.stop();
});

const USER_AGENT = 'audit-e2e/1.0';
let requests = 0;

/** A call as `sub` (with `roles`) carrying its own X-Request-Id. */
async function call(method: string, path: string, body: unknown, as: { sub: string; roles?: string[] }): Promise<ApiResponse & { requestId: string }> {
  const requestId = `req-${++requests}-${Date.now()}`;
  const res = await t.api(method, path, body, {
    token: t.token(as.roles ?? ['admin'], as.sub),
    headers: { 'x-request-id': requestId, 'user-agent': USER_AGENT },
  });
  return { ...res, requestId };
}

const admin = (sub: string) => ({ sub, roles: ['admin'] });
const auditorToken = () => t.token(['auditor'], 'audrey');

async function audit(query: string): Promise<any> {
  const res = await t.api('GET', `/api/v1/audit${query}`, undefined, { token: auditorToken() });
  if (res.status !== 200) throw new Error(`GET /audit${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The one record a request wrote, checked for its who and where. */
async function recordOf(res: { status: number; requestId: string; body: unknown }, expectedStatus: number, actor: string): Promise<any> {
  if (res.status !== expectedStatus) throw new Error(`expected ${expectedStatus}, got ${res.status} ${JSON.stringify(res.body)}`);
  const { items } = await audit(`?requestId=${res.requestId}`);
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ actor, requestId: res.requestId, clientIp: '127.0.0.1', userAgent: USER_AGENT });
  expect(items[0].hash).toMatch(/^[0-9a-f]{64}$/);
  return items[0];
}

async function chainLength(): Promise<number> {
  const res = await t.api('GET', '/api/v1/audit/verify', undefined, { token: auditorToken() });
  expect(res.body.intact).toBe(true);
  return res.body.records as number;
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const graph = (name: string, hold?: string) => ({
  name,
  nodes: [{ id: 'start', type: 'START' }, ...(hold ? [{ id: 'hold', type: 'WAIT', properties: { duration: hold } }] : []), { id: 'end', type: 'END' }],
  edges: hold
    ? [
        { source: 'start', target: 'hold' },
        { source: 'hold', target: 'end' },
      ]
    : [{ source: 'start', target: 'end' }],
});

const CONNECTOR_SECRETS = ['tok-FIRST-secret-123', 'tok-SECOND-secret-456'];
let workflowId = '';
let connectorId = '';

describe('each kind of change writes one record with who, what, before/after and the request', () => {
  test('definitions, versions, publishing and deletion', async () => {
    const created = await call('POST', '/api/v1/workflows', graph('audited'), admin('alice'));
    workflowId = created.body.id;
    expect(await recordOf(created, 201, 'alice')).toMatchObject({
      action: 'workflow.created',
      resourceType: 'workflow',
      resourceId: workflowId,
      workflowId,
      before: null,
      after: { name: 'audited', activeVersion: null, latestVersion: '1.0.0' },
    });
    const updated = await call('PUT', `/api/v1/workflows/${workflowId}`, graph('audited', '1h'), admin('alice'));
    expect(await recordOf(updated, 200, 'alice')).toMatchObject({
      action: 'workflow.version_created',
      before: { latestVersion: '1.0.0' },
      after: { latestVersion: '1.1.0', status: 'draft' },
    });
    const published = await call('POST', `/api/v1/workflows/${workflowId}/publish`, {}, admin('bob'));
    expect(await recordOf(published, 200, 'bob')).toMatchObject({
      action: 'workflow.published',
      before: { activeVersion: null },
      after: { activeVersion: '1.1.0' },
    });
    const doomed = (await call('POST', '/api/v1/workflows', graph('doomed'), admin('alice'))).body.id;
    const deleted = await call('DELETE', `/api/v1/workflows/${doomed}`, undefined, admin('alice'));
    expect(await recordOf(deleted, 204, 'alice')).toMatchObject({ action: 'workflow.deleted', resourceId: doomed, before: { name: 'doomed' }, after: null });
  });

  test('execution lifecycle: start, suspend, resume, cancel (by the API) and cancelled, completed (by the worker)', async () => {
    const started = await call('POST', `/api/v1/workflows/${workflowId}/instances`, { input: { n: 1 } }, { sub: 'otto', roles: ['operator'] });
    expect(started.status).toBe(202);
    const id = started.body.id;
    // Whichever of the API and the worker creates the row writes the one start record.
    const starts = await audit(`?resourceId=${id}&eventTypes=execution.started`);
    expect(starts.items).toHaveLength(1);
    expect(starts.items[0]).toMatchObject({ actor: 'otto', workflowId, details: { definitionId: workflowId, version: '1.1.0' } });

    await until(async () => (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body.status === 'waiting');
    const suspended = await call('POST', `/api/v1/workflow-instances/${id}/suspend`, { reason: 'line stop' }, { sub: 'otto', roles: ['operator'] });
    expect(await recordOf(suspended, 200, 'otto')).toMatchObject({
      action: 'execution.suspended',
      resourceType: 'execution',
      resourceId: id,
      workflowId,
      details: { reason: 'line stop' },
      before: { status: 'waiting' },
    });
    const resumed = await call('POST', `/api/v1/workflow-instances/${id}/resume`, {}, { sub: 'otto', roles: ['operator'] });
    expect(await recordOf(resumed, 200, 'otto')).toMatchObject({ action: 'execution.resumed', before: { status: 'suspended' } });
    const cancel = await call('DELETE', `/api/v1/workflow-instances/${id}`, undefined, { sub: 'otto', roles: ['operator'] });
    expect(await recordOf(cancel, 202, 'otto')).toMatchObject({ action: 'execution.cancel_requested' });
    await waitForInstance(t, id);
    const ended = await audit(`?resourceId=${id}&eventTypes=execution.cancelled`);
    expect(ended.items).toEqual([
      expect.objectContaining({ actor: 'system', workflowId, requestId: null, after: expect.objectContaining({ status: 'cancelled' }) }),
    ]);

    const quick = await publishGraph(t, graph('quick'));
    const run = await call('POST', `/api/v1/workflows/${quick}/instances`, {}, admin('alice'));
    await waitForInstance(t, run.body.id);
    const lifecycle = await audit(`?resourceId=${run.body.id}`);
    expect(lifecycle.items.map((r: any) => r.action)).toEqual(['execution.completed', 'execution.started']);
  });

  test('connectors: created, updated, tested and deleted, secrets never stored', async () => {
    const body = {
      name: 'Audited API',
      type: 'custom_api',
      config: { baseUrl: 'http://127.0.0.1:9/api', auth: 'bearer' },
      secrets: { token: CONNECTOR_SECRETS[0] },
    };
    const created = await call('POST', '/api/v1/connectors', body, { sub: 'lena', roles: ['technical_lead'] });
    connectorId = created.body.id;
    expect(await recordOf(created, 201, 'lena')).toMatchObject({
      action: 'connector.created',
      resourceType: 'connector',
      resourceId: connectorId,
      after: { name: 'Audited API', secrets: { token: 'set' }, config: { baseUrl: 'http://127.0.0.1:9/api' } },
    });
    const updated = await call(
      'PUT',
      `/api/v1/connectors/${connectorId}`,
      { name: 'Audited API v2', config: body.config, secrets: { token: CONNECTOR_SECRETS[1] } },
      { sub: 'lena', roles: ['technical_lead'] },
    );
    expect(await recordOf(updated, 200, 'lena')).toMatchObject({
      action: 'connector.updated',
      details: { rotated: ['token'] },
      before: { name: 'Audited API', secrets: { token: 'set' } },
      after: { name: 'Audited API v2', secrets: { token: 'set' } },
    });
    const tested = await call('POST', `/api/v1/connectors/${connectorId}/test`, {}, { sub: 'lena', roles: ['technical_lead'] });
    expect(await recordOf(tested, 200, 'lena')).toMatchObject({ action: 'connector.tested', details: { ok: false } });
    const deleted = await call('DELETE', `/api/v1/connectors/${connectorId}`, undefined, { sub: 'lena', roles: ['technical_lead'] });
    expect(await recordOf(deleted, 204, 'lena')).toMatchObject({ action: 'connector.deleted', before: { name: 'Audited API v2' }, after: null });
  });

  test('circuit breakers: configured and reset', async () => {
    const service = 'audited.example.test:443';
    const configured = await call('PUT', `/api/v1/circuit-breakers/${service}/config`, { failureThreshold: 3 }, { sub: 'lena', roles: ['technical_lead'] });
    expect(await recordOf(configured, 200, 'lena')).toMatchObject({
      action: 'circuit_breaker.configured',
      resourceId: service,
      before: null,
      after: { serviceId: service, config: { failureThreshold: 3 } },
    });
    const reset = await call('POST', `/api/v1/circuit-breakers/${service}/reset`, {}, { sub: 'otto', roles: ['operator'] });
    expect(await recordOf(reset, 200, 'otto')).toMatchObject({ action: 'circuit_breaker.reset', before: { state: 'CLOSED' }, after: { state: 'CLOSED' } });
  });

  test('users, roles, out-of-office delegation and groups', async () => {
    const ursula = await call('POST', '/api/v1/users', { id: 'ursula', name: 'Ursula', roles: ['approver'] }, admin('alice'));
    expect(await recordOf(ursula, 201, 'alice')).toMatchObject({ action: 'user.created', resourceId: 'ursula', before: null, after: { roles: ['approver'] } });
    await call('POST', '/api/v1/users', { id: 'victor', name: 'Victor', roles: ['approver'] }, admin('alice'));
    const roles = await call('PUT', '/api/v1/users/ursula', { roles: ['approver', 'auditor'] }, admin('alice'));
    expect(await recordOf(roles, 200, 'alice')).toMatchObject({
      action: 'user.updated',
      before: { roles: ['approver'] },
      after: { roles: ['approver', 'auditor'] },
    });
    const awayUntil = new Date(Date.now() + 86_400_000).toISOString();
    const away = await call('PUT', '/api/v1/users/ursula/out-of-office', { delegateTo: 'victor', awayUntil }, { sub: 'ursula', roles: ['approver'] });
    expect(await recordOf(away, 200, 'ursula')).toMatchObject({
      action: 'user.out_of_office_set',
      before: { delegateTo: null, awayUntil: null },
      after: { delegateTo: 'victor', awayUntil },
    });
    const back = await call('DELETE', '/api/v1/users/ursula/out-of-office', undefined, { sub: 'ursula', roles: ['approver'] });
    expect(await recordOf(back, 200, 'ursula')).toMatchObject({ action: 'user.out_of_office_cleared', before: { delegateTo: 'victor' } });

    const group = await call('POST', '/api/v1/groups', { id: 'audit-team', name: 'Audit team' }, admin('alice'));
    expect(await recordOf(group, 201, 'alice')).toMatchObject({ action: 'group.created', resourceType: 'group', resourceId: 'audit-team' });
    const members = await call('PUT', '/api/v1/groups/audit-team/members', { add: ['ursula', 'victor'] }, admin('alice'));
    expect(await recordOf(members, 200, 'alice')).toMatchObject({
      action: 'group.members_changed',
      before: { members: [] },
      after: { members: ['ursula', 'victor'] },
    });
    const gone = await call('DELETE', '/api/v1/groups/audit-team', undefined, admin('alice'));
    expect(await recordOf(gone, 204, 'alice')).toMatchObject({ action: 'group.deleted', before: { members: ['ursula', 'victor'] } });
    const deactivated = await call('DELETE', '/api/v1/users/victor', undefined, admin('alice'));
    expect(await recordOf(deactivated, 200, 'alice')).toMatchObject({ action: 'user.deactivated', before: { active: true }, after: { active: false } });
  });

  test('approval policies, an approval request and its decision', async () => {
    const chain = { steps: [{ id: 'owner', approvers: [{ type: 'user', identifier: 'ursula' }] }] };
    const policy = await call(
      'POST',
      '/api/v1/approval-policies',
      { id: 'audited-policy', name: 'Audited', requestType: 'audited', chain },
      { sub: 'mona', roles: ['manager'] },
    );
    expect(await recordOf(policy, 201, 'mona')).toMatchObject({
      action: 'approval_policy.created',
      resourceId: 'audited-policy',
      after: { name: 'Audited', enabled: true },
    });
    const disabled = await call('PUT', '/api/v1/approval-policies/audited-policy', { enabled: false }, { sub: 'mona', roles: ['manager'] });
    expect(await recordOf(disabled, 200, 'mona')).toMatchObject({ action: 'approval_policy.updated', before: { enabled: true }, after: { enabled: false } });
    const dropped = await call('DELETE', '/api/v1/approval-policies/audited-policy', undefined, { sub: 'mona', roles: ['manager'] });
    expect(await recordOf(dropped, 204, 'mona')).toMatchObject({ action: 'approval_policy.deleted', before: { name: 'Audited' } });

    const requested = await call('POST', '/api/v1/approval-requests', { type: 'purchase', title: 'New press', chain }, { sub: 'rita', roles: ['operator'] });
    const requestId = requested.body.id;
    expect(await recordOf(requested, 201, 'rita')).toMatchObject({ action: 'approval.requested', resourceType: 'approval_request', resourceId: requestId });
    await until(async () => (await t.api('GET', `/api/v1/approval-requests/${requestId}`)).body.pendingApprovers?.includes('ursula'));
    const approved = await call('POST', `/api/v1/approval-requests/${requestId}/approve`, { comments: 'fine' }, { sub: 'ursula', roles: ['approver'] });
    expect(await recordOf(approved, 200, 'ursula')).toMatchObject({
      action: 'approval.approve',
      resourceId: requestId,
      details: { stepId: 'owner', comments: 'fine' },
      before: { status: 'pending' },
    });
  });

  test('inventory receipts, equipment and published events', async () => {
    const receipt = await call(
      'POST',
      '/api/v1/inventory/receipts',
      { material: 'resin', lot: 'L1', location: 'WH1', quantity: 10, unit: 'kg' },
      { sub: 'otto', roles: ['operator'] },
    );
    expect(await recordOf(receipt, 201, 'otto')).toMatchObject({ action: 'inventory.received', resourceType: 'inventory_lot', after: { unit: 'kg' } });
    const press = await call('POST', '/api/v1/equipment', { id: 'press-1', name: 'Press', kind: 'press' }, { sub: 'otto', roles: ['operator'] });
    expect(await recordOf(press, 201, 'otto')).toMatchObject({ action: 'equipment.created', resourceId: 'press-1', after: { kind: 'press' } });
    const event = await call('POST', '/api/v1/events', { name: 'audit.checked', payload: { ok: true } }, { sub: 'otto', roles: ['operator'] });
    expect(await recordOf(event, 202, 'otto')).toMatchObject({
      action: 'event.published',
      resourceType: 'event',
      resourceId: event.body.id,
      after: { name: 'audit.checked' },
    });
  });
});

test('a refused request writes nothing: validation, not found, conflicts, refused decisions, missing roles', async () => {
  const before = await chainLength();
  const refused = [
    await call('POST', '/api/v1/workflows', { name: 'broken', nodes: [], edges: [] }, admin('alice')),
    await call('PUT', '/api/v1/users/nobody', { name: 'x' }, admin('alice')),
    await call('POST', '/api/v1/users', { id: 'ursula', name: 'Again' }, admin('alice')),
    await call('POST', '/api/v1/equipment', { id: 'press-1', name: 'Again', kind: 'press' }, { sub: 'otto', roles: ['operator'] }),
    await call('PUT', '/api/v1/groups/nogroup/members', { add: ['ursula'] }, admin('alice')),
    await call('POST', '/api/v1/circuit-breakers/unknown.example.test:443/reset', {}, { sub: 'otto', roles: ['operator'] }),
    await call('POST', '/api/v1/users', { id: 'zed', name: 'Zed' }, { sub: 'vera', roles: ['viewer'] }),
    await call('DELETE', `/api/v1/connectors/${connectorId}`, undefined, { sub: 'lena', roles: ['technical_lead'] }),
    await call('POST', `/api/v1/workflows/${workflowId}/instances`, { version: '9.9.9' }, { sub: 'otto', roles: ['operator'] }),
  ];
  const decided = (await audit('?eventTypes=approval.approve')).items[0].resourceId;
  refused.push(await call('POST', `/api/v1/approval-requests/${decided}/approve`, {}, { sub: 'ursula', roles: ['approver'] }));
  expect(refused.map((r) => r.status)).toEqual([422, 404, 409, 409, 404, 404, 403, 404, 404, 409]);
  for (const r of refused) expect((await audit(`?requestId=${r.requestId}`)).items).toEqual([]);
  expect(await chainLength()).toBe(before);
});

test('only admins and auditors read the trail; everyone else gets 403 problem+json', async () => {
  const paths = [
    '/api/v1/audit',
    '/api/v1/audit/verify',
    '/api/v1/audit/export?format=ndjson',
    '/api/v1/audit/workflows/x/summary',
    '/api/v1/audit/users/x/activity',
    '/api/v1/audit/system/stats',
  ];
  for (const path of paths) {
    for (const role of ['viewer', 'operator', 'technical_lead', 'manager', 'approver']) {
      const res = await t.api('GET', path, undefined, { token: t.token([role], `a-${role}`) });
      expect([path, role, res.status, res.headers.get('content-type'), res.body.code]).toEqual([
        path,
        role,
        403,
        'application/problem+json; charset=utf-8',
        'PERMISSION_DENIED',
      ]);
    }
    expect((await t.api('GET', path, undefined, { token: null })).status).toBe(401);
    expect((await t.api('GET', path, undefined, { token: auditorToken() })).status).toBe(200);
    expect((await t.api('GET', path, undefined, { token: t.token(['admin'], 'root') })).status).toBe(200);
  }
});

describe('reading the trail', () => {
  test('filters by workflow, user, event types, resource and time', async () => {
    const all = (await audit('?limit=500')).items as any[];
    expect(all.length).toBe(await chainLength());
    expect(all.map((r) => r.seq)).toEqual([...all.map((r) => r.seq)].sort((a, b) => b - a));

    const byWorkflow = (await audit(`?workflowId=${workflowId}&limit=500`)).items as any[];
    expect(new Set(byWorkflow.map((r) => r.action.split('.')[0]))).toEqual(new Set(['workflow', 'execution']));
    expect(byWorkflow).toEqual(all.filter((r) => r.workflowId === workflowId));

    const byUrsula = (await audit('?userId=ursula&limit=500')).items as any[];
    expect(byUrsula.map((r) => r.action).sort()).toEqual(['approval.approve', 'user.out_of_office_cleared', 'user.out_of_office_set']);

    const types = (await audit('?eventTypes=user.created,group.*&limit=500')).items as any[];
    expect(types.map((r) => r.action).sort()).toEqual(['group.created', 'group.deleted', 'group.members_changed', 'user.created', 'user.created']);
    expect((await audit('?eventTypes=group.*&eventTypes=user.created&limit=500')).items).toEqual(types);

    const resource = (await audit(`?resourceType=connector&resourceId=${connectorId}`)).items as any[];
    expect(resource.map((r) => r.action)).toEqual(['connector.deleted', 'connector.tested', 'connector.updated', 'connector.created']);

    const middle = all[Math.floor(all.length / 2)];
    const fromMiddle = (await audit(`?from=${encodeURIComponent(middle.at)}&limit=500`)).items as any[];
    expect(fromMiddle).toEqual(all.filter((r) => r.at >= middle.at));
    const toMiddle = (await audit(`?to=${encodeURIComponent(middle.at)}&limit=500`)).items as any[];
    expect(toMiddle).toEqual(all.filter((r) => r.at < middle.at));
  });

  test('cursor pagination walks every record once, newest first', async () => {
    const all = (await audit('?limit=500')).items as any[];
    const walked: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await audit(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(7);
      walked.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(walked).toEqual(all);

    const bad = await t.api('GET', '/api/v1/audit?cursor=bm90LWEtY3Vyc29y', undefined, { token: auditorToken() });
    expect([bad.status, bad.body.code, bad.body.errors[0].path]).toEqual([400, 'INVALID_REQUEST', '/cursor']);
    const backwards = await t.api('GET', '/api/v1/audit?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', undefined, { token: auditorToken() });
    expect([backwards.status, backwards.body.errors[0].path]).toEqual([400, '/to']);
    const badType = await t.api('GET', '/api/v1/audit?eventTypes=drop%20table', undefined, { token: auditorToken() });
    expect([badType.status, badType.body.errors[0].path]).toEqual([400, '/eventTypes/0']);
  });

  test('CSV and NDJSON exports parse back to the same records, filters applied, no secret inside', async () => {
    const all = (await audit('?limit=500')).items as any[];
    const chronological = [...all].reverse();

    const ndjson = await fetch(`${t.url}/api/v1/audit/export?format=ndjson`, { headers: { authorization: `Bearer ${auditorToken()}` } });
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(ndjson.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.*\.ndjson"$/);
    const ndjsonText = await ndjson.text();
    const lines = ndjsonText
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(chronological);

    const csv = await fetch(`${t.url}/api/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${auditorToken()}` } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const csvText = await csv.text();
    const [header, ...rows] = parseCsv(csvText);
    expect(header).toEqual([...CSV_COLUMNS]);
    const parsed = rows.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]])));
    expect(parsed).toEqual(
      chronological.map((r) => ({
        seq: String(r.seq),
        id: String(r.id),
        at: r.at,
        actor: r.actor,
        action: r.action,
        resource_type: r.resourceType,
        resource_id: r.resourceId ?? '',
        workflow_id: r.workflowId ?? '',
        request_id: r.requestId ?? '',
        client_ip: r.clientIp ?? '',
        user_agent: r.userAgent ?? '',
        details: r.details === null ? '' : JSON.stringify(r.details),
        before: r.before === null ? '' : JSON.stringify(r.before),
        after: r.after === null ? '' : JSON.stringify(r.after),
        prev_hash: r.prevHash,
        hash: r.hash,
      })),
    );
    for (const row of parsed) for (const json of ['details', 'before', 'after']) if (row[json]) expect(() => JSON.parse(row[json]!)).not.toThrow();

    for (const text of [ndjsonText, csvText]) for (const secret of CONNECTOR_SECRETS) expect(text).not.toContain(secret);

    const filtered = await fetch(`${t.url}/api/v1/audit/export?format=ndjson&eventTypes=connector.*`, {
      headers: { authorization: `Bearer ${auditorToken()}` },
    });
    expect(
      (await filtered.text())
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).action),
    ).toEqual(['connector.created', 'connector.updated', 'connector.tested', 'connector.deleted']);
    const bad = await t.api('GET', '/api/v1/audit/export?format=xml', undefined, { token: auditorToken() });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, '/format']);
  });

  test('summaries per workflow, per user and for the system', async () => {
    const wf = (await t.api('GET', `/api/v1/audit/workflows/${workflowId}/summary?days=1`, undefined, { token: auditorToken() })).body;
    expect(wf).toMatchObject({
      workflowId,
      days: 1,
      byEventType: { 'workflow.created': 1, 'workflow.version_created': 1, 'workflow.published': 1, 'execution.started': 1, 'execution.suspended': 1 },
      executions: { started: 1, completed: 0, cancelled: 1, failed: 0 },
    });
    expect(wf.total).toBe(Object.values(wf.byEventType as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(wf.byUser).toEqual(
      expect.arrayContaining([
        { userId: 'alice', count: 2 },
        { userId: 'bob', count: 1 },
      ]),
    );
    expect(wf.perDay).toEqual([{ day: new Date().toISOString().slice(0, 10), count: wf.total }]);

    const ursula = (await t.api('GET', '/api/v1/audit/users/ursula/activity', undefined, { token: auditorToken() })).body;
    expect(ursula).toMatchObject({ userId: 'ursula', days: 7, total: 3, byResourceType: { user: 2, approval_request: 1 } });
    expect(ursula.recent.map((r: any) => r.action)).toEqual(['approval.approve', 'user.out_of_office_cleared', 'user.out_of_office_set']);

    const all = (await audit('?limit=500')).items as any[];
    const stats = (await t.api('GET', '/api/v1/audit/system/stats?days=30', undefined, { token: t.token(['admin'], 'root') })).body;
    expect(stats.total).toBe(all.length);
    expect(stats.chainLength).toBe(all[0].seq);
    expect(stats.topUsers[0]).toEqual({ userId: 'alice', count: all.filter((r) => r.actor === 'alice').length });
    expect(stats.topWorkflows).toEqual(expect.arrayContaining([{ workflowId, count: all.filter((r) => r.workflowId === workflowId).length }]));
    expect(stats.byResourceType.connector).toBe(4);

    const bad = await t.api('GET', '/api/v1/audit/system/stats?days=0', undefined, { token: auditorToken() });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, '/days']);
  });
});

test('concurrent changes through the API keep one unbroken chain', async () => {
  const before = await chainLength();
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      call('POST', '/api/v1/equipment', { id: `rack-${i}`, name: `Rack ${i}`, kind: 'rack' }, { sub: 'otto', roles: ['operator'] }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
  expect(await chainLength()).toBe(before + 20);
});

test('verify reports the first record edited directly in the database', async () => {
  const target = (await audit('?eventTypes=user.created')).items.find((r: any) => r.resourceId === 'ursula');
  const db = t.weft.database.db;
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await tx.execute(sql`update audit_log set after = jsonb_set(after, '{roles}', '["admin"]') where seq = ${target.seq}`);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
  const res = await t.api('GET', '/api/v1/audit/verify', undefined, { token: auditorToken() });
  expect(res.body).toMatchObject({
    intact: false,
    records: target.seq - 1,
    firstMismatch: { seq: target.seq, id: target.id, reason: 'hash_mismatch', found: target.hash },
  });
});

/** RFC 4180 CSV (quoted cells, doubled quotes, CRLF rows) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
