/**
 * What a database error means to the caller, the same for postgres.js and PGlite. Drizzle wraps
 * driver errors (`DrizzleQueryError` with the driver's error as `cause`), so each test walks the
 * chain of causes.
 */

/** `err` and the errors it wraps (`cause`), outermost first, at most five deep. */
function* causes(err: unknown): Generator<object> {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * True when `err` (or an error it wraps, as drizzle does) is PostgreSQL's unique_violation
 * (23505) — the same code from postgres.js and PGlite. Lets a service answer a lost race on a
 * unique value with its conflict code instead of a 500.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (const e of causes(err)) if ((e as { code?: unknown }).code === '23505') return true;
  return false;
}

/**
 * The innermost message: drizzle wraps driver errors as "Failed query: …", which hides the
 * useful part ("database … does not exist", "connection refused").
 */
export function rootMessage(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  if (current instanceof Error) return current.message;
  // Outside-realm errors (PGlite under Jest) are not `instanceof Error` here.
  if (typeof current === 'object' && current !== null && typeof (current as { message?: unknown }).message === 'string') {
    return (current as { message: string }).message;
  }
  return String(current);
}

/** postgres.js's own codes for a connection that is gone or could not be made. */
const DRIVER_CONNECTION_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

/** Node's codes for a socket that was refused, reset or could not reach the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that ended or refused the session: admin_shutdown (57P01, what
 * `pg_terminate_backend`, a failover or a pooler restart send), crash_shutdown (57P02),
 * cannot_connect_now (57P03), too_many_connections (53300) and every connection_exception (08…).
 */
function isUnavailableSqlState(code: string): boolean {
  return code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || /^08[0-9A-Z]{3}$/.test(code);
}

/**
 * True when `err` says the database cannot be reached right now (connection refused, closed or
 * terminated), as opposed to a query that is wrong. Such a failure is transient: the API answers
 * 503 with Retry-After and activities let Temporal retry; the driver reconnects by itself.
 * A socket code counts only on a query's error (postgres.js and drizzle both attach `query`), so
 * an outbound HTTP call that was refused is not taken for the database.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const chain = [...causes(err)];
  const fromQuery = chain.some((e) => typeof (e as { query?: unknown }).query === 'string');
  return chain.some((e) => {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') return false;
    return DRIVER_CONNECTION_CODES.has(code) || isUnavailableSqlState(code) || (fromQuery && SOCKET_CODES.has(code));
  });
}
