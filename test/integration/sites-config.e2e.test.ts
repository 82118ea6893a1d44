/**
 * Sites and their configuration end to end (issue 15, Sites) on real Temporal and PostgreSQL:
 * inheritance over four levels with provenance, requirements per level, type / schema / option
 * violations with their paths, ETags, clone, history with reasons, secrets never in clear, parent
 * cycles refused, and writes to a production site waiting for a `config_change` approval.
 */
import { resolveSecretsKey } from '../../src/auth/secrets-key';
import { SecretBox } from '../../src/domain/secret-box';
import { SiteConfigService } from '../../src/services/site-config';
import { startTestWeft, type ApiResponse, type TestWeft } from '../support/harness';
import { historyText } from '../support/secret-leaks';

jest.setTimeout(120_000);

let t: TestWeft;
const LEAD = { sub: 'tl-ann', roles: ['technical_lead'] };

async function call(method: string, path: string, body?: unknown, who = LEAD, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return t.api(method, `/api/v1${path}`, body, { token: t.token(who.roles, who.sub), headers });
}

async function ok(method: string, path: string, body?: unknown, status = 200, who = LEAD): Promise<any> {
  const res = await call(method, path, body, who);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function effective(siteId: string): Promise<Record<string, any>> {
  const body = await ok('GET', `/sites/${siteId}/config`);
  return Object.fromEntries(body.items.map((i: any) => [i.key, i]));
}

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  const param = (p: Record<string, unknown>) => ok('POST', '/config/parameters', p, 201);
  await param({ key: 'maxTemp', name: 'Max temperature', type: 'number', defaultValue: 50, validation: { minimum: 0, maximum: 500 }, category: 'process' });
  await param({ key: 'lineSpeed', name: 'Line speed', type: 'number' });
  await param({ key: 'currency', name: 'Currency', type: 'string' });
  await param({ key: 'language', name: 'Language', type: 'string' });
  await param({ key: 'shiftLength', name: 'Shift length', type: 'number', defaultValue: 8 });
  await ok('POST', '/sites', { id: 'plant-a', name: 'Plant A', location: 'Lyon', region: 'eu-west', environment: 'staging', timeZone: 'Europe/Paris' }, 201);
  await ok('POST', '/sites', { id: 'line-1', name: 'Line 1', region: 'eu-west', environment: 'staging', parentSiteId: 'plant-a' }, 201);
  await ok('POST', '/sites', { id: 'plant-b', name: 'Plant B', region: 'us-east', environment: 'development', timeZone: 'America/New_York' }, 201);
  for (const [path, value] of [
    ['/config/global/maxTemp', 100],
    ['/config/regions/eu-west/maxTemp', 200],
    ['/sites/plant-a/config/maxTemp', 300],
    ['/sites/line-1/config/maxTemp', 350],
    ['/config/global/lineSpeed', 10],
    ['/config/regions/eu-west/lineSpeed', 20],
    ['/sites/plant-a/config/lineSpeed', 30],
    ['/config/global/currency', 'USD'],
    ['/config/regions/eu-west/currency', 'EUR'],
    ['/config/global/language', 'en'],
  ] as const) {
    await ok('PUT', path, { value, reason: `initial ${path}` }, 201);
  }
});

afterAll(async () => {
  await t?.stop();
});

