/**
 * Per-user rate limits at work: the headers a limited answer carries (IETF draft "RateLimit
 * header fields for HTTP": `RateLimit-Policy: "executions";q=100;w=60`,
 * `RateLimit: "executions";r=42;t=12`).
 *
 * The counting is GCRA (the generic cell rate algorithm) over one row per user and category in
 * PostgreSQL (db/repositories/rate-limits.ts): `limit` requests per `window`, refilled evenly, so
 * every API process sharing the database sees the same budget and a burst never exceeds `limit`.
 */
import type { RateLimitCategory, RateLimitRule } from '../config/rate-limits';

export {
  DEFAULT_RATE_LIMITS,
  RATE_LIMIT_CATEGORIES,
  parseRateLimits,
  type RateLimitCategory,
  type RateLimitPolicy,
  type RateLimitRule,
} from '../config/rate-limits';

/** What the store answers for one request: allowed or not, with the figures the headers need. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Requests still allowed right now. */
  remaining: number;
  /** Seconds until the whole budget is back. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * The decision of GCRA for a theoretical arrival time `tatMs` (after this request when allowed,
 * unchanged when refused) at `nowMs`.
 */
export function gcraDecision(rule: RateLimitRule, tatMs: number, nowMs: number, allowed: boolean): RateLimitDecision {
  const windowMs = rule.windowSeconds * 1000;
  const emissionMs = windowMs / rule.limit;
  const backlog = Math.max(0, tatMs - nowMs);
  return {
    allowed,
    remaining: Math.max(0, Math.floor((windowMs - backlog) / emissionMs)),
    resetSeconds: Math.ceil(backlog / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((backlog + emissionMs - windowMs) / 1000)),
  };
}

/** The headers of an answer to a limited request. */
export function rateLimitHeaders(category: RateLimitCategory, rule: RateLimitRule, decision: RateLimitDecision): Record<string, string> {
  return {
    'RateLimit-Policy': `"${category}";q=${rule.limit};w=${rule.windowSeconds}`,
    RateLimit: `"${category}";r=${decision.remaining};t=${decision.resetSeconds}`,
    ...(decision.allowed ? {} : { 'Retry-After': String(decision.retryAfterSeconds) }),
  };
}
