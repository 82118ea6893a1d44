/** The GCRA state of per-user rate limits (the rules: domain/rate-limits.ts). */
import { sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import { rateLimits } from '../schema';

/**
 * Takes one request from `key`'s budget in one statement (the row lock of the upsert orders
 * concurrent requests, from any process): allowed when the theoretical arrival time, pushed by
 * `emissionMs`, stays within `windowMs` of now. Times are the database's, never a process's clock.
 */
export async function takeRateToken(
  db: WeftDb,
  key: string,
  emissionMs: number,
  windowMs: number,
): Promise<{ allowed: boolean; tatMs: number; nowMs: number }> {
  const step = sql`(${emissionMs}::float8 * interval '1 millisecond')`;
  const taken = await executeRows<{ tat_ms: number; now_ms: number }>(
    db,
    sql`insert into ${rateLimits} as r (key, tat) values (${key}, now() + ${step})
        on conflict (key) do update set tat = greatest(r.tat, now()) + ${step}
        where greatest(r.tat, now()) + ${step} <= now() + (${windowMs}::float8 * interval '1 millisecond')
        returning extract(epoch from r.tat)::float8 * 1000 as tat_ms, extract(epoch from now())::float8 * 1000 as now_ms`,
  );
  if (taken[0]) return { allowed: true, tatMs: Number(taken[0].tat_ms), nowMs: Number(taken[0].now_ms) };
  const [state] = await executeRows<{ tat_ms: number; now_ms: number }>(
    db,
    sql`select extract(epoch from tat)::float8 * 1000 as tat_ms, extract(epoch from now())::float8 * 1000 as now_ms from ${rateLimits} where key = ${key}`,
  );
  return { allowed: false, tatMs: Number(state?.tat_ms ?? 0), nowMs: Number(state?.now_ms ?? 0) };
}
