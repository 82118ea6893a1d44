/**
 * The rules of the inventory ledger: a consumption takes stock from one lot, exactly once per
 * idempotency key, or changes nothing; a receipt adds stock. Each runs in one transaction
 * under the lock of the lot rows it reads, so concurrent requests for the same stock queue up
 * instead of both seeing it.
 */
import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { adjustLot, ensureLot, findMovement, insertMovement, listLots, lockLots, type LockedLot } from '../db/repositories/inventory';
import type { InventoryLot, InventoryMovement } from '../db/schema';
import { WeftError } from '../graph/errors';
import { requireSameBody } from './idempotency';

/** A consumption asked by a MATERIAL_CONSUME node run. */
export interface ConsumeRequest {
  material: string;
  /** Absent: the oldest lot at `location` holding the whole quantity in `unit`. */
  lot?: string;
  location: string;
  /** Positive. */
  quantity: number;
  unit: string;
  /** The node run's key: the same key never consumes twice. */
  idempotencyKey: string;
  executionId: string;
  nodeId: string;
}

/** What a consumption did (MATERIAL_CONSUME's output). Quantities are numbers for JSON. */
export interface Consumption {
  material: string;
  lot: string;
  location: string;
  consumed: number;
  unit: string;
  /** The lot's quantity right after this consumption. */
  remaining: number;
  movementId: string;
}

/** A receipt through the API. */
export interface ReceiptRequest {
  material: string;
  lot: string;
  location: string;
  /** Positive. */
  quantity: number;
  unit: string;
  /** The client's `Idempotency-Key`: the same key (per actor) never receives twice. */
  idempotencyKey?: string;
}

/** A lot as the API shows it. */
export interface LotView {
  material: string;
  lot: string;
  location: string;
  quantity: number;
  unit: string;
  receivedAt: Date;
  updatedAt: Date;
}

/** Thrown inside a transaction when another one recorded the same key first: roll back, then answer what it recorded. */
class KeyTaken extends Error {}

/** Consumptions and receipts of the inventory ledger. */
export class InventoryService {
  constructor(private readonly db: WeftDb) {}

  /**
   * Consumes `quantity` from one lot, once per idempotency key: a repeated key (a retried or
   * re-run activity) answers what the first consumption recorded and consumes nothing more.
   * `replayed` says which happened.
   *
   * @throws WeftError MATERIAL_NOT_FOUND (no such material, lot or location), UNIT_MISMATCH (the
   *   lot is kept in another unit), INSUFFICIENT_STOCK (no lot holds the quantity); then nothing changed
   */
  async consume(req: ConsumeRequest): Promise<{ consumption: Consumption; replayed: boolean }> {
    const quantity = decimal(req.quantity);
    try {
      return await this.db.transaction(async (tx) => {
        const lots = await lockLots(tx, { material: req.material, location: req.location, lot: req.lot }, quantity);
        // Read after taking the locks: a concurrent run of the same key has committed by now.
        const recorded = await findMovement(tx, req.idempotencyKey);
        if (recorded) return { consumption: consumptionOf(recorded), replayed: true };
        const lot = pickLot(lots, req);
        const remaining = await adjustLot(tx, lot, `-${quantity}`);
        const movement = await insertMovement(tx, {
          id: randomUUID(),
          idempotencyKey: req.idempotencyKey,
          material: lot.material,
          lot: lot.lot,
          location: lot.location,
          delta: `-${quantity}`,
          unit: lot.unit,
          balanceAfter: remaining,
          executionId: req.executionId,
          nodeId: req.nodeId,
        });
        if (!movement) throw new KeyTaken();
        return { consumption: consumptionOf(movement), replayed: false };
      });
    } catch (err) {
      if (!(err instanceof KeyTaken)) throw err;
      const recorded = await findMovement(this.db, req.idempotencyKey);
      if (!recorded) throw new Error(`consume: movement ${req.idempotencyKey} vanished`);
      return { consumption: consumptionOf(recorded), replayed: true };
    }
  }

