/**
 * The circuit breaker contract (repository + service + rules), written once and run against
 * every driver (see `circuit-breakers.*.test.ts`). The clock is pinned per service so open
 * timeouts pass without sleeping; every test uses its own service id.
 */
import { rejectsWithCode } from '../../support/expect-weft-error';
import { randomUUID } from 'node:crypto';
import { getCircuitBreaker, listAudit, type Database, type WeftDb } from '../../../src/db';
import { DEFAULT_CIRCUIT_CONFIG, type CircuitPermit, type PermitDecision } from '../../../src/domain/circuit-breaker-rules';
import { CircuitBreakerService } from '../../../src/domain/circuit-breakers';

/**
 * Opens the database under test (migrated). `other` is a second handle on the same database,
 * standing for another worker: its own connections on PostgreSQL, the same handle on PGlite
 * (single-connection by nature).
 */
export type OpenForBreakerSuite = () => Promise<{ database: Database; other: Database; dispose: () => Promise<void> }>;

const LEASE_MS = 10_000;

/** A service with a clock the test moves by hand. */
function pinnedService(db: WeftDb, start = Date.UTC(2025, 0, 1)) {
  let now = start;
  const service = new CircuitBreakerService(db, () => new Date(now));
  return {
    service,
    advance: (ms: number) => {
      now += ms;
    },
    at: () => now,
  };
}

function newServiceId(): string {
  return `svc-${randomUUID().slice(0, 8)}.example.test:443`;
}

function permitOf(decision: PermitDecision): CircuitPermit {
  if (!decision.allowed) throw new Error(`expected a permit, got a refusal (${decision.retryAfterMs} ms)`);
  return decision.permit;
}

async function failTimes(service: CircuitBreakerService, serviceId: string, times: number, code = 'HTTP_503'): Promise<void> {
  for (let i = 0; i < times; i++) await service.record(permitOf(await service.acquire(serviceId, LEASE_MS)), 'failure', code);
}

