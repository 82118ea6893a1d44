/**
 * The circuit breaker state machine as pure functions over a row: what a caller may do now, and
 * how the outcome of a call changes the breaker. No I/O; the service applies the answers under a
 * row lock, so each function sees the row exactly as no other worker can change it meanwhile.
 *
 * CLOSED ──(failureThreshold consecutive failures)──> OPEN ──(openTimeoutMs passed, next call)──>
 * HALF_OPEN ──(a trial succeeds)──> CLOSED, or ──(a trial fails)──> OPEN again.
 */
import type { CircuitBreakerConfig, CircuitBreakerPatch } from '../db/repositories/circuit-breakers';
import type { CircuitBreakerRow } from '../db/schema';

/** Settings of a breaker nobody configured. */
export const DEFAULT_CIRCUIT_CONFIG: Readonly<CircuitBreakerConfig> = { failureThreshold: 5, openTimeoutMs: 30_000, halfOpenMaxCalls: 1 };

/** Health as `000_*.txt` names it: healthy (closed, no recent failures), degraded, broken (open). */
export type CircuitStatus = 'healthy' | 'degraded' | 'broken';

/**
 * Leave to make one call, tied to the breaker's generation when it was given: the outcome of a
 * call let through before a transition says nothing about the new state and is not applied to it.
 */
export interface CircuitPermit {
  serviceId: string;
  generation: number;
  /** True for a HALF_OPEN trial call, whose outcome closes or re-opens the breaker. */
  trial: boolean;
}

/** The answer to "may I call this service now?", with the change to store when there is one. */
export type PermitDecision =
  { allowed: true; permit: CircuitPermit; patch?: CircuitBreakerPatch } | { allowed: false; /** When asking again makes sense. */ retryAfterMs: number };

/**
 * What a finished call says about the service's health. `neutral` says nothing: the caller's own
 * mistake (a 4xx, a refused address) or a call that never reached the service.
 */
export type CallOutcome = 'success' | 'failure' | 'neutral';

/**
 * Classifies a node failure code: 5xx, 408, 429, TIMEOUT and NETWORK_ERROR count against the
 * service; every other code (other 4xx, SSRF_BLOCKED, INVALID_URL, RESPONSE_TOO_LARGE, …) is
 * about the request, not about the service's health.
 */
export function outcomeOfFailureCode(code: string): CallOutcome {
  if (code === 'TIMEOUT' || code === 'NETWORK_ERROR' || code === 'HTTP_408' || code === 'HTTP_429') return 'failure';
  return /^HTTP_5\d\d$/.test(code) ? 'failure' : 'neutral';
}

/** healthy, degraded or broken, from the stored state and the consecutive failures. */
export function statusOf(row: Pick<CircuitBreakerRow, 'state' | 'failureCount'>): CircuitStatus {
  if (row.state === 'OPEN') return 'broken';
  if (row.state === 'HALF_OPEN' || row.failureCount > 0) return 'degraded';
  return 'healthy';
}

/** When an OPEN breaker lets its next trial through; undefined unless OPEN. */
export function nextTrialAt(row: Pick<CircuitBreakerRow, 'state' | 'openedAt' | 'openTimeoutMs'>): Date | undefined {
  if (row.state !== 'OPEN' || !row.openedAt) return undefined;
  return new Date(row.openedAt.getTime() + row.openTimeoutMs);
}

/**
 * Decides whether a call may go out now.
 *
 * - CLOSED: yes, nothing to store.
 * - OPEN before `openTimeoutMs` has passed: no, ask again when it has.
 * - OPEN after it: this caller takes the first trial and the breaker becomes HALF_OPEN.
 * - HALF_OPEN: a trial while fewer than `halfOpenMaxCalls` are out. Trials are leased for
 *   `leaseMs`: when a worker dies mid-trial its permit lapses, else the breaker would stay
 *   HALF_OPEN with no trial left to give, for ever.
 */
