import { judgeCanary, type ExecutionSample } from '../../../src/domain/rollout-judge';

const steady = (n: number, base = 100): number[] => Array.from({ length: n }, (_, i) => base + (i % 10));
const sample = (completed: number, failed: number, durationsMs = steady(completed)): ExecutionSample => ({ completed, failed, durationsMs });
const judge = (canary: ExecutionSample, baseline: ExecutionSample, over: Partial<Parameters<typeof judgeCanary>[0]> = {}) =>
  judgeCanary({
    canary,
    baseline,
    metrics: ['error_rate', 'latency_p95', 'latency_p50', 'failure_count'],
    errorThresholdPercentage: 5,
    performanceThresholdPercentage: 20,
    minSampleSize: 10,
    ...over,
  });

test('below the minimum sample either side is inconclusive, never a pass', () => {
  const r = judge(sample(9, 0), sample(30, 0));
  expect(r.verdict).toBe('inconclusive');
  expect(r.pValue).toBeNull();
  expect(r.reasons.join(' ')).toMatch(/canary has 9 finished executions, fewer than the minimum sample of 10/);
  expect(judge(sample(30, 0), sample(0, 0)).verdict).toBe('inconclusive');
});

test('an error rate above the baseline by more than the threshold fails', () => {
  const r = judge(sample(14, 6), sample(20, 0));
  expect(r.verdict).toBe('fail');
  expect(r.measured).toMatchObject({
    canary: { executions: 20, failed: 6, errorRate: 30 },
    comparisons: { error_rate: { differencePoints: 30, exceeded: true }, failure_count: { canary: 6, allowed: 1, exceeded: true } },
  });
  expect(judge(sample(19, 1), sample(20, 0)).verdict).toBe('pass');
});

test('a handful of outliers lifts p95 over the limit but does not flip the verdict', () => {
  const canary = [...steady(27), 40_000, 60_000, 90_000];
  const r = judge(sample(30, 0, canary), sample(30, 0));
  expect(r.verdict).toBe('pass');
  expect((r.measured.comparisons as any).latency_p95.exceeded).toBe(true);
  expect(r.pValue).toBeGreaterThan(0.05);
  expect(r.reasons.join(' ')).toMatch(/outliers, not a shift/);
});

test('a real slowdown fails with a small p-value', () => {
  const r = judge(sample(30, 0, steady(30, 300)), sample(30, 0));
  expect(r.verdict).toBe('fail');
  expect(r.pValue).toBeLessThan(0.001);
  expect((r.measured.comparisons as any).latency_p50).toMatchObject({ exceeded: true, significant: true });
});

test('only the asked metrics are judged', () => {
  const r = judge(sample(30, 0, steady(30, 300)), sample(30, 0), { metrics: ['error_rate'] });
  expect(r.verdict).toBe('pass');
  expect(r.pValue).toBeNull();
});