test('resolution over four levels (global, region, parent site, site) with provenance', async () => {
  const line = await effective('line-1');
  expect(line.maxTemp).toMatchObject({ value: 350, scope: 'site', source: 'site:line-1', inheritedFrom: null, overriddenAt: 'site:line-1', setBy: 'tl-ann' });
  expect(line.maxTemp.shadowed.map((s: any) => s.source)).toEqual(['site:plant-a', 'region:eu-west', 'global']);
  expect(line.lineSpeed).toMatchObject({ value: 30, scope: 'site', inheritedFrom: 'site:plant-a', overriddenAt: 'site:plant-a' });
  expect(line.currency).toMatchObject({ value: 'EUR', scope: 'region', inheritedFrom: 'region:eu-west', overriddenAt: 'region:eu-west' });
  expect(line.language).toMatchObject({ value: 'en', scope: 'global', inheritedFrom: 'global', overriddenAt: null });
  expect(line.shiftLength).toMatchObject({ value: 8, scope: 'default', inheritedFrom: 'default', setBy: null });
  expect((await effective('plant-b')).maxTemp).toMatchObject({ value: 100, scope: 'global' });

  const one = await call('GET', '/sites/line-1/config/maxTemp', undefined, { sub: 'vic', roles: ['viewer'] });
  expect(one.status).toBe(200);
  expect(one.headers.get('etag')).toBe(`"${one.body.etag}"`);
  const inherited = await call('GET', '/sites/line-1/config/lineSpeed');
  expect(inherited.headers.get('etag')).toBe('"absent"');

  // Removing the site's override lets the parent site's value through.
  expect((await call('DELETE', '/sites/line-1/config/maxTemp', { reason: 'use the plant value' })).status).toBe(204);
  expect((await effective('line-1')).maxTemp).toMatchObject({ value: 300, inheritedFrom: 'site:plant-a' });
  await ok('PUT', '/sites/line-1/config/maxTemp', { value: 350, reason: 'line runs hotter' }, 201);

  // resolveForStart: non-secret values, provenance and errors, in one call.
  const service = new SiteConfigService(t.weft.database.db, new SecretBox(resolveSecretsKey(t.settings)));
  const start = await service.resolveForStart('line-1');
  expect(start.site).toEqual({ id: 'line-1', name: 'Line 1', region: 'eu-west', environment: 'staging', timeZone: 'UTC', isActive: true });
  expect(start.config).toMatchObject({ maxTemp: 350, lineSpeed: 30, currency: 'EUR', language: 'en', shiftLength: 8 });
  expect(start.provenance.lineSpeed).toMatchObject({ scope: 'site', source: 'site:plant-a', setBy: 'tl-ann' });
  await expect(service.resolveForStart('nowhere')).rejects.toMatchObject({ code: 'SITE_NOT_FOUND', status: 404 });

  // Reads are for anyone; writes for technical leads and admins.
  expect((await call('PUT', '/config/global/language', { value: 'fr' }, { sub: 'otto', roles: ['operator'] })).body.code).toBe('PERMISSION_DENIED');
});

test('a parameter required at site level missing at one site; required at regional level', async () => {
  await ok('POST', '/config/parameters', { key: 'stationCode', name: 'Station code', type: 'string', requiredAtLevel: 'site' }, 201);
  await ok('POST', '/config/parameters', { key: 'plantManager', name: 'Plant manager', type: 'string', requiredAtLevel: 'regional' }, 201);
  await ok('PUT', '/sites/plant-a/config/stationCode', { value: 'A-01' }, 201);
  await ok('PUT', '/config/global/plantManager', { value: 'Nobody' }, 201);
  await ok('PUT', '/config/regions/eu-west/plantManager', { value: 'Marie' }, 201);

  // line-1 inherits the station code from its parent site: that is a site-level value.
  const line = await ok('POST', '/sites/line-1/config/validate', {});
  expect(line.errors.filter((e: any) => ['stationCode', 'plantManager'].includes(e.key))).toEqual([]);
  const b = await ok('POST', '/sites/plant-b/config/validate', {}, 200, { sub: 'vic', roles: ['viewer'] });
  expect(b.valid).toBe(false);
  expect(b.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ key: 'stationCode', path: '/stationCode', code: 'missing_required' }),
      // A global value does not meet a regional requirement.
      expect.objectContaining({ key: 'plantManager', path: '/plantManager', code: 'missing_required' }),
    ]),
  );
  const start = await new SiteConfigService(t.weft.database.db, new SecretBox(resolveSecretsKey(t.settings))).resolveForStart('plant-b');
  expect(start.errors.map((e) => e.key).sort()).toEqual(['plantManager', 'stationCode']);
  await ok('PUT', '/sites/plant-b/config/stationCode', { value: 'B-01' }, 201);
  await ok('PUT', '/config/regions/us-east/plantManager', { value: 'Joe' }, 201);
  expect(await ok('POST', '/sites/plant-b/config/validate', {})).toEqual({ valid: true, errors: [] });
});

