/**
 * True when `err` (or an error it wraps, as drizzle does) is PostgreSQL's unique_violation
 * (23505) — the same code from postgres.js and PGlite. Lets a service answer a lost race on a
 * unique value with its conflict code instead of a 500.
 */
export function isUniqueViolation(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
