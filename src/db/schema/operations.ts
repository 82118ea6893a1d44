/** Manufacturing operations: quality checks, inventory lots and movements, equipment and reservations. */
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

/** Outcomes of a quality check, overall and per characteristic (`skipped`: an optional measurement was absent). */
export const QUALITY_RESULTS = ['pass', 'warn', 'fail'] as const;
export type QualityResult = (typeof QUALITY_RESULTS)[number];

/**
 * One QUALITY_CHECK node run: the overall result and every characteristic's verdict. Keyed by the
 * node run's idempotency key, so a retried activity records the run once.
 */
export const qualityResults = pgTable(
  'quality_results',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** `<execution id>:<node id>:<iteration>`. */
    idempotencyKey: text('idempotency_key').notNull(),
    executionId: text('execution_id').notNull(),
    nodeId: text('node_id').notNull(),
    iteration: integer('iteration').notNull(),
    result: text('result', { enum: QUALITY_RESULTS }).notNull(),
    /** `{ characteristics: [...] }` as the node outputs them. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', tz).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('quality_results_idempotency_uq').on(t.idempotencyKey),
    index('quality_results_execution_idx').on(t.executionId),
    check('quality_results_result_ck', sql`${t.result} in (${sqlList(QUALITY_RESULTS)})`),
  ],
);

/**
 * The stock of one lot of a material at one location. Quantities are exact decimals (`numeric`),
 * read as strings by the driver; they only change together with an `inventory_movements` row.
 */
export const inventoryLots = pgTable(
  'inventory_lots',
  {
    material: text('material').notNull(),
    lot: text('lot').notNull(),
    location: text('location').notNull(),
    quantity: numeric('quantity').notNull().default('0'),
    /** The unit every movement of this lot is in, e.g. `kg`; no conversions are made. */
    unit: text('unit').notNull(),
    /** First receipt: lots are consumed oldest first when a consumption names no lot. */
    receivedAt: timestamp('received_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.material, t.lot, t.location] }), check('inventory_lots_quantity_ck', sql`${t.quantity} >= 0`)],
);

/**
 * The ledger: every change of a lot's quantity (receipts positive, consumptions negative), at
 * most one per idempotency key — the key of a node run, or of a receipt request.
 */
export const inventoryMovements = pgTable(
  'inventory_movements',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    material: text('material').notNull(),
    lot: text('lot').notNull(),
    location: text('location').notNull(),
    delta: numeric('delta').notNull(),
    unit: text('unit').notNull(),
    /** The lot's quantity right after this movement, so a repeated request answers what the first did. */
    balanceAfter: numeric('balance_after').notNull(),
    /** Null for receipts made through the API. */
    executionId: text('execution_id'),
    nodeId: text('node_id'),
    /** Who made a receipt through the API; null for node runs. */
    actor: text('actor'),
    at: timestamp('at', tz).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('inventory_movements_idempotency_uq').on(t.idempotencyKey),
    index('inventory_movements_lot_idx').on(t.material, t.lot, t.location),
    index('inventory_movements_execution_idx').on(t.executionId),
  ],
);

/** Whether a piece of equipment may be reserved. */
export const EQUIPMENT_STATUSES = ['available', 'maintenance', 'retired'] as const;
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number];

/** A machine, line or tool that workflows reserve time windows on; `id` is a slug such as `press-7`. */
export const equipment = pgTable(
  'equipment',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Free text, e.g. `press`, `oven`. */
    kind: text('kind').notNull(),
    status: text('status', { enum: EQUIPMENT_STATUSES }).notNull().default('available'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [check('equipment_status_ck', sql`${t.status} in (${sqlList(EQUIPMENT_STATUSES)})`)],
);

/** Lifecycle of a reservation: reserved → started → completed, or reserved/started → released. */
export const RESERVATION_STATES = ['reserved', 'started', 'completed', 'released'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

/**
 * A time window `[starts_at, ends_at)` on one piece of equipment. Reserved and started windows of
 * the same equipment never overlap: reservations are made under a lock of the equipment row.
 */
export const equipmentReservations = pgTable(
  'equipment_reservations',
  {
    id: text('id').primaryKey(),
    equipmentId: text('equipment_id')
      .notNull()
      .references(() => equipment.id),
    executionId: text('execution_id').notNull(),
    nodeId: text('node_id').notNull(),
    /** The key of the node run that reserved. */
    idempotencyKey: text('idempotency_key').notNull(),
    startsAt: timestamp('starts_at', tz).notNull(),
    endsAt: timestamp('ends_at', tz).notNull(),
    state: text('state', { enum: RESERVATION_STATES }).notNull().default('reserved'),
    /** The key of the node run that made the last transition, so its retry is recognised. */
    lastTransitionKey: text('last_transition_key'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('equipment_reservations_idempotency_uq').on(t.idempotencyKey),
    index('equipment_reservations_window_idx').on(t.equipmentId, t.startsAt),
    check('equipment_reservations_state_ck', sql`${t.state} in (${sqlList(RESERVATION_STATES)})`),
    check('equipment_reservations_window_ck', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/** A stored quality check run. */
export type QualityResultRow = typeof qualityResults.$inferSelect;
/** A stored lot; `quantity` is a decimal string. */
export type InventoryLot = typeof inventoryLots.$inferSelect;
/** A stored ledger movement; `delta` and `balanceAfter` are decimal strings. */
export type InventoryMovement = typeof inventoryMovements.$inferSelect;
/** A stored piece of equipment. */
export type Equipment = typeof equipment.$inferSelect;
/** A stored reservation. */
export type EquipmentReservation = typeof equipmentReservations.$inferSelect;