test('type, schema and select option violations are refused with their JSON paths', async () => {
  const wrongType = await call('PUT', '/config/global/maxTemp', { value: 'hot' });
  expect(wrongType.status).toBe(422);
  expect(wrongType.body).toMatchObject({ code: 'CONFIG_INVALID', errors: [{ path: '/value', code: 'wrong_type' }] });
  const tooHot = await call('PUT', '/sites/plant-a/config/maxTemp', { value: 900 });
  expect(tooHot.body).toMatchObject({ status: 422, code: 'CONFIG_INVALID', errors: [{ path: '/value', code: 'schema' }] });

  const limitsSchema = { type: 'object', required: ['rates'], properties: { rates: { type: 'array', items: { type: 'number' } } } };
  await ok('POST', '/config/parameters', { key: 'limits', name: 'Limits', type: 'json', validation: limitsSchema }, 201);
  const nested = await call('PUT', '/config/global/limits', { value: { rates: [1, 'x', 3] } });
  expect(nested.body).toMatchObject({ code: 'CONFIG_INVALID', errors: [{ path: '/value/rates/1', code: 'schema' }] });

  const options = [
    { value: 'fast', label: 'Fast' },
    { value: 'safe', label: 'Safe' },
  ];
  await ok('POST', '/config/parameters', { key: 'mode', name: 'Mode', type: 'select', options, defaultValue: 'safe' }, 201);
  const unknown = await call('PUT', '/config/regions/eu-west/mode', { value: 'turbo' });
  expect(unknown.body).toMatchObject({ code: 'CONFIG_INVALID', errors: [{ path: '/value', code: 'unknown_option' }] });

  // Parameters themselves are checked with paths.
  const badParam = await call('POST', '/config/parameters', { key: 'bad', name: 'Bad', type: 'number', defaultValue: -1, validation: { minimum: 0 } });
  expect(badParam.body).toMatchObject({ status: 422, code: 'VALIDATION_ERROR', errors: [{ path: '/defaultValue', code: 'schema' }] });
  const noOptions = await call('POST', '/config/parameters', { key: 'bad', name: 'Bad', type: 'select' });
  expect(noOptions.body.errors).toEqual([expect.objectContaining({ path: '/options' })]);
  const badSchema = await call('POST', '/config/parameters', { key: 'bad', name: 'Bad', type: 'string', validation: { type: 'string', pattern: '(a+)+$' } });
  expect(badSchema.body.errors[0].path).toBe('/validation/pattern');

  // A stricter schema later: validate names the value that no longer fits and where it is set.
  await ok('PATCH', '/config/parameters/lineSpeed', { validation: { maximum: 25 } });
  const report = await ok('POST', '/sites/line-1/config/validate', {});
  expect(report.errors).toContainEqual(expect.objectContaining({ key: 'lineSpeed', path: '/lineSpeed', code: 'schema', source: 'site:plant-a' }));
  await ok('PATCH', '/config/parameters/lineSpeed', { validation: null });
  const inUse = await call('DELETE', '/config/parameters/lineSpeed');
  expect(inUse.body).toMatchObject({ status: 409, code: 'CONFIG_PARAMETER_IN_USE' });
});

