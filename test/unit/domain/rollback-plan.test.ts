import { buildRollbackSteps, criticalPath, durationsOf, estimatesFrom, SITES_PER_STEP, STEP_ESTIMATES } from '../../../src/domain/rollback-plan';

test('steps: verify, revert batches that depend on it and run side by side, then a read-back of all of them', () => {
  const sites = Array.from({ length: SITES_PER_STEP + 3 }, (_, i) => `s${i}`);
  const { steps, estimatedDurationMs } = buildRollbackSteps(sites);
  expect(steps.map((s) => [s.stepNumber, s.action, s.siteIds.length, s.dependencies])).toEqual([
    [1, 'verify_recovery_point', 13, []],
    [2, 'revert_sites', 10, [1]],
    [3, 'revert_sites', 3, [1]],
    [4, 'verify_site_versions', 13, [2, 3]],
  ]);
  expect(estimatedDurationMs).toBe(STEP_ESTIMATES.verify + STEP_ESTIMATES.perSiteRevert + STEP_ESTIMATES.readBack);
});

test('the critical path sums the longest chain only', () => {
  expect(
    criticalPath([
      { stepNumber: 1, action: 'a', siteIds: [], estimatedTimeMs: 5, dependencies: [] },
      { stepNumber: 2, action: 'b', siteIds: [], estimatedTimeMs: 100, dependencies: [1] },
      { stepNumber: 3, action: 'c', siteIds: [], estimatedTimeMs: 7, dependencies: [1] },
      { stepNumber: 4, action: 'd', siteIds: [], estimatedTimeMs: 1, dependencies: [2, 3] },
    ]),
  ).toBe(106);
});

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const took = (ms: number, status: 'success' | 'failed' = 'success') => ({ status, startedAt: at(0), completedAt: at(ms) });

test('estimates come from past rollbacks once there are enough of them: medians, and the slow tail of one site for a revert step', () => {
  const planSteps = buildRollbackSteps(['a', 'b']).steps;
  const run = (verify: number, sites: number[], readBack: number) => ({
    planSteps,
    steps: { '1': took(verify), '2': took(Math.max(...sites)), '3': took(readBack) },
    sites: Object.fromEntries(sites.map((ms, i) => [`s${i}`, took(ms)])),
  });
  const durations = durationsOf([run(10, [100, 120], 30), run(20, [140, 3_000], 40), run(30, [160, 180], 50)]);
  expect(durations).toEqual({ verify: [10, 20, 30], siteRevert: [100, 120, 140, 3_000, 160, 180], readBack: [30, 40, 50] });
  const estimates = estimatesFrom(durations);
  expect(estimates).toEqual({ verify: 20, perSiteRevert: 3_000, readBack: 40, measured: true });
  expect(buildRollbackSteps(['x'], estimates).estimatedDurationMs).toBe(20 + 3_000 + 40);
});

test('too few measurements, or only failures, keep the defaults', () => {
  const planSteps = buildRollbackSteps(['a']).steps;
  const failedOnly = { planSteps, steps: { '1': took(5, 'failed') }, sites: { a: took(9, 'failed') } };
  const one = { planSteps, steps: { '1': took(10) }, sites: { a: took(50) } };
  expect(estimatesFrom(durationsOf([failedOnly, one, one]))).toEqual({ ...STEP_ESTIMATES, measured: false });
});
