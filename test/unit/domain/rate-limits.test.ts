import { loadSettings } from '../../../src/config/settings';
import { DEFAULT_RATE_LIMITS, parseRateLimits } from '../../../src/config/rate-limits';
import { rateLimitCategory } from '../../../src/api/rate-limit';
import { gcraDecision, rateLimitHeaders } from '../../../src/domain/rate-limits';

test('WEFT_RATE_LIMITS changes some categories over the defaults, turns one or all off, and names what is wrong', () => {
  expect(parseRateLimits(undefined)).toEqual({ policy: DEFAULT_RATE_LIMITS });
  expect(parseRateLimits('executions=200/min, rolloutOperations=5/10min, configChanges=off')).toEqual({
    policy: {
      executions: { limit: 200, windowSeconds: 60 },
      approvalRequests: { limit: 500, windowSeconds: 3600 },
      versionComparisons: { limit: 100, windowSeconds: 3600 },
      rolloutOperations: { limit: 5, windowSeconds: 600 },
      webhookDeliveries: { limit: 300, windowSeconds: 60 },
    },
  });
  expect(parseRateLimits('webhookDeliveries=20/min')).toMatchObject({ policy: { webhookDeliveries: { limit: 20, windowSeconds: 60 } } });
  expect(parseRateLimits('off')).toEqual({ policy: {} });
  expect(parseRateLimits('starts=5/min')).toEqual({ error: expect.stringContaining('executions') });
  expect(parseRateLimits('executions=0/min')).toEqual({ error: expect.stringContaining('at least 1') });
  expect(() => loadSettings({ WEFT_RATE_LIMITS: 'executions=many' })).toThrow(/WEFT_RATE_LIMITS/);
  expect(loadSettings({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
});

test('the headers say the policy, what remains and when to retry', () => {
  const rule = { limit: 4, windowSeconds: 60 };
  // Three requests taken just now: the arrival time is 45 s ahead; one remains.
  const ok = gcraDecision(rule, 1_045_000, 1_000_000, true);
  expect(rateLimitHeaders('executions', rule, ok)).toEqual({ 'RateLimit-Policy': '"executions";q=4;w=60', RateLimit: '"executions";r=1;t=45' });
  // All four taken: the next is allowed once 15 s have drained.
  const refused = gcraDecision(rule, 1_060_000, 1_000_000, false);
  expect(rateLimitHeaders('executions', rule, refused)).toEqual({
    'RateLimit-Policy': '"executions";q=4;w=60',
    RateLimit: '"executions";r=0;t=60',
    'Retry-After': '15',
  });
});

test('requests are counted against the category they belong to, reads and other writes against none', () => {
  expect(rateLimitCategory('POST', '/workflows/w1/instances')).toBe('executions');
  expect(rateLimitCategory('POST', '/workflow-instances/exec-1/retry')).toBe('executions');
  expect(rateLimitCategory('POST', '/workflows/w1/triggers/trg-1/fire')).toBe('executions');
  expect(rateLimitCategory('GET', '/workflows/w1/instances')).toBeUndefined();
  expect(rateLimitCategory('PUT', '/sites/plant-a/config/batchSize')).toBe('configChanges');
  expect(rateLimitCategory('PUT', '/config/regions/eu-west/batchSize')).toBe('configChanges');
  expect(rateLimitCategory('POST', '/sites/plant-a/config/validate')).toBeUndefined();
  expect(rateLimitCategory('POST', '/approval-requests')).toBe('approvalRequests');
  expect(rateLimitCategory('POST', '/approval-requests/a1/cancel')).toBeUndefined();
  expect(rateLimitCategory('GET', '/workflows/w1/versions/compare')).toBe('versionComparisons');
  expect(rateLimitCategory('POST', '/rollouts')).toBe('rolloutOperations');
  expect(rateLimitCategory('POST', '/rollouts/r1/pause')).toBe('rolloutOperations');
  expect(rateLimitCategory('GET', '/rollouts/r1')).toBeUndefined();
  expect(rateLimitCategory('POST', '/workflows')).toBeUndefined();
});