/** Registers the whole circuit breaker suite under `describe(label)`. */
export function describeCircuitBreakerSuite(label: string, open: OpenForBreakerSuite): void {
  describe(label, () => {
    let database: Database;
    let other: Database;
    let dispose: () => Promise<void>;
    let db: WeftDb;

    beforeAll(async () => {
      ({ database, other, dispose } = await open());
      db = database.db;
    });

    afterAll(async () => {
      await dispose?.();
    });

    it('creates a CLOSED, healthy breaker with the defaults on the first call to a service', async () => {
      const { service } = pinnedService(db);
      const id = newServiceId();
      await rejectsWithCode(service.get(id), 'CIRCUIT_BREAKER_NOT_FOUND');
      const decision = await service.acquire(id, LEASE_MS);
      expect(decision).toEqual({ allowed: true, permit: { serviceId: id, generation: 0, trial: false } });
      const view = await service.get(id);
      expect(view).toMatchObject({ serviceId: id, state: 'CLOSED', status: 'healthy', config: DEFAULT_CIRCUIT_CONFIG, failureCount: 0, nextAttemptAt: null });
      expect((await service.list()).items.map((b) => b.serviceId)).toContain(id);
    });

    it('opens after failureThreshold consecutive failures and refuses until openTimeoutMs has passed', async () => {
      const { service, advance } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 3, openTimeoutMs: 1_000 }, { actor: 'lead' });
      await failTimes(service, id, 2);
      expect(await service.get(id)).toMatchObject({ state: 'CLOSED', status: 'degraded', failureCount: 2, totalFailures: 2, lastFailureCode: 'HTTP_503' });

      await failTimes(service, id, 1, 'TIMEOUT');
      const opened = await service.get(id);
      expect(opened).toMatchObject({ state: 'OPEN', status: 'broken', failureCount: 3, lastFailureCode: 'TIMEOUT' });
      expect(opened.nextAttemptAt!.getTime()).toBe(opened.openedAt!.getTime() + 1_000);

      advance(400);
      expect(await service.acquire(id, LEASE_MS)).toEqual({ allowed: false, retryAfterMs: 600 });
      advance(599);
      expect((await service.acquire(id, LEASE_MS)).allowed).toBe(false);
    });

    it('a success resets the consecutive count; neutral outcomes count for nothing', async () => {
      const { service } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 2 }, { actor: 'lead' });
      await failTimes(service, id, 1);
      await service.record(permitOf(await service.acquire(id, LEASE_MS)), 'success');
      expect(await service.get(id)).toMatchObject({ state: 'CLOSED', status: 'healthy', failureCount: 0, totalFailures: 1 });
      await failTimes(service, id, 1);
      await service.record(permitOf(await service.acquire(id, LEASE_MS)), 'neutral');
      expect(await service.get(id)).toMatchObject({ state: 'CLOSED', failureCount: 1 });
    });

    it('after openTimeoutMs one trial goes through (HALF_OPEN); its success closes the breaker', async () => {
      const { service, advance } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 1, openTimeoutMs: 500 }, { actor: 'lead' });
      await failTimes(service, id, 1);
      advance(500);
      const trial = permitOf(await service.acquire(id, LEASE_MS));
      expect(trial.trial).toBe(true);
      expect(await service.get(id)).toMatchObject({ state: 'HALF_OPEN', status: 'degraded', halfOpenCalls: 1 });
      // halfOpenMaxCalls is 1: a second caller waits for the trial's verdict.
      expect((await service.acquire(id, LEASE_MS)).allowed).toBe(false);

      await service.record(trial, 'success');
      expect(await service.get(id)).toMatchObject({ state: 'CLOSED', status: 'healthy', failureCount: 0, halfOpenCalls: 0, openedAt: null });
      expect((await service.acquire(id, LEASE_MS)).allowed).toBe(true);
    });

    it('a failed trial re-opens the breaker for another openTimeoutMs', async () => {
      const { service, advance, at } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 1, openTimeoutMs: 500 }, { actor: 'lead' });
      await failTimes(service, id, 1);
      advance(700);
      const trial = permitOf(await service.acquire(id, LEASE_MS));
      await service.record(trial, 'failure', 'NETWORK_ERROR');
      const reopened = await service.get(id);
      expect(reopened).toMatchObject({ state: 'OPEN', lastFailureCode: 'NETWORK_ERROR' });
      expect(reopened.openedAt!.getTime()).toBe(at());
      expect(await service.acquire(id, LEASE_MS)).toEqual({ allowed: false, retryAfterMs: 500 });
    });

    it('halfOpenMaxCalls trials may be out at once; a neutral trial gives its permit back', async () => {
      const { service, advance } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 1, openTimeoutMs: 100, halfOpenMaxCalls: 2 }, { actor: 'lead' });
      await failTimes(service, id, 1);
      advance(100);
      const first = permitOf(await service.acquire(id, LEASE_MS));
      permitOf(await service.acquire(id, LEASE_MS));
      expect((await service.acquire(id, LEASE_MS)).allowed).toBe(false);
      await service.record(first, 'neutral');
      expect(await service.get(id)).toMatchObject({ state: 'HALF_OPEN', halfOpenCalls: 1 });
      expect((await service.acquire(id, LEASE_MS)).allowed).toBe(true);
    });

    it('a trial whose outcome never arrives lapses after its lease', async () => {
      const { service, advance } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 1, openTimeoutMs: 100 }, { actor: 'lead' });
      await failTimes(service, id, 1);
      advance(100);
      permitOf(await service.acquire(id, 2_000)); // its worker dies and never reports
      advance(1_999);
      expect((await service.acquire(id, 2_000)).allowed).toBe(false);
      advance(1);
      const next = permitOf(await service.acquire(id, 2_000));
      await service.record(next, 'success');
      expect((await service.get(id)).state).toBe('CLOSED');
    });

    it('outcomes of calls let through before a transition do not move the new state', async () => {
      const { service, advance } = pinnedService(db);
      const id = newServiceId();
      await service.configure(id, { failureThreshold: 2, openTimeoutMs: 100 }, { actor: 'lead' });
      const early = permitOf(await service.acquire(id, LEASE_MS));
      await failTimes(service, id, 2);
      expect((await service.get(id)).state).toBe('OPEN');
      // A slow call from before the breaker opened answers now: it neither closes nor extends it.
      await service.record(early, 'success');
      expect((await service.get(id)).state).toBe('OPEN');
      advance(100);
      const trial = permitOf(await service.acquire(id, LEASE_MS));
      await service.record(early, 'failure', 'HTTP_500');
      expect(await service.get(id)).toMatchObject({ state: 'HALF_OPEN', totalFailures: 3 });
      await service.record(trial, 'success');
      expect((await service.get(id)).state).toBe('CLOSED');
    });

    it('configure creates or updates only the settings given, reset closes; both are audited', async () => {
      const { service } = pinnedService(db);
      const id = newServiceId();
      const created = await service.configure(id, { openTimeoutMs: 2_000 }, { actor: 'lead' });
      expect(created).toMatchObject({ state: 'CLOSED', config: { ...DEFAULT_CIRCUIT_CONFIG, openTimeoutMs: 2_000 } });
      const updated = await service.configure(id, { failureThreshold: 1, halfOpenMaxCalls: 3 }, { actor: 'lead' });
      expect(updated.config).toEqual({ failureThreshold: 1, openTimeoutMs: 2_000, halfOpenMaxCalls: 3 });

      await failTimes(service, id, 1);
      const reset = await service.reset(id, { actor: 'oncall' });
      expect(reset).toMatchObject({ state: 'CLOSED', status: 'healthy', failureCount: 0, openedAt: null, totalFailures: 1 });
      expect((await service.acquire(id, LEASE_MS)).allowed).toBe(true);
      await rejectsWithCode(service.reset(newServiceId(), { actor: 'oncall' }), 'CIRCUIT_BREAKER_NOT_FOUND');

      const audit = await listAudit(db, { resourceType: 'circuit_breaker', resourceId: id, limit: 10 });
      expect(audit.map((a) => [a.action, a.actor])).toEqual([
        ['circuit_breaker.reset', 'oncall'],
        ['circuit_breaker.configured', 'lead'],
        ['circuit_breaker.configured', 'lead'],
      ]);
      expect(audit[0]?.details).toEqual({ previousState: 'OPEN', failureCount: 1 });
      expect(audit[1]?.details).toEqual({
        before: { ...DEFAULT_CIRCUIT_CONFIG, openTimeoutMs: 2_000 },
        after: { failureThreshold: 1, openTimeoutMs: 2_000, halfOpenMaxCalls: 3 },
      });
    });

    it('two workers asking at once for the single half-open trial: exactly one gets it', async () => {
      const id = newServiceId();
      const start = Date.UTC(2025, 0, 1);
      const a = pinnedService(db, start);
      const b = pinnedService(other.db, start);
      await a.service.configure(id, { failureThreshold: 1, openTimeoutMs: 100 }, { actor: 'lead' });
      await failTimes(a.service, id, 1);
      a.advance(100);
      b.advance(100);
      for (let round = 0; round < 5; round++) {
        const decisions = await Promise.all([
          a.service.acquire(id, LEASE_MS),
          b.service.acquire(id, LEASE_MS),
          a.service.acquire(id, LEASE_MS),
          b.service.acquire(id, LEASE_MS),
        ]);
        const granted = decisions.filter((d) => d.allowed);
        expect(granted).toHaveLength(1);
        expect((await getCircuitBreaker(db, id))?.halfOpenCalls).toBe(1);
        // The trial fails: OPEN again, and the next round races for the next trial.
        await a.service.record(permitOf(granted[0]!), 'failure', 'HTTP_503');
        expect((await getCircuitBreaker(db, id))?.state).toBe('OPEN');
        a.advance(100);
        b.advance(100);
      }
    });

    it('failures recorded at once by several workers are all counted', async () => {
      const { service: a } = pinnedService(db);
      const { service: b } = pinnedService(other.db);
      const id = newServiceId();
      await a.configure(id, { failureThreshold: 100 }, { actor: 'lead' });
      const permits = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire(id, LEASE_MS)));
      await Promise.all(permits.map((p, i) => (i % 2 ? a : b).record(permitOf(p), 'failure', 'HTTP_502')));
      expect(await getCircuitBreaker(db, id)).toMatchObject({ failureCount: 12, totalFailures: 12, state: 'CLOSED' });
    });
  });
}