test('a write with a stale If-Match is refused with 412', async () => {
  const read = await call('GET', '/config/regions/eu-west/currency');
  const first = read.headers.get('etag') as string;
  const updated = await call('PUT', '/config/regions/eu-west/currency', { value: 'CHF', reason: 'Swiss' }, LEAD, { 'if-match': first });
  expect(updated.status).toBe(200);
  expect(updated.headers.get('etag')).not.toBe(first);
  const stale = await call('PUT', '/config/regions/eu-west/currency', { value: 'GBP' }, { sub: 'tl-bob', roles: ['technical_lead'] }, { 'if-match': first });
  expect(stale.status).toBe(412);
  expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED', title: 'Precondition Failed' });
  expect((await call('GET', '/config/regions/eu-west/currency')).body.value).toBe('CHF');
  expect((await call('DELETE', '/config/regions/eu-west/currency', undefined, LEAD, { 'if-match': first })).status).toBe(412);

  // "absent": the writer read no override at the site; a second writer who read the same loses.
  const none = await call('GET', '/sites/plant-b/config/language');
  expect(none.headers.get('etag')).toBe('"absent"');
  expect((await call('PUT', '/sites/plant-b/config/language', { value: 'es' }, LEAD, { 'if-match': '"absent"' })).status).toBe(201);
  expect((await call('PUT', '/sites/plant-b/config/language', { value: 'de' }, LEAD, { 'if-match': '"absent"' })).status).toBe(412);
  expect((await call('PUT', '/sites/plant-b/config/language', { value: 'de' }, LEAD, { 'if-match': 'garbage' })).body.code).toBe('INVALID_REQUEST');
});

test('secret parameters are never shown in clear: not in answers, history, audit or approvals', async () => {
  const secret = 'hunter2-very-secret';
  await ok('POST', '/config/parameters', { key: 'erpPassword', name: 'ERP password', type: 'string', secret: true, validation: { minLength: 8 } }, 201);
  const withDefault = await call('POST', '/config/parameters', { key: 'leaky', name: 'Leaky', type: 'string', secret: true, defaultValue: 'x' });
  expect(withDefault.body).toMatchObject({ status: 422, errors: [{ path: '/defaultValue' }] });
  const short = await call('PUT', '/config/global/erpPassword', { value: 'short' });
  expect(short.body).toMatchObject({ code: 'CONFIG_INVALID', errors: [{ path: '/value', code: 'schema' }] });
  expect(JSON.stringify(short.body)).not.toContain('short"');
  const put = await ok('PUT', '/config/global/erpPassword', { value: secret, reason: 'rotation' }, 201);
  expect(put).toMatchObject({ value: '***', secret: true });
  await ok('PUT', '/sites/plant-a/config/erpPassword', { value: `${secret}-plant`, reason: 'plant account' }, 201);

  const answers = [
    put,
    await ok('GET', '/config/global/erpPassword'),
    await ok('GET', '/sites/line-1/config/erpPassword'),
    await ok('GET', '/sites/line-1/config'),
    await ok('GET', '/config/history?key=erpPassword'),
    await ok('GET', '/audit?resourceType=config_value&limit=500', undefined, 200, { sub: 'aud', roles: ['auditor'] }),
  ];
  expect((await ok('GET', '/sites/line-1/config/erpPassword')).value).toBe('***');
  expect((await ok('GET', '/config/history?key=erpPassword')).items[0]).toMatchObject({ newValue: '***', secret: true, reason: 'plant account' });
  for (const a of answers) expect(JSON.stringify(a)).not.toContain(secret);

  const start = await new SiteConfigService(t.weft.database.db, new SecretBox(resolveSecretsKey(t.settings))).resolveForStart('line-1');
  expect(start.secretKeys).toEqual(['erpPassword']);
  expect(start.config).not.toHaveProperty('erpPassword');
  expect(JSON.stringify(start)).not.toContain(secret);
  expect(start.errors.filter((e) => e.key === 'erpPassword')).toEqual([]);
});

