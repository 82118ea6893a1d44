/**
 * The equipment registry and its reservations. Rows only; the rules (overlaps, transitions) live
 * in src/domain/equipment.ts. Every function works on the handle it is given, so it joins the
 * caller's transaction.
 */
import { and, asc, eq, gt, inArray, lt } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { equipment, equipmentReservations, type Equipment, type EquipmentReservation, type EquipmentStatus, type ReservationState } from '../schema';

/** A new piece of equipment; `status` defaults to `available`. */
export interface CreateEquipmentInput {
  id: string;
  name: string;
  kind: string;
  status?: EquipmentStatus;
}

/**
 * Inserts a piece of equipment unless its id is taken.
 * @returns the stored row, or undefined when the id is taken
 */
export async function insertEquipment(db: WeftDb, input: CreateEquipmentInput): Promise<Equipment | undefined> {
  const [row] = await db
    .insert(equipment)
    .values({ id: input.id, name: input.name, kind: input.kind, status: input.status ?? 'available' })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** The piece of equipment, or undefined. */
export async function getEquipment(db: WeftDb, id: string): Promise<Equipment | undefined> {
  const [row] = await db.select().from(equipment).where(eq(equipment.id, id));
  return row;
}

/** Reads and locks (`FOR UPDATE`) the piece of equipment: reservations of it are made one at a time. */
export async function lockEquipment(db: WeftDb, id: string): Promise<Equipment | undefined> {
  const [row] = await db.select().from(equipment).where(eq(equipment.id, id)).for('update');
  return row;
}

/** Every piece of equipment, by id. */
export async function listEquipment(db: WeftDb): Promise<Equipment[]> {
  return db.select().from(equipment).orderBy(asc(equipment.id));
}

/** The reservations of a piece of equipment, by start. */
export async function listReservations(db: WeftDb, equipmentId: string): Promise<EquipmentReservation[]> {
  return db
    .select()
    .from(equipmentReservations)
    .where(eq(equipmentReservations.equipmentId, equipmentId))
    .orderBy(asc(equipmentReservations.startsAt), asc(equipmentReservations.id));
}

/** The reservation made under this idempotency key, or undefined. */
export async function findReservationByKey(db: WeftDb, idempotencyKey: string): Promise<EquipmentReservation | undefined> {
  const [row] = await db.select().from(equipmentReservations).where(eq(equipmentReservations.idempotencyKey, idempotencyKey));
  return row;
}

/** Reads and locks the reservation of that equipment, or undefined. */
export async function lockReservation(db: WeftDb, equipmentId: string, id: string): Promise<EquipmentReservation | undefined> {
  const [row] = await db
    .select()
    .from(equipmentReservations)
    .where(and(eq(equipmentReservations.id, id), eq(equipmentReservations.equipmentId, equipmentId)))
    .for('update');
  return row;
}

/** Reservations of the equipment in one of `states` whose window `[startsAt, endsAt)` meets `[from, until)`. */
export async function overlappingReservations(
  db: WeftDb,
  equipmentId: string,
  from: Date,
  until: Date,
  states: readonly ReservationState[],
): Promise<EquipmentReservation[]> {
  return db
    .select()
    .from(equipmentReservations)
    .where(
      and(
        eq(equipmentReservations.equipmentId, equipmentId),
        inArray(equipmentReservations.state, [...states]),
        lt(equipmentReservations.startsAt, until),
        gt(equipmentReservations.endsAt, from),
      ),
    )
    .orderBy(asc(equipmentReservations.startsAt));
}

/** Values of a new reservation (state `reserved`). */
export type NewReservation = Pick<
  typeof equipmentReservations.$inferInsert,
  'id' | 'equipmentId' | 'executionId' | 'nodeId' | 'idempotencyKey' | 'startsAt' | 'endsAt'
>;

/**
 * Inserts a reservation unless its idempotency key is taken.
 * @returns the stored row, or undefined when the key was taken
 */
export async function insertReservation(db: WeftDb, values: NewReservation): Promise<EquipmentReservation | undefined> {
  const [row] = await db
    .insert(equipmentReservations)
    .values({ ...values, state: 'reserved' })
    .onConflictDoNothing({ target: equipmentReservations.idempotencyKey })
    .returning();
  return row;
}

/**
 * Moves a reservation to `state`, remembering the key of the node run that did it.
 * @throws Error when the reservation does not exist
 */
export async function setReservationState(
  db: WeftDb,
  id: string,
  state: ReservationState,
  transitionKey: string,
  at: Date = new Date(),
): Promise<EquipmentReservation> {
  const [row] = await db
    .update(equipmentReservations)
    .set({ state, lastTransitionKey: transitionKey, updatedAt: at })
    .where(eq(equipmentReservations.id, id))
    .returning();
  if (!row) throw new Error(`setReservationState: no reservation ${id}`);
  return row;
}
