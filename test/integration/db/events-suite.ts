/**
 * The event matching contract (repository + services/events.ts), written once and run against
 * every driver (see `events.*.test.ts`): which waits an event reaches, what a new wait takes of
 * the events already stored, and that a publish racing a registration is never missed by both.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Database } from '../../../src/db';
import { getWait } from '../../../src/db/repositories/events';
import { DefinitionService } from '../../../src/services/definitions';
import { EventWaits } from '../../../src/domain/event-waits';
import { EventService } from '../../../src/services/events';
import { ExecutionService } from '../../../src/services/executions';
import type { EventWaitRequest } from '../../../src/shared/events';
import { testTemporalAddress } from '../../support/harness';

/** Opens the database under test (migrated); `other` is a second handle (another process on PostgreSQL). */
export type OpenForEventSuite = () => Promise<{ database: Database; other: Database; dispose: () => Promise<void> }>;

export function describeEventSuite(title: string, open: OpenForEventSuite): void {
  describe(title, () => {
    let database: Database;
    let other: Database;
    let dispose: () => Promise<void>;
    let connection: Connection;
    let publisher: EventService;
    let racingPublisher: EventService;

    beforeAll(async () => {
      ({ database, other, dispose } = await open());
      connection = await Connection.connect({ address: testTemporalAddress() });
      const client = new Client({ connection });
      const service = (db: Database) =>
        new EventService(db.db, client, new ExecutionService(db.db, client, `events-suite-${randomUUID()}`, new DefinitionService(db.db)));
      publisher = service(database);
      racingPublisher = service(other);
    });

    afterAll(async () => {
      await connection?.close();
      await dispose?.();
    });

    const name = () => `evt.${randomUUID().slice(0, 8)}`;
    const wait = (eventName: string, over: Partial<EventWaitRequest> = {}): EventWaitRequest => {
      const executionId = over.executionId ?? `exec-${randomUUID()}`;
      const nodeId = over.nodeId ?? 'sub';
      return {
        id: `${executionId}:${nodeId}:0`,
        executionId,
        nodeId,
        eventName,
        correlationKey: null,
        filter: null,
        since: new Date(Date.now() - 60_000).toISOString(),
        ...over,
      };
    };

    test('a new wait takes the oldest stored event it accepts: name, key (none = any), filter, since', async () => {
      const n = name();
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      const k1 = await publisher.publish({ name: n, correlationKey: 'K1', payload: { v: 1 }, source: 'test' }, { actor: 'test' });
      const k2 = await publisher.publish({ name: n, correlationKey: 'K2', payload: { v: 2 }, source: 'test' }, { actor: 'test' });
      const waits = new EventWaits(database.db);

      expect((await waits.register(wait(n, { correlationKey: 'K2' }))).event?.id).toBe(k2.id);
      expect((await waits.register(wait(n))).event?.id).toBe(k1.id); // no key: any key, oldest first
      expect((await waits.register(wait(n, { filter: 'event.payload.v = 2' }))).event?.id).toBe(k2.id);
      expect((await waits.register(wait(n, { filter: 'event.payload.(' }))).event).toBeNull(); // a broken filter holds for nothing
      expect((await waits.register(wait(n, { correlationKey: 'K3' }))).event).toBeNull();
      expect((await waits.register(wait(`${n}.other`))).event).toBeNull();
      expect((await waits.register(wait(n, { since: new Date(Date.now() + 60_000).toISOString() }))).event).toBeNull();
      expect((await waits.register(wait(n, { since: before, correlationKey: 'K1' }))).event?.id).toBe(k1.id);
    });

    test('registration is idempotent, and a node never takes the same event twice (loop iterations)', async () => {
      const n = name();
      const first = await publisher.publish({ name: n, correlationKey: 'L', source: 'test' }, { actor: 'test' });
      const second = await publisher.publish({ name: n, correlationKey: 'L', source: 'test' }, { actor: 'test' });
      const waits = new EventWaits(database.db);
      const run0 = wait(n, { correlationKey: 'L' });
      expect((await waits.register(run0)).event?.id).toBe(first.id);
      expect((await waits.register(run0)).event?.id).toBe(first.id); // a retried activity
      const run1 = { ...run0, id: run0.id.replace(/:0$/, ':1') };
      expect((await waits.register(run1)).event?.id).toBe(second.id);
      const run2 = { ...run0, id: run0.id.replace(/:0$/, ':2') };
      expect((await waits.register(run2)).event).toBeNull();
      // Its timeout passes: expired, and a later event passes it by.
      expect(await waits.expire(run2.id)).toEqual({ event: null });
      expect((await publisher.publish({ name: n, correlationKey: 'L', source: 'test' }, { actor: 'test' })).delivered).toBe(0);
      expect((await getWait(database.db, run2.id))?.state).toBe('expired');
    });

    test('a publish repeated with its idempotency key answers the same event', async () => {
      const n = name();
      const key = randomUUID();
      const a = await publisher.publish({ name: n, payload: { n: 1 }, idempotencyKey: key, source: 'test' }, { actor: 'test' });
      const b = await publisher.publish({ name: n, payload: { n: 2 }, idempotencyKey: key, source: 'test' }, { actor: 'test' });
      expect(b).toEqual({ ...a, replayed: true });
      const listed = await publisher.list({ name: n, limit: 10, offset: 0 });
      expect(listed.total).toBe(1);
      expect(listed.items[0]).toMatchObject({ id: a.id, payload: { n: 1 } });
    });

    test('a publish racing a registration: every wait ends up with its event, never missed by both', async () => {
      const rounds = 25;
      const results = await Promise.all(
        Array.from({ length: rounds }, async (_, i) => {
          const n = name();
          const w = wait(n, { correlationKey: `R${i}` });
          const registering = new EventWaits(i % 2 ? database.db : other.db).register(w);
          const publishing = (i % 2 ? racingPublisher : publisher).publish({ name: n, correlationKey: `R${i}`, source: 'test' }, { actor: 'test' });
          const [registered, published] = await Promise.all([registering, publishing]);
          return { w, registered, published };
        }),
      );
      for (const { w, registered, published } of results) {
        const row = await getWait(database.db, w.id);
        // Either the registration found the event, or the publish found the wait (its signal to
        // the made-up execution fails, so that wait is then marked cancelled) — never neither.
        expect(row?.eventId).toBe(published.id);
        expect(registered.event === null ? row?.state : 'taken at registration').toMatch(/cancelled|taken at registration/);
      }
    });
  });
}
