/**
 * Circuit breaker rows: one per outbound service, shared by every worker. The rules of the state
 * machine live in src/domain/circuit-breaker-rules.ts; this module only reads, locks and writes
 * rows. Every function works on the handle it is given, so it joins the caller's transaction.
 */
import { asc, eq } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { circuitBreakers, type CircuitBreakerRow } from '../schema';

/** The tunable settings of a breaker. */
export interface CircuitBreakerConfig {
  failureThreshold: number;
  openTimeoutMs: number;
  halfOpenMaxCalls: number;
}

/** The columns a state transition may change; omitted columns stay as they are. */
export type CircuitBreakerPatch = Partial<
  Pick<
    CircuitBreakerRow,
    | 'state'
    | 'failureCount'
    | 'totalFailures'
    | 'halfOpenCalls'
    | 'trialLeaseUntil'
    | 'generation'
    | 'openedAt'
    | 'lastFailureAt'
    | 'lastFailureCode'
    | 'stateChangedAt'
  >
>;

/** The breaker of a service, or undefined when none was ever created. */
export async function getCircuitBreaker(db: WeftDb, serviceId: string): Promise<CircuitBreakerRow | undefined> {
  const [row] = await db.select().from(circuitBreakers).where(eq(circuitBreakers.serviceId, serviceId));
  return row;
}

/** Every breaker, ordered by service id. There is one per service ever called, so no paging. */
export async function listCircuitBreakers(db: WeftDb): Promise<CircuitBreakerRow[]> {
  return db.select().from(circuitBreakers).orderBy(asc(circuitBreakers.serviceId));
}

/**
 * The breaker of a service, created CLOSED with the default configuration when missing. Two
 * workers creating the same one at once is fine: the loser's insert does nothing.
 * @throws Error when the row cannot be read back (a bug)
 */
export async function ensureCircuitBreaker(db: WeftDb, serviceId: string): Promise<CircuitBreakerRow> {
  await db.insert(circuitBreakers).values({ serviceId }).onConflictDoNothing({ target: circuitBreakers.serviceId });
  const row = await getCircuitBreaker(db, serviceId);
  if (!row) throw new Error(`ensureCircuitBreaker: ${serviceId} missing after insert`);
  return row;
}

/**
 * Reads the breaker with `SELECT … FOR UPDATE`: other workers wait for it until the caller's
 * transaction ends. Only meaningful inside a transaction.
 * @returns undefined when the service has no breaker
 */
export async function lockCircuitBreaker(db: WeftDb, serviceId: string): Promise<CircuitBreakerRow | undefined> {
  const [row] = await db.select().from(circuitBreakers).where(eq(circuitBreakers.serviceId, serviceId)).for('update');
  return row;
}

/**
 * Writes a state transition computed from a locked row.
 * @returns the updated row, or undefined when the service has no breaker
 */
export async function updateCircuitBreaker(
  db: WeftDb,
  serviceId: string,
  patch: CircuitBreakerPatch,
  at: Date = new Date(),
): Promise<CircuitBreakerRow | undefined> {
  const [row] = await db
    .update(circuitBreakers)
    .set({
      // Picked one by one so that a caller's extra properties (the config, the key) never reach the row.
      ...(patch.state !== undefined ? { state: patch.state } : {}),
      ...(patch.failureCount !== undefined ? { failureCount: patch.failureCount } : {}),
      ...(patch.totalFailures !== undefined ? { totalFailures: patch.totalFailures } : {}),
      ...(patch.halfOpenCalls !== undefined ? { halfOpenCalls: patch.halfOpenCalls } : {}),
      ...(patch.trialLeaseUntil !== undefined ? { trialLeaseUntil: patch.trialLeaseUntil } : {}),
      ...(patch.generation !== undefined ? { generation: patch.generation } : {}),
      ...(patch.openedAt !== undefined ? { openedAt: patch.openedAt } : {}),
      ...(patch.lastFailureAt !== undefined ? { lastFailureAt: patch.lastFailureAt } : {}),
      ...(patch.lastFailureCode !== undefined ? { lastFailureCode: patch.lastFailureCode } : {}),
      ...(patch.stateChangedAt !== undefined ? { stateChangedAt: patch.stateChangedAt } : {}),
      updatedAt: at,
    })
    .where(eq(circuitBreakers.serviceId, serviceId))
    .returning();
  return row;
}

/**
 * Sets configuration of a breaker, creating it (CLOSED, defaults for omitted settings) when the
 * service has none yet, so a service can be tuned before its first call. The state is left alone:
 * a lower threshold takes effect at the next failure, a new open timeout at the next check.
 * @returns the row as stored
 * @throws the driver's check-violation error for a setting below 1 (validate first)
 */
export async function upsertCircuitBreakerConfig(
  db: WeftDb,
  serviceId: string,
  config: Partial<CircuitBreakerConfig>,
  at: Date = new Date(),
): Promise<CircuitBreakerRow> {
  const settings = {
    ...(config.failureThreshold !== undefined ? { failureThreshold: config.failureThreshold } : {}),
    ...(config.openTimeoutMs !== undefined ? { openTimeoutMs: config.openTimeoutMs } : {}),
    ...(config.halfOpenMaxCalls !== undefined ? { halfOpenMaxCalls: config.halfOpenMaxCalls } : {}),
  };
  const [row] = await db
    .insert(circuitBreakers)
    .values({ serviceId, ...settings, createdAt: at, updatedAt: at, stateChangedAt: at })
    .onConflictDoUpdate({ target: circuitBreakers.serviceId, set: { ...settings, updatedAt: at } })
    .returning();
  if (!row) throw new Error('upsertCircuitBreakerConfig: upsert returned no row');
  return row;
}
