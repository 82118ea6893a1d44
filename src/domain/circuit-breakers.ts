import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import {
  ensureCircuitBreaker,
  getCircuitBreaker,
  listCircuitBreakers,
  lockCircuitBreaker,
  updateCircuitBreaker,
  upsertCircuitBreakerConfig,
  type CircuitBreakerConfig,
} from '../db/repositories/circuit-breakers';
import type { CircuitBreakerRow, CircuitState } from '../db/schema';
import { WeftError } from '../graph/errors';
import {
  applyOutcome,
  decidePermit,
  nextTrialAt,
  resetPatch,
  statusOf,
  type CallOutcome,
  type CircuitPermit,
  type CircuitStatus,
  type PermitDecision,
} from './circuit-breaker-rules';

/** A breaker as the API shows it. */
export interface CircuitBreakerView {
  serviceId: string;
  state: CircuitState;
  status: CircuitStatus;
  config: CircuitBreakerConfig;
  /** Consecutive failures (what opens the breaker). */
  failureCount: number;
  totalFailures: number;
  /** Trial calls out while HALF_OPEN. */
  halfOpenCalls: number;
  openedAt: Date | null;
  /** When an OPEN breaker lets a trial through; null unless OPEN. */
  nextAttemptAt: Date | null;
  lastFailureAt: Date | null;
  lastFailureCode: string | null;
  stateChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

function view(row: CircuitBreakerRow): CircuitBreakerView {
  return {
    serviceId: row.serviceId,
    state: row.state,
    status: statusOf(row),
    config: { failureThreshold: row.failureThreshold, openTimeoutMs: row.openTimeoutMs, halfOpenMaxCalls: row.halfOpenMaxCalls },
    failureCount: row.failureCount,
    totalFailures: row.totalFailures,
    halfOpenCalls: row.halfOpenCalls,
    openedAt: row.openedAt,
    nextAttemptAt: nextTrialAt(row) ?? null,
    lastFailureAt: row.lastFailureAt,
    lastFailureCode: row.lastFailureCode,
    stateChangedAt: row.stateChangedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function notFound(serviceId: string): WeftError {
  return new WeftError('CIRCUIT_BREAKER_NOT_FOUND', `no circuit breaker for service ${serviceId}`, { details: { serviceId } });
}

/**
 * Circuit breakers per outbound service, shared by every worker and API process through the
 * database: the API's reads, configuration and resets, and the worker's permit/outcome calls
 * around each outbound request.
 */
export class CircuitBreakerService {
  /** @param clock the time transitions are stamped with (tests may pin it) */
  constructor(
    private readonly db: WeftDb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Asks whether a call to `serviceId` may go out now, creating the breaker on first use. A
   * CLOSED breaker is answered from a plain read; any other state under a row lock, so of two
   * workers asking at once for the single half-open trial exactly one gets it.
   * @param leaseMs how long a trial permit holds if its outcome never arrives (the call's timeout and a margin)
   */
  async acquire(serviceId: string, leaseMs: number): Promise<PermitDecision> {
    const seen = (await getCircuitBreaker(this.db, serviceId)) ?? (await ensureCircuitBreaker(this.db, serviceId));
    // The common case costs one read and no write; a stale CLOSED only lets through a call whose
    // outcome the generation check later ignores.
    if (seen.state === 'CLOSED') return decidePermit(seen, this.clock(), leaseMs);
    return this.db.transaction(async (tx) => {
      const row = await lockCircuitBreaker(tx, serviceId);
      if (!row) throw notFound(serviceId);
      const decision = decidePermit(row, this.clock(), leaseMs);
      if (decision.allowed && decision.patch) await updateCircuitBreaker(tx, serviceId, decision.patch, this.clock());
      return decision;
    });
  }

  /**
   * Records what a permitted call said about the service (see `applyOutcome`). A CLOSED breaker
   * with nothing to reset is left unwritten, so healthy traffic takes no lock.
   * @param failureCode the node failure code of a failure, kept as `lastFailureCode`
   */
  async record(permit: CircuitPermit, outcome: CallOutcome, failureCode?: string): Promise<void> {
    if (outcome !== 'failure' && !permit.trial) {
      const row = await getCircuitBreaker(this.db, permit.serviceId);
      if (!row || applyOutcome(row, permit, outcome, this.clock()) === undefined) return;
    }
    await this.db.transaction(async (tx) => {
      const row = await lockCircuitBreaker(tx, permit.serviceId);
      // Deleted meanwhile (not possible through the API): nothing to count against.
      if (!row) return;
      const now = this.clock();
      const patch = applyOutcome(row, permit, outcome, now, failureCode);
      if (patch) await updateCircuitBreaker(tx, permit.serviceId, patch, now);
    });
  }

  /** Every breaker, by service id. */
  async list(): Promise<{ items: CircuitBreakerView[] }> {
    return { items: (await listCircuitBreakers(this.db)).map(view) };
  }

  /** @throws WeftError CIRCUIT_BREAKER_NOT_FOUND when the service has no breaker */
  async get(serviceId: string): Promise<CircuitBreakerView> {
    const row = await getCircuitBreaker(this.db, serviceId);
    if (!row) throw notFound(serviceId);
    return view(row);
  }

  /**
   * Changes the settings given (others keep their value), creating the breaker when the service
   * has none yet; audited as `circuit_breaker.configured` with the settings before and after.
   */
  async configure(serviceId: string, config: Partial<CircuitBreakerConfig>, ctx: AuditContext): Promise<CircuitBreakerView> {
    return this.db.transaction(async (tx) => {
      const before = await lockCircuitBreaker(tx, serviceId);
      const row = await upsertCircuitBreakerConfig(tx, serviceId, config, this.clock());
      await appendAudit(tx, {
        ...ctx,
        action: 'circuit_breaker.configured',
        resourceType: 'circuit_breaker',
        resourceId: serviceId,
        details: { before: before ? view(before).config : null, after: view(row).config },
        before: before ? view(before) : null,
        after: view(row),
      });
      return view(row);
    });
  }

  /**
   * Closes the breaker and clears its counts; trials and calls still out are ignored when they
   * answer. Audited as `circuit_breaker.reset` with the state it had.
   * @throws WeftError CIRCUIT_BREAKER_NOT_FOUND when the service has no breaker
   */
  async reset(serviceId: string, ctx: AuditContext): Promise<CircuitBreakerView> {
    return this.db.transaction(async (tx) => {
      const row = await lockCircuitBreaker(tx, serviceId);
      if (!row) throw notFound(serviceId);
      const now = this.clock();
      const updated = await updateCircuitBreaker(tx, serviceId, resetPatch(row, now), now);
      if (!updated) throw notFound(serviceId);
      await appendAudit(tx, {
        ...ctx,
        action: 'circuit_breaker.reset',
        resourceType: 'circuit_breaker',
        resourceId: serviceId,
        details: { previousState: row.state, failureCount: row.failureCount },
        before: view(row),
        after: view(updated),
      });
      return view(updated);
    });
  }
}
