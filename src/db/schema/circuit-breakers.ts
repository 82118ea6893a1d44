/** Circuit breakers of outbound services. */
import { sql } from 'drizzle-orm';
import { bigint, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

/** States of a circuit breaker: CLOSED lets calls through, OPEN refuses them, HALF_OPEN lets a few trials through. */
export const CIRCUIT_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/**
 * One circuit breaker per outbound service (`host:port`), shared by every worker. Transitions
 * happen under a row lock or a conditional update, and every transition bumps `generation`, so
 * the outcome of a call that was let through under an older state can be recognised and ignored.
 */
export const circuitBreakers = pgTable(
  'circuit_breakers',
  {
    /** The service key, e.g. `api.example.com:443`. */
    serviceId: text('service_id').primaryKey(),
    state: text('state', { enum: CIRCUIT_STATES }).notNull().default('CLOSED'),
    /** Consecutive failures that open the breaker. */
    failureThreshold: integer('failure_threshold').notNull().default(5),
    /** How long the breaker stays OPEN before a trial call is let through. */
    openTimeoutMs: integer('open_timeout_ms').notNull().default(30_000),
    /** Trial calls allowed at once while HALF_OPEN. */
    halfOpenMaxCalls: integer('half_open_max_calls').notNull().default(1),
    /** Consecutive counted failures while CLOSED (reset by a success). */
    failureCount: integer('failure_count').notNull().default(0),
    /** Every counted failure since the row was created. */
    totalFailures: bigint('total_failures', { mode: 'number' }).notNull().default(0),
    /** Trial permits handed out and not yet answered while HALF_OPEN. */
    halfOpenCalls: integer('half_open_calls').notNull().default(0),
    /** Until when the trial permits handed out count; afterwards they are presumed lost (a worker died). */
    trialLeaseUntil: timestamp('trial_lease_until', tz),
    /** Bumped by every state change and reset. */
    generation: integer('generation').notNull().default(0),
    /** When the breaker last opened; null while CLOSED. */
    openedAt: timestamp('opened_at', tz),
    lastFailureAt: timestamp('last_failure_at', tz),
    /** The node failure code of the last counted failure, e.g. `HTTP_503`. */
    lastFailureCode: text('last_failure_code'),
    stateChangedAt: timestamp('state_changed_at', tz).notNull().defaultNow(),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    check('circuit_breakers_state_ck', sql`${t.state} in (${sqlList(CIRCUIT_STATES)})`),
    check('circuit_breakers_config_ck', sql`${t.failureThreshold} >= 1 and ${t.openTimeoutMs} >= 1 and ${t.halfOpenMaxCalls} >= 1`),
  ],
);

/** A stored circuit breaker row. */
export type CircuitBreakerRow = typeof circuitBreakers.$inferSelect;
