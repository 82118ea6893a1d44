/**
 * The inventory ledger: lots and their movements. Rows only; the rules of a consumption or a
 * receipt (which lot, enough stock, same unit) live in src/domain/inventory.ts. Every function
 * works on the handle it is given, so it joins the caller's transaction. Quantities travel as
 * decimal strings so that PostgreSQL's `numeric` arithmetic stays exact.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { inventoryLots, inventoryMovements, type InventoryLot, type InventoryMovement } from '../schema';

/** A lot as read under its row lock, with whether it holds at least the quantity asked. */
export interface LockedLot extends InventoryLot {
  enough: boolean;
}

/** Identifies one lot. */
export interface LotKey {
  material: string;
  lot: string;
  location: string;
}

/**
 * Reads and locks (`FOR UPDATE`) the lots of `material` at `location` — only `lot` when given —
 * oldest receipt first, so that concurrent consumptions of the same stock run one after another.
 * @param quantity decimal string compared with each lot's quantity (`enough`)
 */
export async function lockLots(db: WeftDb, where: { material: string; location: string; lot?: string }, quantity: string): Promise<LockedLot[]> {
  const conditions: SQL[] = [eq(inventoryLots.material, where.material), eq(inventoryLots.location, where.location)];
  if (where.lot !== undefined) conditions.push(eq(inventoryLots.lot, where.lot));
  const rows = await db
    .select({
      material: inventoryLots.material,
      lot: inventoryLots.lot,
      location: inventoryLots.location,
      quantity: inventoryLots.quantity,
      unit: inventoryLots.unit,
      receivedAt: inventoryLots.receivedAt,
      updatedAt: inventoryLots.updatedAt,
      enough: sql<boolean>`${inventoryLots.quantity} >= ${quantity}::numeric`,
    })
    .from(inventoryLots)
    .where(and(...conditions))
    .orderBy(asc(inventoryLots.receivedAt), asc(inventoryLots.lot))
    .for('update');
  return rows;
}

/** Creates the lot with quantity 0 unless it exists (then nothing changes: the unit stays the first receipt's). */
export async function ensureLot(db: WeftDb, key: LotKey, unit: string): Promise<void> {
  await db
    .insert(inventoryLots)
    .values({ ...key, unit, quantity: '0' })
    .onConflictDoNothing();
}

/**
 * Adds `delta` (a decimal string, negative to take) to the lot's quantity.
 * @returns the new quantity as a decimal string
 * @throws Error when the lot does not exist; the driver's check violation when the quantity would go below 0
 */
export async function adjustLot(db: WeftDb, key: LotKey, delta: string): Promise<string> {
  const [row] = await db
    .update(inventoryLots)
    .set({ quantity: sql`${inventoryLots.quantity} + ${delta}::numeric`, updatedAt: sql`now()` })
    .where(and(eq(inventoryLots.material, key.material), eq(inventoryLots.lot, key.lot), eq(inventoryLots.location, key.location)))
    .returning({ quantity: inventoryLots.quantity });
  if (!row) throw new Error(`adjustLot: no lot ${key.material}/${key.lot}@${key.location}`);
  return row.quantity;
}

/** The movement recorded under this idempotency key, or undefined. */
export async function findMovement(db: WeftDb, idempotencyKey: string): Promise<InventoryMovement | undefined> {
  const [row] = await db.select().from(inventoryMovements).where(eq(inventoryMovements.idempotencyKey, idempotencyKey));
  return row;
}

/** A movement to record; `delta` and `balanceAfter` are decimal strings. */
export type NewMovement = typeof inventoryMovements.$inferInsert;

/**
 * Records a movement unless its idempotency key is recorded already (`ON CONFLICT DO NOTHING`,
 * which, unlike a caught unique violation, leaves the caller's transaction usable).
 * @returns the stored row, or undefined when the key was taken
 */
export async function insertMovement(db: WeftDb, movement: NewMovement): Promise<InventoryMovement | undefined> {
  const [row] = await db.insert(inventoryMovements).values(movement).onConflictDoNothing({ target: inventoryMovements.idempotencyKey }).returning();
  return row;
}

/** Lots, by material, lot and location; only `material`'s when given. */
export async function listLots(db: WeftDb, material?: string): Promise<InventoryLot[]> {
  return db
    .select()
    .from(inventoryLots)
    .where(material === undefined ? undefined : eq(inventoryLots.material, material))
    .orderBy(asc(inventoryLots.material), asc(inventoryLots.lot), asc(inventoryLots.location));
}

/** Movements of one execution (or all movements of a lot), oldest first. */
export async function listMovements(db: WeftDb, where: { executionId?: string; material?: string }): Promise<InventoryMovement[]> {
  const conditions: SQL[] = [];
  if (where.executionId !== undefined) conditions.push(eq(inventoryMovements.executionId, where.executionId));
  if (where.material !== undefined) conditions.push(eq(inventoryMovements.material, where.material));
  return db
    .select()
    .from(inventoryMovements)
    .where(and(...conditions))
    .orderBy(asc(inventoryMovements.at), asc(inventoryMovements.id));
}