test('clone copies the source site-level values, with the reason', async () => {
  await ok('POST', '/sites', { id: 'plant-c', name: 'Plant C', region: 'eu-west', environment: 'staging' }, 201);
  const cloned = await ok('POST', '/sites/plant-c/config/clone', { fromSiteId: 'plant-a', reason: 'set up like Plant A' });
  expect(cloned.keys.sort()).toEqual(['erpPassword', 'lineSpeed', 'maxTemp', 'stationCode']);
  const c = await effective('plant-c');
  expect(c.maxTemp).toMatchObject({ value: 300, source: 'site:plant-c', inheritedFrom: null, reason: 'set up like Plant A' });
  expect(c.erpPassword).toMatchObject({ value: '***', source: 'site:plant-c' });
  expect((await ok('POST', '/sites/plant-c/config/validate', {})).errors.filter((e: any) => e.key === 'erpPassword')).toEqual([]);
  expect((await call('POST', '/sites/plant-c/config/clone', { fromSiteId: 'plant-c' })).body.errors[0].path).toBe('/fromSiteId');
  expect((await call('POST', '/sites/plant-c/config/clone', { fromSiteId: 'nowhere' })).body.code).toBe('SITE_NOT_FOUND');
  const audit = await ok('GET', '/audit?eventTypes=config.cloned', undefined, 200, { sub: 'aud', roles: ['auditor'] });
  expect(audit.items[0]).toMatchObject({ actor: 'tl-ann', resourceId: 'site:plant-c', details: { fromSiteId: 'plant-a', reason: 'set up like Plant A' } });
});

