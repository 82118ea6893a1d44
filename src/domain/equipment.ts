/**
 * The equipment registry and schedule: time windows reserved on a piece of equipment, then
 * started, completed or released. Reservations and transitions of one piece of equipment happen
 * under the lock of its row, so two overlapping reservations can never both be made.
 */
import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import {
  findReservationByKey,
  getEquipment,
  insertEquipment,
  insertReservation,
  listEquipment,
  listReservations,
  lockEquipment,
  lockReservation,
  overlappingReservations,
  setReservationState,
  type CreateEquipmentInput,
} from '../db/repositories/equipment';
import type { Equipment, EquipmentReservation, EquipmentStatus, ReservationState } from '../db/schema';
import { WeftError } from '../graph/errors';

/** States whose window still holds the equipment. */
export const ACTIVE_RESERVATION_STATES: readonly ReservationState[] = ['reserved', 'started'];

/** The transitions after `reserve`: the states each leaves from, and the state it reaches. */
const TRANSITIONS = {
  start: { from: ['reserved'], to: 'started' },
  complete: { from: ['started'], to: 'completed' },
  release: { from: ['reserved', 'started'], to: 'released' },
} as const satisfies Record<string, { from: readonly ReservationState[]; to: ReservationState }>;

/** An action on an existing reservation. */
export type ReservationAction = keyof typeof TRANSITIONS;

/** A piece of equipment as the API shows it; `reservations` only on a single read. */
export interface EquipmentView {
  id: string;
  name: string;
  kind: string;
  status: EquipmentStatus;
  reservations?: ReservationView[];
  createdAt: Date;
  updatedAt: Date;
}

/** A reservation as the API and EQUIPMENT_OPERATION show it (timestamps as ISO strings, for workflow payloads). */
export interface ReservationView {
  reservationId: string;
  equipmentId: string;
  state: ReservationState;
  startsAt: string;
  endsAt: string;
  executionId: string;
  nodeId: string;
}

/** A reservation asked by an EQUIPMENT_OPERATION node run. */
export interface ReserveRequest {
  equipmentId: string;
  from: Date;
  until: Date;
  /** The node run's key: the same key never reserves twice. */
  idempotencyKey: string;
  executionId: string;
  nodeId: string;
}

/** A transition asked by an EQUIPMENT_OPERATION node run. */
export interface TransitionRequest {
  equipmentId: string;
  reservationId: string;
  action: ReservationAction;
  /** The node run's key: its retry finds the transition made and answers it again. */
  idempotencyKey: string;
}

