/**
 * Per-user rate limits on the API (domain/rate-limits.ts): each request is classed by method and
 * path; a limited one takes a token from its user's budget in PostgreSQL and carries `RateLimit`
 * and `RateLimit-Policy`; over the budget it is answered 429 `RATE_LIMITED` with `Retry-After`
 * before its handler runs.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { WeftDb } from '../db/client';
import { takeRateToken } from '../db/repositories/rate-limits';
import type { RateLimitCategory, RateLimitPolicy } from '../config/rate-limits';
import { gcraDecision, rateLimitHeaders } from '../domain/rate-limits';
import { WeftError } from '../graph/errors';
import { principalOf } from './auth';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Which category a request counts against (paths relative to /api/v1), or none. */
export function rateLimitCategory(method: string, path: string): RateLimitCategory | undefined {
  if (method === 'POST' && /^\/workflows\/[^/]+\/(instances|triggers\/[^/]+\/fire)$|^\/workflow-instances\/[^/]+\/retry$/.test(path)) return 'executions';
  if (method === 'GET' && /^\/workflows\/[^/]+\/versions\/compare$/.test(path)) return 'versionComparisons';
  if (!WRITES.has(method)) return undefined;
  if (/^\/config\/|^\/sites\/[^/]+\/config\/(?!validate$)/.test(path)) return 'configChanges';
  if (method === 'POST' && path === '/approval-requests') return 'approvalRequests';
  if (/^\/rollouts(\/|$)/.test(path)) return 'rolloutOperations';
  return undefined;
}

/** The middleware, after authentication. */
export function rateLimiter(db: WeftDb, policy: RateLimitPolicy): RequestHandler {
  return async (req: Request, res, next) => {
    const category = rateLimitCategory(req.method, req.path);
    if (!category) return next();
    await takeRateLimit(db, policy, category, principalOf(req).sub, res);
    next();
  };
}

/**
 * Takes one request of `category` from `subject`'s budget (a user; a trigger for webhook
 * deliveries) and sets the `RateLimit` headers on `res`; nothing when the category is not limited.
 * @throws WeftError RATE_LIMITED (with `retryAfterSeconds`) over the budget
 */
export async function takeRateLimit(db: WeftDb, policy: RateLimitPolicy, category: RateLimitCategory, subject: string, res: Response): Promise<void> {
  const rule = policy[category];
  if (!rule) return;
  const windowMs = rule.windowSeconds * 1000;
  const taken = await takeRateToken(db, `${category}:${subject}`, windowMs / rule.limit, windowMs);
  const decision = gcraDecision(rule, taken.tatMs, taken.nowMs, taken.allowed);
  res.set(rateLimitHeaders(category, rule, decision));
  if (!decision.allowed) {
    throw new WeftError('RATE_LIMITED', `over the limit of ${rule.limit} ${category} per ${rule.windowSeconds} s; retry in ${decision.retryAfterSeconds} s`, {
      details: { category, limit: rule.limit, windowSeconds: rule.windowSeconds, retryAfterSeconds: decision.retryAfterSeconds },
    });
  }
}
