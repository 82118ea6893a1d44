import { interpreterRetryDelayMs, resolveRetry, temporalCanRetry, toTemporalRetryPolicy } from '../../../src/workflows/retry';

test('strategies Temporal can express map onto its retry policy', () => {
  expect(toTemporalRetryPolicy(resolveRetry({ strategy: 'NONE', maxAttempts: 9 }))).toMatchObject({ maximumAttempts: 1 });
  expect(toTemporalRetryPolicy(resolveRetry({ strategy: 'FIXED', maxAttempts: 4, initialIntervalMs: 250 }))).toMatchObject({
    maximumAttempts: 4,
    initialInterval: 250,
    backoffCoefficient: 1,
  });
  expect(
    toTemporalRetryPolicy(
      resolveRetry({
        strategy: 'EXPONENTIAL',
        maxAttempts: 5,
        initialIntervalMs: 100,
        backoffCoefficient: 3,
        maxIntervalMs: 2000,
        nonRetryableErrorCodes: ['HTTP_400'],
      }),
    ),
  ).toEqual({
    maximumAttempts: 5,
    initialInterval: 100,
    backoffCoefficient: 3,
    maximumInterval: 2000,
    nonRetryableErrorTypes: ['HTTP_400'],
  });
});

test('LINEAR and jitter are left to the interpreter, with the right delays', () => {
  const linear = resolveRetry({ strategy: 'LINEAR', initialIntervalMs: 100, maxIntervalMs: 250 });
  expect(temporalCanRetry(linear)).toBe(false);
  expect([1, 2, 3].map((a) => interpreterRetryDelayMs(linear, a, () => 0.5))).toEqual([100, 200, 250]);
  const jittered = resolveRetry({ strategy: 'FIXED', initialIntervalMs: 1000, jitter: true });
  expect(temporalCanRetry(jittered)).toBe(false);
  expect(interpreterRetryDelayMs(jittered, 1, () => 0)).toBe(500);
  expect(interpreterRetryDelayMs(jittered, 1, () => 0.999)).toBe(1499);
});