  /**
   * Adds stock to a lot, creating it (in `unit`) on its first receipt. Audited as
   * `inventory.received`. A repeated `idempotencyKey` of the same actor receives nothing more;
   * the same key with another receipt is refused.
   * @throws WeftError UNIT_MISMATCH when the lot is kept in another unit, IDEMPOTENCY_KEY_REUSED
   */
  async receive(req: ReceiptRequest, ctx: AuditContext): Promise<{ lot: LotView; movementId: string; replayed: boolean }> {
    const actor = ctx.actor;
    const quantity = decimal(req.quantity);
    const key = req.idempotencyKey === undefined ? `receipt:${randomUUID()}` : `receipt:${actor}:${req.idempotencyKey}`;
    const lotKey = { material: req.material, lot: req.lot, location: req.location };
    const attempt = () =>
      this.db.transaction(async (tx) => {
        await ensureLot(tx, lotKey, req.unit);
        const [locked] = await lockLots(tx, lotKey, quantity);
        if (!locked) throw new Error('receive: lot missing right after ensureLot');
        const recorded = await findMovement(tx, key);
        if (recorded) {
          const same = recorded.material === req.material && recorded.lot === req.lot && recorded.location === req.location;
          requireSameBody(req.idempotencyKey ?? key, same && Number(recorded.delta) === req.quantity && recorded.unit === req.unit, `receipt ${recorded.id}`);
          return { lot: lotView(locked), movementId: recorded.id, replayed: true };
        }
        if (locked.unit !== req.unit) {
          throw new WeftError('UNIT_MISMATCH', `lot ${req.lot} of ${req.material} at ${req.location} is kept in ${locked.unit}, not ${req.unit}`);
        }
        const balance = await adjustLot(tx, lotKey, quantity);
        const movement = await insertMovement(tx, {
          id: randomUUID(),
          idempotencyKey: key,
          ...lotKey,
          delta: quantity,
          unit: req.unit,
          balanceAfter: balance,
          actor,
        });
        if (!movement) throw new KeyTaken();
        await appendAudit(tx, {
          ...ctx,
          action: 'inventory.received',
          resourceType: 'inventory_lot',
          resourceId: `${req.material}/${req.lot}@${req.location}`,
          details: { quantity: req.quantity, unit: req.unit, movementId: movement.id },
          before: { quantity: locked.quantity, unit: locked.unit },
          after: { quantity: balance, unit: req.unit },
        });
        return { lot: lotView({ ...locked, quantity: balance }), movementId: movement.id, replayed: false };
      });
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof KeyTaken) return attempt(); // the other receipt committed: now it is found under the lock
      throw err;
    }
  }

  /** The lots, of one material when given, with their quantities. */
  async listLots(material?: string): Promise<LotView[]> {
    return (await listLots(this.db, material)).map(lotView);
  }
}

/** The lot a consumption takes from, or the reason none can. */
function pickLot(lots: LockedLot[], req: ConsumeRequest): LockedLot {
  const where = `${req.material}${req.lot === undefined ? '' : ` lot ${req.lot}`} at ${req.location}`;
  if (lots.length === 0) throw new WeftError('MATERIAL_NOT_FOUND', `no stock of ${where} is known`);
  const sameUnit = lots.filter((l) => l.unit === req.unit);
  if (sameUnit.length === 0) {
    throw new WeftError('UNIT_MISMATCH', `${where} is kept in ${[...new Set(lots.map((l) => l.unit))].join(', ')}, not ${req.unit}`);
  }
  const lot = sameUnit.find((l) => l.enough);
  if (!lot) {
    const held = sameUnit.map((l) => `${l.lot}: ${l.quantity}`).join(', ');
    throw new WeftError(
      'INSUFFICIENT_STOCK',
      `${req.quantity} ${req.unit} of ${where} asked; ${req.lot === undefined ? 'no lot holds that much' : 'not enough'} (${held})`,
    );
  }
  return lot;
}

function consumptionOf(m: InventoryMovement): Consumption {
  return {
    material: m.material,
    lot: m.lot,
    location: m.location,
    consumed: -Number(m.delta),
    unit: m.unit,
    remaining: Number(m.balanceAfter),
    movementId: m.id,
  };
}

function lotView(l: InventoryLot): LotView {
  return {
    material: l.material,
    lot: l.lot,
    location: l.location,
    quantity: Number(l.quantity),
    unit: l.unit,
    receivedAt: l.receivedAt,
    updatedAt: l.updatedAt,
  };
}

/**
 * A positive finite number as a decimal literal PostgreSQL's `numeric` reads exactly.
 * @throws WeftError VALIDATION_ERROR otherwise
 */
function decimal(n: number): string {
  if (!Number.isFinite(n) || n <= 0) throw new WeftError('VALIDATION_ERROR', `quantity must be a positive number, not ${n}`);
  return String(n);
}