test('history says who changed what from what to what, and why; filtered by site, key, scope and time', async () => {
  const all = await ok('GET', '/config/history?key=maxTemp&siteId=line-1');
  expect(all.items.map((i: any) => [i.action, i.oldValue, i.newValue, i.reason])).toEqual([
    ['set', null, 350, 'line runs hotter'],
    ['deleted', 350, null, 'use the plant value'],
    ['set', null, 350, 'initial /sites/line-1/config/maxTemp'],
  ]);
  expect(all.items[0]).toMatchObject({ scope: 'site', scopeId: 'line-1', changedBy: 'tl-ann' });
  const currency = await ok('GET', '/config/history?region=eu-west&key=currency');
  expect(currency.items[0]).toMatchObject({ oldValue: 'EUR', newValue: 'CHF', reason: 'Swiss' });
  const globalOnly = await ok('GET', '/config/history?scope=global&limit=500');
  expect(globalOnly.items.every((i: any) => i.scope === 'global')).toBe(true);
  const page1 = await ok('GET', '/config/history?key=maxTemp&limit=2');
  const page2 = await ok('GET', `/config/history?key=maxTemp&limit=2&cursor=${page1.nextCursor}`);
  expect(page2.items[0].id).not.toBe(page1.items[1].id);
  expect(Number(page2.items[0].id)).toBeLessThan(Number(page1.items[1].id));
  const past = await ok('GET', '/config/history?to=2000-01-01T00:00:00Z');
  expect(past.items).toEqual([]);
  const since = await ok('GET', `/config/history?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
  expect(since.items).toEqual([]);
});

test('sites: list with filters and cursor, patch, deactivate, and parent cycles refused', async () => {
  const page1 = await ok('GET', '/sites?limit=2');
  expect(page1.items.map((s: any) => s.id)).toEqual(['line-1', 'plant-a']);
  const page2 = await ok('GET', `/sites?limit=2&cursor=${page1.nextCursor}`);
  expect(page2.items.map((s: any) => s.id)).toEqual(['plant-b', 'plant-c']);
  expect((await ok('GET', '/sites?region=us-east')).items.map((s: any) => s.id)).toEqual(['plant-b']);
  expect((await ok('GET', '/sites?environment=development')).items.map((s: any) => s.id)).toEqual(['plant-b']);

  expect((await call('POST', '/sites', { id: 'plant-a', name: 'Again', region: 'eu-west', environment: 'staging' })).body.code).toBe('SITE_CONFLICT');
  const badZone = await call('POST', '/sites', { id: 'plant-z', name: 'Z', region: 'eu-west', environment: 'staging', timeZone: 'Mars/Olympus' });
  expect(badZone.body).toMatchObject({ status: 422, errors: [{ path: '/timeZone' }] });
  expect((await call('POST', '/sites', { id: 'Bad Slug', name: 'Z', region: 'eu-west', environment: 'staging' })).body.errors[0].path).toBe('/id');
  expect((await call('GET', '/sites/nowhere')).body).toMatchObject({ status: 404, code: 'SITE_NOT_FOUND' });

  const cycle = await call('PATCH', '/sites/plant-a', { parentSiteId: 'line-1' });
  expect(cycle.status).toBe(409);
  expect(cycle.body).toMatchObject({ code: 'SITE_PARENT_CYCLE', errors: [{ path: '/parentSiteId', code: 'cycle' }] });
  expect((await call('PATCH', '/sites/plant-a', { parentSiteId: 'plant-a' })).body.code).toBe('SITE_PARENT_CYCLE');
  expect((await call('PATCH', '/sites/plant-a', { parentSiteId: 'nowhere' })).body).toMatchObject({ status: 422, errors: [{ path: '/parentSiteId' }] });
  expect((await ok('GET', '/sites/plant-a')).parentSiteId).toBeNull();

  const patched = await ok('PATCH', '/sites/plant-c', { location: 'Turin', metadata: { lines: 3 }, parentSiteId: 'plant-a' });
  expect(patched).toMatchObject({ location: 'Turin', metadata: { lines: 3 }, parentSiteId: 'plant-a' });
  const off = await ok('POST', '/sites/plant-c/deactivate', { reason: 'closed for refit' });
  expect(off.isActive).toBe(false);
  expect((await ok('GET', '/sites?active=false')).items.map((s: any) => s.id)).toEqual(['plant-c']);
  expect((await new SiteConfigService(t.weft.database.db, new SecretBox(resolveSecretsKey(t.settings))).resolveForStart('plant-c')).site.isActive).toBe(false);

  const audit = await ok('GET', '/audit?resourceType=site&resourceId=plant-a', undefined, 200, { sub: 'aud', roles: ['auditor'] });
  // Refused patches wrote nothing: only the creation.
  expect(audit.items.map((a: any) => a.action)).toEqual(['site.created']);
  const actions = (await ok('GET', '/audit?resourceType=site&resourceId=plant-c', undefined, 200, { sub: 'aud', roles: ['auditor'] })).items.map(
    (a: any) => a.action,
  );
  expect(actions).toEqual(['site.deactivated', 'site.updated', 'site.created']);
});

test('with a config_change policy, writes to a production site wait for approval and apply once approved', async () => {
  await ok('POST', '/users', { id: 'ursula', name: 'Ursula', roles: ['approver'] }, 201, { sub: 'root', roles: ['admin'] });
  const chain = { steps: [{ id: 'owner', approvers: [{ type: 'user', identifier: 'ursula' }] }] };
  await ok('POST', '/approval-policies', { id: 'config-changes', name: 'Config changes', requestType: 'config_change', chain }, 201, {
    sub: 'mona',
    roles: ['manager'],
  });
  await ok('POST', '/sites', { id: 'prod-1', name: 'Prod 1', region: 'eu-west', environment: 'production' }, 201);
  const URSULA = { sub: 'ursula', roles: ['approver'] };

  const asked = await call('PUT', '/sites/prod-1/config/maxTemp', { value: 250, reason: 'summer profile' });
  expect(asked.status).toBe(202);
  expect(asked.body).toMatchObject({ status: 'pending_approval', changeId: expect.any(String), approvalRequestId: expect.any(String) });
  expect((await effective('prod-1')).maxTemp).toMatchObject({ value: 200, scope: 'region' });
  // Staging sites are not gated.
  expect((await call('PUT', '/sites/plant-a/config/language', { value: 'fr' })).status).toBe(201);

  const request = await until(async () => {
    const r = await ok('GET', `/approval-requests/${asked.body.approvalRequestId}`);
    return r.pendingApprovers?.includes('ursula') && r;
  });
  expect(request).toMatchObject({ type: 'config_change', data: { siteId: 'prod-1', changes: [{ key: 'maxTemp', value: 250 }] } });
  await ok('POST', `/approval-requests/${asked.body.approvalRequestId}/approve`, { comments: 'ok' }, 200, URSULA);
  await until(async () => (await ok('GET', `/config/changes/${asked.body.changeId}`)).status === 'applied');
  expect((await effective('prod-1')).maxTemp).toMatchObject({ value: 250, scope: 'site', setBy: 'tl-ann', reason: 'summer profile' });
  const history = await ok('GET', '/config/history?siteId=prod-1&key=maxTemp');
  expect(history.items[0]).toMatchObject({ newValue: 250, changedBy: 'tl-ann', approvalRequestId: asked.body.approvalRequestId });

  // A rejected change is not applied; of two changes asked from the same value, the second to be approved conflicts.
  const rejected = (await call('PUT', '/sites/prod-1/config/maxTemp', { value: 260, reason: 'hotter' })).body;
  const first = (await call('PUT', '/sites/prod-1/config/maxTemp', { value: 270, reason: 'A' })).body;
  const second = (await call('PUT', '/sites/prod-1/config/maxTemp', { value: 280, reason: 'B' })).body;
  const secret = 'prod-secret-password';
  const secretChange = (await call('PUT', '/sites/prod-1/config/erpPassword', { value: secret, reason: 'prod account' })).body;
  for (const c of [rejected, first, second, secretChange]) {
    await until(async () => (await ok('GET', `/approval-requests/${c.approvalRequestId}`)).pendingApprovers?.includes('ursula'));
  }
  await ok('POST', `/approval-requests/${rejected.approvalRequestId}/reject`, { comments: 'no' }, 200, URSULA);
  await ok('POST', `/approval-requests/${first.approvalRequestId}/approve`, {}, 200, URSULA);
  await ok('POST', `/approval-requests/${second.approvalRequestId}/approve`, {}, 200, URSULA);
  await ok('POST', `/approval-requests/${secretChange.approvalRequestId}/approve`, {}, 200, URSULA);
  const settled = async (id: string) => until(async () => (await ok('GET', `/config/changes/${id}`)).settledAt && ok('GET', `/config/changes/${id}`));
  expect(await settled(rejected.changeId)).toMatchObject({ status: 'rejected' });
  expect(await settled(first.changeId)).toMatchObject({ status: 'applied' });
  expect(await settled(second.changeId)).toMatchObject({ status: 'conflict' });
  expect(await settled(secretChange.changeId)).toMatchObject({ status: 'applied', changes: [{ key: 'erpPassword', value: '***' }] });
  expect((await effective('prod-1')).maxTemp).toMatchObject({ value: 270, reason: 'A' });
  expect((await effective('prod-1')).erpPassword).toMatchObject({ value: '***', source: 'site:prod-1' });

  const audit = await ok('GET', '/audit?eventTypes=config.*&limit=500', undefined, 200, { sub: 'aud', roles: ['auditor'] });
  const actions = audit.items.map((a: any) => a.action);
  expect(actions).toEqual(expect.arrayContaining(['config.change_requested', 'config.change_applied', 'config.change_discarded']));
  expect(JSON.stringify(audit)).not.toContain(secret);
  expect(JSON.stringify(await ok('GET', `/approval-requests/${secretChange.approvalRequestId}`))).not.toContain(secret);
  expect(await historyText(t, secretChange.approvalRequestId)).not.toContain(secret);
});