export function decidePermit(row: CircuitBreakerRow, now: Date, leaseMs: number): PermitDecision {
  const serviceId = row.serviceId;
  if (row.state === 'CLOSED') return { allowed: true, permit: { serviceId, generation: row.generation, trial: false } };
  const leaseUntil = new Date(now.getTime() + leaseMs);
  if (row.state === 'OPEN') {
    const due = nextTrialAt(row)?.getTime() ?? now.getTime();
    if (now.getTime() < due) return { allowed: false, retryAfterMs: due - now.getTime() };
    const generation = row.generation + 1;
    return {
      allowed: true,
      permit: { serviceId, generation, trial: true },
      patch: { state: 'HALF_OPEN', generation, halfOpenCalls: 1, trialLeaseUntil: leaseUntil, stateChangedAt: now },
    };
  }
  const leaseLapsed = !row.trialLeaseUntil || row.trialLeaseUntil.getTime() <= now.getTime();
  const out = leaseLapsed ? 0 : row.halfOpenCalls;
  if (out >= row.halfOpenMaxCalls) {
    const leaseLeft = (row.trialLeaseUntil?.getTime() ?? now.getTime()) - now.getTime();
    return { allowed: false, retryAfterMs: Math.max(1, Math.min(row.openTimeoutMs, leaseLeft)) };
  }
  const keep = !leaseLapsed && row.trialLeaseUntil && row.trialLeaseUntil > leaseUntil ? row.trialLeaseUntil : leaseUntil;
  return {
    allowed: true,
    permit: { serviceId, generation: row.generation, trial: true },
    patch: { halfOpenCalls: out + 1, trialLeaseUntil: keep },
  };
}

/**
 * How the outcome of a permitted call changes the breaker; undefined when nothing changes.
 *
 * A failure is always added to `totalFailures` and `lastFailure*` (it happened), but moves the
 * state only when the permit belongs to the current generation: CLOSED counts it and opens at
 * `failureThreshold`; a failed trial re-opens. A success resets the count; a successful trial
 * closes. A neutral trial only gives its permit back.
 */
export function applyOutcome(
  row: CircuitBreakerRow,
  permit: CircuitPermit,
  outcome: CallOutcome,
  now: Date,
  failureCode?: string,
): CircuitBreakerPatch | undefined {
  const facts: CircuitBreakerPatch =
    outcome === 'failure' ? { totalFailures: row.totalFailures + 1, lastFailureAt: now, lastFailureCode: failureCode ?? null } : {};
  const current = permit.generation === row.generation;
  let transition: CircuitBreakerPatch | undefined;
  if (current && row.state === 'CLOSED' && !permit.trial) {
    if (outcome === 'failure') {
      const failureCount = row.failureCount + 1;
      transition =
        failureCount >= row.failureThreshold
          ? { state: 'OPEN', failureCount, generation: row.generation + 1, openedAt: now, stateChangedAt: now }
          : { failureCount };
    } else if (outcome === 'success' && row.failureCount > 0) {
      transition = { failureCount: 0 };
    }
  } else if (current && row.state === 'HALF_OPEN' && permit.trial) {
    const ended = { generation: row.generation + 1, halfOpenCalls: 0, trialLeaseUntil: null, stateChangedAt: now };
    if (outcome === 'success') transition = { ...ended, state: 'CLOSED', failureCount: 0, openedAt: null };
    else if (outcome === 'failure') transition = { ...ended, state: 'OPEN', failureCount: row.failureCount + 1, openedAt: now };
    else transition = { halfOpenCalls: Math.max(0, row.halfOpenCalls - 1) };
  }
  const patch = { ...facts, ...transition };
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** The transition of an operator's reset: CLOSED, counts cleared, outstanding permits void. */
export function resetPatch(row: CircuitBreakerRow, now: Date): CircuitBreakerPatch {
  return {
    state: 'CLOSED',
    generation: row.generation + 1,
    failureCount: 0,
    halfOpenCalls: 0,
    trialLeaseUntil: null,
    openedAt: null,
    stateChangedAt: now,
  };
}
