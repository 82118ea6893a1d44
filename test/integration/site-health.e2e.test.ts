/**
 * Site health checks (real Temporal, real PostgreSQL): a site's configured checks — its recent
 * error rate for the workflow, an HTTP probe through the outbound address guard to a loopback
 * peer allowed by WEFT_HTTP_ALLOWED_HOSTS, a smoke dry run — fold into healthy, degraded or
 * unhealthy; each run is stored and listed newest first.
 */
import { startFakeService, json, type FakeService } from '../support/fake-service';
import { startTestWeft, type TestWeft } from '../support/harness';
import { createSites, ok, runAtSites, twoVersions, versionGraph } from '../support/rollout-fixtures';

let t: TestWeft;
let svc: FakeService;
let flaky: string;

const configure = (site: string, checks: unknown) => ok(t, 'PUT', `/sites/${site}/health-checks/config`, checks);
const check = (site: string, version = '1.1.0') => ok(t, 'POST', `/sites/${site}/health-checks`, { workflowId: flaky, version, rolloutId: 'ro-health' }, 201);
const byName = (result: any) => Object.fromEntries(result.checks.map((c: any) => [c.name, c]));

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((req, res) => {
    if (req.url.startsWith('/orders')) return json(res, 500, { error: 'broken' });
    if (req.url.startsWith('/slow')) return void setTimeout(() => json(res, 200, { ok: true }), 250);
    json(res, req.url.startsWith('/down') ? 503 : 200, { ok: true });
  });
  t = await startTestWeft({ database: 'postgres', allowedHosts: [svc.host] });
  await createSites(t, ['hc-good', 'hc-slow', 'hc-bad', 'hc-none']);
  // 1.0.0 works; 1.1.0 calls a peer that answers 500.
  flaky = await twoVersions(t, versionGraph('hc-flaky'), versionGraph('hc-flaky', { failUrl: `${svc.url}/orders` }));
  await Promise.all([runAtSites(t, flaky, '1.0.0', ['hc-good'], 4), runAtSites(t, flaky, '1.1.0', ['hc-bad'], 4)]);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

const errorRate = { windowSeconds: 600, minSampleSize: 3, degradedAbovePercentage: 10, unhealthyAbovePercentage: 50 };

test('a site without checks is healthy with none; the configuration is audited', async () => {
  const result = await check('hc-none');
  expect(result).toMatchObject({ status: 'healthy', checks: [] });
  expect(await ok(t, 'GET', '/sites/hc-none/health-checks/config')).toMatchObject({ checks: {}, updatedBy: null });
  const saved = await configure('hc-none', { httpProbe: { url: `${svc.url}/health` } });
  expect(saved.checks.httpProbe).toEqual({ url: `${svc.url}/health`, expectStatus: 200, timeoutMs: 5000 });
  const audit = await ok(t, 'GET', '/audit?resourceType=site&resourceId=hc-none&eventTypes=site.health_checks_configured');
  expect(audit.items).toHaveLength(1);
});

test('healthy: a low error rate, a probe that answers, a smoke dry run that completes — each with its duration', async () => {
  await configure('hc-good', { errorRate, httpProbe: { url: `${svc.url}/health`, expectStatus: 200 }, smoke: { input: { n: 1 } } });
  const result = await check('hc-good', '1.0.0');
  expect(result.status).toBe('healthy');
  const checks = byName(result);
  expect(checks.error_rate).toMatchObject({ status: 'pass', detail: expect.stringMatching(/0 of 4 executions failed/) });
  expect(checks.http_probe).toMatchObject({ status: 'pass', detail: expect.stringMatching(/answered 200/) });
  expect(checks.smoke_execution).toMatchObject({ status: 'pass' });
  for (const c of result.checks) expect(c.durationMs).toBeGreaterThanOrEqual(0);
  expect(svc.requests.some((r) => r.url === '/health')).toBe(true);
});

test('degraded: the probe answers, but slower than its limit', async () => {
  await configure('hc-slow', { httpProbe: { url: `${svc.url}/slow`, degradedAboveMs: 100 } });
  const result = await check('hc-slow');
  expect(result.status).toBe('degraded');
  expect(byName(result).http_probe).toMatchObject({ status: 'warning', detail: expect.stringMatching(/slower than 100 ms/) });
  expect(byName(result).http_probe.durationMs).toBeGreaterThanOrEqual(200);
});

