/**
 * `analyzeRollout` on real executions (real Temporal, real PostgreSQL): the new version at the
 * canary sites against the baseline at the other sites over one window — pass, fail (the new
 * version calls a peer answering 500), inconclusive below the minimum sample, and one stored
 * result per analysis id whatever the retries.
 */
import { createActivities } from '../../src/activities';
import { startFakeService, json, type FakeService } from '../support/fake-service';
import { startTestWeft, type TestWeft } from '../support/harness';
import { createSites, ok, runAtSites, twoVersions, versionGraph } from '../support/rollout-fixtures';
import type { AnalyzeRolloutInput } from '../../src/shared/rollouts';
import { eq } from 'drizzle-orm';
import { rolloutAnalyses } from '../../src/db/schema';

let t: TestWeft;
let svc: FakeService;
let acts: ReturnType<typeof createActivities>;
let healthy: string;
let flaky: string;
let from: string;
const canarySites = ['an-c1', 'an-c2'];
const baselineSites = ['an-b1', 'an-b2', 'an-b3', 'an-b4'];

const analysis = (over: Partial<AnalyzeRolloutInput>): AnalyzeRolloutInput => ({
  rolloutId: 'ro-analysis',
  analysisId: `an-${Math.random().toString(36).slice(2)}`,
  definitionId: healthy,
  version: '1.1.0',
  baselineVersion: '1.0.0',
  canarySites,
  baselineSites,
  from,
  to: new Date(Date.now() + 1000).toISOString(),
  metrics: ['error_rate', 'failure_count', 'latency_p50', 'latency_p95'],
  errorThresholdPercentage: 5,
  // Both versions do the same work: generous, so scheduling noise on a busy machine never fails the pass case.
  performanceThresholdPercentage: 300,
  minSampleSize: 6,
  ...over,
});

beforeAll(async () => {
  svc = await startFakeService();
  svc.handle((_req, res) => json(res, 500, { error: 'broken' }));
  t = await startTestWeft({ database: 'postgres', allowedHosts: [svc.host] });
  acts = createActivities({
    db: t.weft.database.db,
    httpAllowedHosts: [svc.host],
    secretsKey: Buffer.alloc(32),
    publishEvent: async () => Promise.reject(new Error('unused')),
    fireScheduledTrigger: async () => Promise.reject(new Error('unused')),
  });
  await createSites(t, [...canarySites, ...baselineSites, 'an-other']);
  healthy = await twoVersions(t, versionGraph('an-healthy'), versionGraph('an-healthy'));
  flaky = await twoVersions(t, versionGraph('an-flaky'), versionGraph('an-flaky', { failUrl: `${svc.url}/orders` }));
  from = new Date(Date.now() - 1000).toISOString();
  const runs = await Promise.all([
    runAtSites(t, healthy, '1.1.0', canarySites, 6),
    runAtSites(t, healthy, '1.0.0', baselineSites, 6),
    runAtSites(t, flaky, '1.1.0', canarySites, 6),
    runAtSites(t, flaky, '1.0.0', baselineSites, 6),
    // Neither canary nor baseline: a site outside the comparison.
    runAtSites(t, healthy, '1.0.0', ['an-other'], 2),
  ]);
  expect(runs[2]?.every((e) => e.status === 'failed')).toBe(true);
  expect(runs[3]?.every((e) => e.status === 'completed')).toBe(true);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await svc?.close();
});

test('the same work at canary and baseline passes, with the figures of both sides and a p-value', async () => {
  const r = await acts.analyzeRollout(analysis({}));
  expect(r.verdict).toBe('pass');
  expect(r.measured).toMatchObject({
    canary: { executions: 6, completed: 6, failed: 0, errorRate: 0 },
    baseline: { executions: 6, completed: 6, failed: 0, errorRate: 0 },
    comparisons: { error_rate: { exceeded: false }, failure_count: { exceeded: false } },
  });
  expect(typeof r.pValue).toBe('number');
  expect(r.pValue).toBeGreaterThan(0);
  expect((r.measured.canary as any).latencyP95Ms).toBeGreaterThan(0);
});

test('a baseline of any other version counts every other version at the baseline sites', async () => {
  const r = await acts.analyzeRollout(analysis({ baselineVersion: null }));
  expect(r.measured).toMatchObject({ baseline: { executions: 6 } });
});

test('a new version failing at the canary sites fails the analysis', async () => {
  const r = await acts.analyzeRollout(analysis({ definitionId: flaky, metrics: ['error_rate', 'failure_count'] }));
  expect(r.verdict).toBe('fail');
  expect(r.measured).toMatchObject({ canary: { executions: 6, failed: 6, errorRate: 100 }, baseline: { errorRate: 0 } });
  expect(r.reasons[0]).toMatch(/canary error rate 100% exceeds the baseline's 0% by 100 points \(threshold 5\)/);
  expect(r.pValue).toBeNull();
});

test('below the minimum sample the verdict is inconclusive, never a pass', async () => {
  const r = await acts.analyzeRollout(analysis({ minSampleSize: 7 }));
  expect(r.verdict).toBe('inconclusive');
  expect(r.reasons).toEqual([
    'canary has 6 finished executions, fewer than the minimum sample of 7',
    'baseline has 6 finished executions, fewer than the minimum sample of 7',
  ]);
  const empty = await acts.analyzeRollout(analysis({ from: new Date(Date.now() + 60_000).toISOString(), to: new Date(Date.now() + 120_000).toISOString() }));
  expect(empty.verdict).toBe('inconclusive');
});

test('one analysis id is judged once: a retry answers the stored result, one row and one audit record', async () => {
  const input = analysis({ definitionId: flaky });
  const first = await acts.analyzeRollout(input);
  // A retry after more executions (or with other figures) still answers what was stored.
  await runAtSites(t, flaky, '1.1.0', canarySites, 1);
  const again = await acts.analyzeRollout({ ...input, minSampleSize: 100 });
  expect(again).toEqual(first);
  const audit = await ok(t, 'GET', `/audit?resourceType=rollout_analysis&resourceId=${input.analysisId}`);
  expect(audit.items).toHaveLength(1);
  expect(audit.items[0]).toMatchObject({ action: 'rollout.analysis_recorded', actor: 'system', details: { verdict: 'fail' } });

  // Two attempts racing on a new id: one row, one audit record, the same answer.
  const racing = analysis({ definitionId: flaky });
  const [a, b] = await Promise.all([acts.analyzeRollout(racing), acts.analyzeRollout(racing)]);
  expect(a).toEqual(b);
  const rows = await t.weft.database.db.select().from(rolloutAnalyses).where(eq(rolloutAnalyses.id, racing.analysisId));
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ rolloutId: 'ro-analysis', verdict: 'fail', canarySites, thresholds: { minSampleSize: 6 } });
  expect((await ok(t, 'GET', `/audit?resourceType=rollout_analysis&resourceId=${racing.analysisId}`)).items).toHaveLength(1);
});

test('a window that ends before it starts is refused without retries', async () => {
  await expect(acts.analyzeRollout(analysis({ from: new Date().toISOString(), to: new Date(Date.now() - 1000).toISOString() }))).rejects.toMatchObject({
    type: 'INVALID_REQUEST',
    nonRetryable: true,
  });
});