/** The equipment registry and its reservations. */
export class EquipmentService {
  constructor(
    private readonly db: WeftDb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Registers a piece of equipment. Audited as `equipment.created`.
   * @throws WeftError EQUIPMENT_CONFLICT when the id is taken
   */
  async create(input: CreateEquipmentInput, ctx: AuditContext): Promise<EquipmentView> {
    return this.db.transaction(async (tx) => {
      const row = await insertEquipment(tx, input);
      if (!row) throw new WeftError('EQUIPMENT_CONFLICT', `equipment ${input.id} exists already`);
      const view = equipmentView(row);
      await appendAudit(tx, {
        ...ctx,
        action: 'equipment.created',
        resourceType: 'equipment',
        resourceId: row.id,
        details: { kind: row.kind, status: row.status },
        after: view,
      });
      return view;
    });
  }

  /** Every piece of equipment, by id. */
  async list(): Promise<EquipmentView[]> {
    return (await listEquipment(this.db)).map((e) => equipmentView(e));
  }

  /**
   * A piece of equipment with its reservations, by start.
   * @throws WeftError EQUIPMENT_NOT_FOUND
   */
  async get(id: string): Promise<EquipmentView> {
    const row = await getEquipment(this.db, id);
    if (!row) throw new WeftError('EQUIPMENT_NOT_FOUND', `no equipment ${id}`);
    return equipmentView(row, await listReservations(this.db, id));
  }

  /**
   * Reserves `[from, until)` on the equipment, once per idempotency key (a repeated key answers
   * the reservation it made).
   * @throws WeftError EQUIPMENT_NOT_FOUND; VALIDATION_ERROR when `until` is not after `from`;
   *   EQUIPMENT_UNAVAILABLE when the equipment is not `available` or an active reservation overlaps
   */
  async reserve(req: ReserveRequest): Promise<ReservationView> {
    if (!(req.until.getTime() > req.from.getTime())) {
      throw new WeftError('VALIDATION_ERROR', `the window ends (${req.until.toISOString()}) before it starts (${req.from.toISOString()})`);
    }
    return this.db.transaction(async (tx) => {
      // Serialises every reservation of this equipment: the overlap check below cannot race.
      const row = await lockEquipment(tx, req.equipmentId);
      if (!row) throw new WeftError('EQUIPMENT_NOT_FOUND', `no equipment ${req.equipmentId}`);
      const recorded = await findReservationByKey(tx, req.idempotencyKey);
      if (recorded) return reservationView(recorded);
      if (row.status !== 'available') throw new WeftError('EQUIPMENT_UNAVAILABLE', `equipment ${row.id} is ${row.status}`);
      const [conflict] = await overlappingReservations(tx, row.id, req.from, req.until, ACTIVE_RESERVATION_STATES);
      if (conflict) {
        throw new WeftError(
          'EQUIPMENT_UNAVAILABLE',
          `equipment ${row.id} is ${conflict.state} from ${conflict.startsAt.toISOString()} to ${conflict.endsAt.toISOString()} (reservation ${conflict.id})`,
        );
      }
      const created = await insertReservation(tx, {
        id: randomUUID(),
        equipmentId: row.id,
        executionId: req.executionId,
        nodeId: req.nodeId,
        idempotencyKey: req.idempotencyKey,
        startsAt: req.from,
        endsAt: req.until,
      });
      // Under the equipment lock, the key found absent above cannot have been taken since.
      if (!created) throw new Error(`reserve: idempotency key ${req.idempotencyKey} taken under the lock`);
      return reservationView(created);
    });
  }

  /**
   * Starts, completes or releases a reservation. The node run that made a transition may ask
   * again (a retry) and gets the same answer.
   * @throws WeftError RESERVATION_NOT_FOUND (no such reservation of that equipment);
   *   INVALID_EQUIPMENT_STATE when the reservation's state does not allow the action
   */
  async transition(req: TransitionRequest): Promise<ReservationView> {
    const rule = TRANSITIONS[req.action];
    return this.db.transaction(async (tx) => {
      const row = await lockReservation(tx, req.equipmentId, req.reservationId);
      if (!row) throw new WeftError('RESERVATION_NOT_FOUND', `no reservation ${req.reservationId} of equipment ${req.equipmentId}`);
      if (row.state === rule.to && row.lastTransitionKey === req.idempotencyKey) return reservationView(row);
      if (!(rule.from as readonly ReservationState[]).includes(row.state)) {
        throw new WeftError('INVALID_EQUIPMENT_STATE', `cannot ${req.action} reservation ${row.id}: it is ${row.state} (needs ${rule.from.join(' or ')})`);
      }
      return reservationView(await setReservationState(tx, row.id, rule.to, req.idempotencyKey, this.clock()));
    });
  }
}

function equipmentView(e: Equipment, reservations?: EquipmentReservation[]): EquipmentView {
  return {
    id: e.id,
    name: e.name,
    kind: e.kind,
    status: e.status,
    ...(reservations ? { reservations: reservations.map(reservationView) } : {}),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

function reservationView(r: EquipmentReservation): ReservationView {
  return {
    reservationId: r.id,
    equipmentId: r.equipmentId,
    state: r.state,
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt.toISOString(),
    executionId: r.executionId,
    nodeId: r.nodeId,
  };
}
