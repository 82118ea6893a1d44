/**
 * The rate-limit store (GCRA over one row per key, src/db/repositories/rate-limits.ts), written
 * once and run against every driver (see `rate-limits.*.test.ts`): the per-user limits of the API
 * count here, on the embedded default PGlite as on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../../src/db';
import { takeRateToken } from '../../../src/db/repositories/rate-limits';
import { gcraDecision, type RateLimitRule } from '../../../src/domain/rate-limits';

/** Opens the database under test (migrated) twice: two API processes on PostgreSQL, the same handle on PGlite. */
export type OpenForRateLimitSuite = () => Promise<{ database: Database; other: Database; dispose: () => Promise<void> }>;

const RULE: RateLimitRule = { limit: 3, windowSeconds: 60 };

async function take(database: Database, key: string) {
  const windowMs = RULE.windowSeconds * 1000;
  const taken = await takeRateToken(database.db, key, windowMs / RULE.limit, windowMs);
  return gcraDecision(RULE, taken.tatMs, taken.nowMs, taken.allowed);
}

/** Registers the rate-limit store suite under `describe(label)`. */
export function describeRateLimitSuite(label: string, open: OpenForRateLimitSuite): void {
  describe(label, () => {
    let database: Database;
    let other: Database;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ database, other, dispose } = await open());
    });

    afterAll(async () => {
      await dispose?.();
    });

    test('a burst takes the whole budget, shared by both handles, then the next request is refused with a retry time', async () => {
      const key = `executions:user-${randomUUID()}`;
      const decisions = [await take(database, key), await take(other, key), await take(database, key)];
      expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
      ]);
      const refused = await take(other, key);
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      // One request comes back every window / limit = 20 s.
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(19);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(20);
      expect(refused.resetSeconds).toBeGreaterThan(50);
      // A refused request spends nothing: the next is refused for no longer.
      expect((await take(database, key)).retryAfterSeconds).toBeLessThanOrEqual(refused.retryAfterSeconds);
    });

    test('each key has a budget of its own', async () => {
      const busy = `webhookDeliveries:trigger:${randomUUID()}`;
      for (let i = 0; i < RULE.limit; i++) expect((await take(database, busy)).allowed).toBe(true);
      expect((await take(database, busy)).allowed).toBe(false);
      expect(await take(other, `webhookDeliveries:trigger:${randomUUID()}`)).toMatchObject({ allowed: true, remaining: 2 });
    });

    test('concurrent requests never take more than the budget', async () => {
      const key = `configChanges:user-${randomUUID()}`;
      const decisions = await Promise.all(Array.from({ length: 8 }, (_, i) => take(i % 2 ? other : database, key)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(RULE.limit);
    });
  });
}
