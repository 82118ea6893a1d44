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

/** The SQL text of the first error in the chain that carries one (drizzle, postgres.js and PGlite attach `query`). */
function queryText(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const query = (e as { query?: unknown }).query;
    if (typeof query === 'string') return query;
  }
  return undefined;
}

/** The first string `code` in the chain: a SQLSTATE, a driver's code or a socket's. */
function errorCode(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * What a query does, without its values: the statement's verb and the tables it names, e.g.
 * `select workflow_definitions, workflow_versions`.
 */
export function querySummary(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'query';
  const tables = new Set<string>();
  for (const m of sql.matchAll(/\b(?:from|into|update|join)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi)) tables.add(m[1]!);
  return tables.size > 0 ? `${verb} ${[...tables].join(', ')}` : verb;
}

/** How a failed query is logged: no query text or parameters, which can carry user data and secrets. */
export interface QueryErrorSummary {
  type: string;
  code?: string;
  message: string;
  query: string;
}

/**
 * A failed query's error as a log may show it: its class, its code, the driver's innermost
 * message and a {@link querySummary}. Drizzle's own message ("Failed query: … params: …") and the
 * drivers' `query`/`parameters` fields are left out.
 * @returns undefined when no error in the chain carries a query
 */
export function queryErrorSummary(err: unknown): QueryErrorSummary | undefined {
  const sql = queryText(err);
  if (sql === undefined) return undefined;
  const code = errorCode(err);
  const type = (err as { constructor?: { name?: string } }).constructor?.name ?? 'Error';
  const root = rootMessage(err);
  // A driver that puts the query in its own message (PGlite's "Failed query") gets no second chance.
  const message = root.includes(sql.slice(0, 40)) || /params:/i.test(root) ? 'the query failed' : root;
  return { type, ...(code ? { code } : {}), message, query: querySummary(sql) };
}
