import { buildRollbackSteps, criticalPath, SITES_PER_STEP, STEP_ESTIMATES } from '../../../src/domain/rollback-plan';

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
