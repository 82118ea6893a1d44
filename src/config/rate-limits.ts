/**
 * Rate limits as configured: what is limited, how much by default, and how `WEFT_RATE_LIMITS`
 * changes it. Counting and headers: domain/rate-limits.ts.
 */

/** What is limited: per user, except `webhookDeliveries`, counted per webhook trigger. */
export const RATE_LIMIT_CATEGORIES = [
  'executions',
  'configChanges',
  'approvalRequests',
  'versionComparisons',
  'rolloutOperations',
  'webhookDeliveries',
] as const;
export type RateLimitCategory = (typeof RATE_LIMIT_CATEGORIES)[number];

/** One category's budget: `limit` requests per `windowSeconds`. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** The budget of each category; a category left out is not limited. */
export type RateLimitPolicy = Partial<Record<RateLimitCategory, RateLimitRule>>;

/**
 * The defaults of 000_*.txt "Rate Limits"; webhook deliveries (signed by a sender, not made by a
 * user) get 300 a minute per trigger: a busy integration's burst, not a flood.
 */
export const DEFAULT_RATE_LIMITS: Required<RateLimitPolicy> = {
  executions: { limit: 100, windowSeconds: 60 },
  configChanges: { limit: 50, windowSeconds: 60 },
  approvalRequests: { limit: 500, windowSeconds: 3600 },
  versionComparisons: { limit: 100, windowSeconds: 3600 },
  rolloutOperations: { limit: 10, windowSeconds: 3600 },
  webhookDeliveries: { limit: 300, windowSeconds: 60 },
};

const WINDOWS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600, d: 86400, day: 86400 };
const ENTRY = /^([A-Za-z]+)\s*=\s*(?:(off)|(\d+)\s*\/\s*(\d*)\s*([A-Za-z]+))$/;

/**
 * Reads `WEFT_RATE_LIMITS`: `off` (no limits), or comma-separated `<category>=<limit>/<window>`
 * (`executions=200/min`, `rolloutOperations=5/hour`, `configChanges=off`, `versionComparisons=30/10m`)
 * over the defaults.
 * @returns the policy, or the reason the text is wrong
 */
export function parseRateLimits(text: string | undefined): { policy: RateLimitPolicy } | { error: string } {
  if (text === undefined || text.trim() === '') return { policy: { ...DEFAULT_RATE_LIMITS } };
  if (text.trim().toLowerCase() === 'off') return { policy: {} };
  const policy: RateLimitPolicy = { ...DEFAULT_RATE_LIMITS };
  for (const part of text.split(',')) {
    const match = ENTRY.exec(part.trim());
    const category = match?.[1] as RateLimitCategory | undefined;
    if (!match || !category || !(RATE_LIMIT_CATEGORIES as readonly string[]).includes(category)) {
      return { error: `"${part.trim()}" is not <category>=<limit>/<window> or <category>=off, with a category among ${RATE_LIMIT_CATEGORIES.join(', ')}` };
    }
    if (match[2]) {
      delete policy[category];
      continue;
    }
    const unit = WINDOWS[(match[5] ?? '').toLowerCase()];
    const windowSeconds = (match[4] ? Number(match[4]) : 1) * (unit ?? Number.NaN);
    const limit = Number(match[3]);
    if (!Number.isFinite(windowSeconds) || windowSeconds < 1 || limit < 1) {
      return { error: `"${part.trim()}": the limit must be at least 1 and the window one of s, min, hour, day (optionally with a count: 10min)` };
    }
    policy[category] = { limit, windowSeconds };
  }
  return { policy };
}