test('unhealthy: the version fails at the site, the probe answers 503, and a private address is refused by the guard', async () => {
  await configure('hc-bad', { errorRate, httpProbe: { url: `${svc.url}/down` } });
  const result = await check('hc-bad');
  expect(result.status).toBe('unhealthy');
  expect(byName(result).error_rate).toMatchObject({ status: 'fail', detail: expect.stringMatching(/4 of 4 executions failed \(100%\).*above 50%/) });
  expect(byName(result).http_probe).toMatchObject({ status: 'fail', detail: expect.stringMatching(/answered 503, expected 200/) });

  await configure('hc-bad', { httpProbe: { url: 'http://169.254.169.254/latest/meta-data' } });
  const blocked = await check('hc-bad');
  expect(blocked.status).toBe('unhealthy');
  expect(byName(blocked).http_probe.detail).toMatch(/not a public address/);
});

test('results are stored and listed newest first, `limit` at a time', async () => {
  const history = await ok(t, 'GET', '/sites/hc-bad/health-checks?limit=1');
  expect(history.items).toHaveLength(1);
  expect(history.items[0]).toMatchObject({
    siteId: 'hc-bad',
    rolloutId: 'ro-health',
    definitionId: flaky,
    version: '1.1.0',
    status: 'unhealthy',
    failureCount: 1,
  });
  const all = await ok(t, 'GET', '/sites/hc-bad/health-checks');
  expect(all.items).toHaveLength(2);
  expect(all.items[0].checks[0].detail).toMatch(/not a public address/);
  expect(Date.parse(all.items[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(all.items[1].createdAt));
});

test('refusals: unknown site, a bad configuration with its paths, a viewer', async () => {
  const missing = await t.api('GET', '/api/v1/sites/nowhere/health-checks');
  expect([missing.status, missing.body.code]).toEqual([404, 'SITE_NOT_FOUND']);
  const bad = await t.api('PUT', '/api/v1/sites/hc-good/health-checks/config', {
    errorRate: { ...errorRate, unhealthyAbovePercentage: 5 },
    httpProbe: { url: 'ftp://example.com' },
  });
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['/errorRate/unhealthyAbovePercentage', '/httpProbe/url']);
  const viewer = await t.api('POST', '/api/v1/sites/hc-good/health-checks', { workflowId: flaky, version: '1.0.0' }, { token: t.token(['viewer']) });
  expect(viewer.status).toBe(403);
});

test("the smoke dry run sees the site's configuration, as an execution there would", async () => {
  await ok(t, 'POST', '/config/parameters', { key: 'lineMode', name: 'Line mode', type: 'string' }, 201);
  await createSites(t, ['hc-ready', 'hc-unset']);
  await ok(t, 'PUT', '/sites/hc-ready/config/lineMode', { value: 'ready', reason: 'commissioned' }, 201);
  const created = await ok(
    t,
    'POST',
    '/workflows',
    {
      name: 'hc-config',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'mode', type: 'SWITCH', properties: { expression: 'config.lineMode' } },
        { id: 'end', type: 'END', properties: { output: { at: 'execution.site.id' } } },
      ],
      edges: [
        { source: 'start', target: 'mode' },
        { source: 'mode', sourcePort: 'ready', target: 'end' },
      ],
    },
    201,
  );
  await ok(t, 'POST', `/workflows/${created.id}/publish`, {});
  const smokeAt = async (site: string) => {
    await configure(site, { smoke: { input: {} } });
    const result = await ok(t, 'POST', `/sites/${site}/health-checks`, { workflowId: created.id, version: '1.0.0' }, 201);
    return byName(result).smoke_execution;
  };
  expect(await smokeAt('hc-ready')).toMatchObject({ status: 'pass' });
  // Where the line mode is not set, the SWITCH finds no branch: the dry run fails, as a real start there would.
  expect(await smokeAt('hc-unset')).toMatchObject({ status: 'fail' });
});
