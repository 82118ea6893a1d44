/**
 * The manufacturing ledgers, written once and run against every driver (see the
 * `operations.*.test.ts` files): inventory consumption exactly once per key and never below zero
 * under concurrency, receipts, and equipment reservations that never overlap. Each test uses its
 * own name prefix, so tests share one database per file without cleaning up.
 */
import { randomBytes } from 'node:crypto';
import { listAudit, listMovements, listReservations, type Database, type WeftDb } from '../../../src/db';
import { isWeftError } from '../../../src/graph/errors';
import { EquipmentService } from '../../../src/domain/equipment';
import { InventoryService, type ConsumeRequest } from '../../../src/domain/inventory';

/** Opens the database under test (migrated) and says how to dispose of it. */
export type OpenForOperationsSuite = () => Promise<{ database: Database; dispose: () => Promise<void> }>;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isWeftError(err)).toBe(true);
  return (err as { code: string }).code;
}

/** Registers the operations suite under `describe(label)`. */
export function describeOperationsSuite(label: string, open: OpenForOperationsSuite): void {
  describe(label, () => {
    let dispose: () => Promise<void>;
    let db: WeftDb;
    let inventory: InventoryService;
    let equipment: EquipmentService;
    let p: string;

    beforeAll(async () => {
      const opened = await open();
      db = opened.database.db;
      dispose = opened.dispose;
      inventory = new InventoryService(db);
      equipment = new EquipmentService(db);
    });

    afterAll(async () => {
      await dispose?.();
    });

    beforeEach(() => {
      p = `t${randomBytes(4).toString('hex')}-`;
    });

    const consumeReq = (over: Partial<ConsumeRequest> = {}): ConsumeRequest => ({
      material: `${p}steel`,
      location: 'WH1',
      quantity: 4,
      unit: 'kg',
      idempotencyKey: `${p}exec:take:0`,
      executionId: `${p}exec`,
      nodeId: 'take',
      ...over,
    });

    const stock = async (material = `${p}steel`) => (await inventory.listLots(material)).map((l) => [l.lot, l.quantity]);

    describe('inventory', () => {
      it('receives into a lot, audited, and lists lots with quantities', async () => {
        const first = await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 10.5, unit: 'kg' }, { actor: 'olga' });
        expect(first).toMatchObject({ replayed: false, lot: { lot: 'L1', quantity: 10.5, unit: 'kg' } });
        await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 0.25, unit: 'kg' }, { actor: 'olga' });
        expect(await stock()).toEqual([['L1', 10.75]]);
        const audit = await listAudit(db, { resourceType: 'inventory_lot', resourceId: `${p}steel/L1@WH1`, limit: 10 });
        expect(audit.map((a) => [a.action, a.actor])).toEqual([
          ['inventory.received', 'olga'],
          ['inventory.received', 'olga'],
        ]);
      });

      it('a receipt repeated with the same key adds once; another unit is refused', async () => {
        const r = { material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 5, unit: 'kg', idempotencyKey: 'po-1' };
        const [a, b] = await Promise.all([inventory.receive(r, { actor: 'olga' }), inventory.receive(r, { actor: 'olga' })]);
        expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
        expect(a.movementId).toBe(b.movementId);
        expect(await stock()).toEqual([['L1', 5]]);
        expect(await codeOf(inventory.receive({ ...r, idempotencyKey: 'po-2', unit: 'g' }, { actor: 'olga' }))).toBe('UNIT_MISMATCH');
      });

      it('consumes from the named lot and records the movement', async () => {
        await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 10, unit: 'kg' }, { actor: 'olga' });
        const { consumption, replayed } = await inventory.consume(consumeReq({ lot: 'L1', quantity: 2.5 }));
        expect(replayed).toBe(false);
        expect(consumption).toMatchObject({ material: `${p}steel`, lot: 'L1', location: 'WH1', consumed: 2.5, unit: 'kg', remaining: 7.5 });
        const moves = await listMovements(db, { executionId: `${p}exec` });
        expect(moves.map((m) => [m.id, m.delta, m.balanceAfter, m.nodeId])).toEqual([[consumption.movementId, '-2.5', '7.5', 'take']]);
      });

      it('consuming twice with the same idempotency key consumes once and answers the same', async () => {
        await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 10, unit: 'kg' }, { actor: 'olga' });
        const first = await inventory.consume(consumeReq());
        const again = await inventory.consume(consumeReq());
        expect(again).toEqual({ consumption: first.consumption, replayed: true });
        // Even concurrently, and even once the stock could no longer cover it.
        const [x, y] = await Promise.all([inventory.consume(consumeReq({ quantity: 6 })), inventory.consume(consumeReq({ quantity: 6 }))]);
        expect([x.replayed, y.replayed]).toEqual([true, true]);
        expect(await stock()).toEqual([['L1', 6]]);
        expect(await listMovements(db, { executionId: `${p}exec` })).toHaveLength(1);
      });

      it('two concurrent consumptions of the last stock: exactly one succeeds, the stock never goes below zero', async () => {
        await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 4, unit: 'kg' }, { actor: 'olga' });
        const results = await Promise.allSettled([
          inventory.consume(consumeReq({ idempotencyKey: `${p}a:take:0`, executionId: `${p}a` })),
          inventory.consume(consumeReq({ idempotencyKey: `${p}b:take:0`, executionId: `${p}b` })),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect((failure.reason as { code: string }).code).toBe('INSUFFICIENT_STOCK');
        expect(await stock()).toEqual([['L1', 0]]);
        expect(await listMovements(db, { material: `${p}steel` })).toHaveLength(2); // the receipt and one consumption
      });

      it('many concurrent consumptions never oversell', async () => {
        await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 10, unit: 'kg' }, { actor: 'olga' });
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => inventory.consume(consumeReq({ quantity: 3, idempotencyKey: `${p}${i}:take:0`, executionId: `${p}${i}` }))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
        expect(await stock()).toEqual([['L1', 1]]);
      });

      it('without a lot, takes from the oldest lot that holds the quantity', async () => {
        await inventory.receive({ material: `${p}steel`, lot: 'A', location: 'WH1', quantity: 2, unit: 'kg' }, { actor: 'olga' });
        await inventory.receive({ material: `${p}steel`, lot: 'B', location: 'WH1', quantity: 5, unit: 'kg' }, { actor: 'olga' });
        await inventory.receive({ material: `${p}steel`, lot: 'C', location: 'WH1', quantity: 5, unit: 'kg' }, { actor: 'olga' });
        expect((await inventory.consume(consumeReq({ quantity: 3 }))).consumption).toMatchObject({ lot: 'B', remaining: 2 });
        expect((await inventory.consume(consumeReq({ quantity: 2, idempotencyKey: `${p}2` }))).consumption.lot).toBe('A');
      });

      it('insufficient stock, an unknown material or lot, or another unit changes nothing', async () => {
        await inventory.receive({ material: `${p}steel`, lot: 'L1', location: 'WH1', quantity: 3, unit: 'kg' }, { actor: 'olga' });
        expect(await codeOf(inventory.consume(consumeReq({ quantity: 3.5 })))).toBe('INSUFFICIENT_STOCK');
        expect(await codeOf(inventory.consume(consumeReq({ material: `${p}copper` })))).toBe('MATERIAL_NOT_FOUND');
        expect(await codeOf(inventory.consume(consumeReq({ lot: 'L9' })))).toBe('MATERIAL_NOT_FOUND');
        expect(await codeOf(inventory.consume(consumeReq({ location: 'WH2' })))).toBe('MATERIAL_NOT_FOUND');
        expect(await codeOf(inventory.consume(consumeReq({ unit: 'g', quantity: 1 })))).toBe('UNIT_MISMATCH');
        expect(await stock()).toEqual([['L1', 3]]);
        expect(await listMovements(db, { executionId: `${p}exec` })).toEqual([]);
      });
    });

    describe('equipment', () => {
      const at = (h: number) => new Date(Date.UTC(2031, 0, 1, h));
      const reserveReq = (id: string, from: number, until: number, key: string) => ({
        equipmentId: id,
        from: at(from),
        until: at(until),
        idempotencyKey: `${p}${key}`,
        executionId: `${p}exec`,
        nodeId: key,
      });

      it('registers equipment (audited) and refuses a taken id', async () => {
        const press = await equipment.create({ id: `${p}press`, name: 'Press 7', kind: 'press' }, { actor: 'lead' });
        expect(press).toMatchObject({ id: `${p}press`, status: 'available' });
        expect(await codeOf(equipment.create({ id: `${p}press`, name: 'Again', kind: 'press' }, { actor: 'lead' }))).toBe('EQUIPMENT_CONFLICT');
        expect((await equipment.list()).map((e) => e.id)).toContain(`${p}press`);
        const audit = await listAudit(db, { resourceType: 'equipment', resourceId: `${p}press`, limit: 5 });
        expect(audit.map((a) => a.action)).toEqual(['equipment.created']);
        expect(await codeOf(equipment.get(`${p}nope`))).toBe('EQUIPMENT_NOT_FOUND');
      });

      it('reserve → start → complete, each repeatable by its own key; out of order refused', async () => {
        await equipment.create({ id: `${p}oven`, name: 'Oven', kind: 'oven' }, { actor: 'lead' });
        const r = await equipment.reserve(reserveReq(`${p}oven`, 8, 10, 'r'));
        expect(r).toMatchObject({ state: 'reserved', startsAt: at(8).toISOString(), endsAt: at(10).toISOString() });
        expect(await equipment.reserve(reserveReq(`${p}oven`, 8, 10, 'r'))).toEqual(r);
        const t = (action: 'start' | 'complete' | 'release', key: string) =>
          equipment.transition({ equipmentId: `${p}oven`, reservationId: r.reservationId, action, idempotencyKey: `${p}${key}` });
        expect(await codeOf(t('complete', 'c0'))).toBe('INVALID_EQUIPMENT_STATE');
        expect((await t('start', 's')).state).toBe('started');
        expect((await t('start', 's')).state).toBe('started'); // the same run asking again
        expect(await codeOf(t('start', 's2'))).toBe('INVALID_EQUIPMENT_STATE'); // another run
        expect((await t('complete', 'c')).state).toBe('completed');
        expect(await codeOf(t('release', 'x'))).toBe('INVALID_EQUIPMENT_STATE');
        expect(await codeOf(equipment.transition({ equipmentId: `${p}oven`, reservationId: 'nope', action: 'start', idempotencyKey: 'k' }))).toBe(
          'RESERVATION_NOT_FOUND',
        );
        expect((await equipment.get(`${p}oven`)).reservations?.map((x) => x.state)).toEqual(['completed']);
      });

      it('an overlapping window is refused; adjacent windows and windows after a release are fine', async () => {
        await equipment.create({ id: `${p}lathe`, name: 'Lathe', kind: 'lathe' }, { actor: 'lead' });
        const first = await equipment.reserve(reserveReq(`${p}lathe`, 8, 10, 'a'));
        expect(await codeOf(equipment.reserve(reserveReq(`${p}lathe`, 9, 11, 'b')))).toBe('EQUIPMENT_UNAVAILABLE');
        expect(await codeOf(equipment.reserve(reserveReq(`${p}lathe`, 7, 12, 'c')))).toBe('EQUIPMENT_UNAVAILABLE');
        expect((await equipment.reserve(reserveReq(`${p}lathe`, 10, 11, 'd'))).state).toBe('reserved');
        await equipment.transition({ equipmentId: `${p}lathe`, reservationId: first.reservationId, action: 'release', idempotencyKey: `${p}rel` });
        expect((await equipment.reserve(reserveReq(`${p}lathe`, 9, 10, 'e'))).state).toBe('reserved');
        expect(await codeOf(equipment.reserve(reserveReq(`${p}lathe`, 12, 11, 'f')))).toBe('VALIDATION_ERROR');
        expect(await codeOf(equipment.reserve(reserveReq(`${p}none`, 1, 2, 'g')))).toBe('EQUIPMENT_NOT_FOUND');
      });

      it('overlapping reservations asked concurrently: exactly one is made', async () => {
        await equipment.create({ id: `${p}mill`, name: 'Mill', kind: 'mill' }, { actor: 'lead' });
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => equipment.reserve(reserveReq(`${p}mill`, 8 + (i % 2), 10, `k${i}`))));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('EQUIPMENT_UNAVAILABLE');
        expect(await listReservations(db, `${p}mill`)).toHaveLength(1);
      });

      it('equipment not available refuses reservations', async () => {
        await equipment.create({ id: `${p}old`, name: 'Old', kind: 'press', status: 'maintenance' }, { actor: 'lead' });
        expect(await codeOf(equipment.reserve(reserveReq(`${p}old`, 1, 2, 'm')))).toBe('EQUIPMENT_UNAVAILABLE');
      });
    });
  });
}
