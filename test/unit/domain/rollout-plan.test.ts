import { buildPlan, createRolloutBody } from '../../../src/services/rollout-config';
import { chooseCanarySites } from '../../../src/workflows/rollout/plan';

const sites = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((id, i) => ({ id, region: i < 5 ? 'north' : 'south' }));
const ids = sites.map((s) => s.id);

test('canary sites: the share rounded up, at least one, the same for the same rollout', () => {
  expect(chooseCanarySites('r1', ids, 10)).toHaveLength(1);
  expect(chooseCanarySites('r1', ids, 25)).toHaveLength(3);
  expect(chooseCanarySites('r1', ids, 1)).toHaveLength(1);
  expect(chooseCanarySites('r1', ids, 30)).toEqual(chooseCanarySites('r1', [...ids].reverse(), 30));
  const picks = new Set(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((r) => chooseCanarySites(r, ids, 10)[0]));
  expect(picks.size).toBeGreaterThan(1);
});

test('plans: durations in hours or text, stages by site and region, canaries and the rest', () => {
  const parse = (b: unknown) => createRolloutBody.parse(b);
  const staged = buildPlan(
    'r1',
    parse({
      workflowId: 'w',
      version: '1.0.0',
      strategy: 'staged',
      config: {
        stages: [
          { stageNumber: 2, sitesOrRegions: ['south'], delay: 'PT1M', validateBeforeNext: false },
          { stageNumber: 1, sitesOrRegions: ['a', 'north'], delayHours: 0.5, validateBeforeNext: true, successCriteriaPercentage: 80 },
        ],
      },
    }),
    sites,
  );
  expect(staged.stages.map((s) => [s.number, s.sites, s.delayMs, s.validate, s.successCriteriaPercentage])).toEqual([
    [1, ['a', 'b', 'c', 'd', 'e'], 1_800_000, true, 80],
    [2, ['f', 'g', 'h', 'i', 'j'], 60_000, false, 100],
  ]);
  const canary = buildPlan(
    'r1',
    parse({ workflowId: 'w', version: '1.0.0', strategy: 'canary', config: { canaryPercentage: 20, canaryDurationHours: 2 } }),
    sites,
  );
  expect(canary.stages.map((s) => [s.kind, s.sites.length])).toEqual([
    ['canary', 2],
    ['deploy', 8],
  ]);
  expect(canary.canary).toMatchObject({ durationMs: 7_200_000, intervalMs: 300_000, minSampleSize: 10, autoPromote: false });
  expect(canary.autoRollback).toBe(true);
});
