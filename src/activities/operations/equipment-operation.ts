import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { EQUIPMENT_ACTIONS, type NodeActivityRequest } from '../../graph/node-types';
import type { EquipmentService, ReservationView } from '../../domain/equipment';
import { nodeFailure } from '../node-failure';
import type { NodeActivityResult } from '../types';
import { asNodeFailure, parseRendered, renderedPositiveNumber } from './failures';

const timestamp = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const at = new Date(v);
  if (Number.isNaN(at.getTime())) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a timestamp` });
    return z.NEVER;
  }
  return at;
});

const RenderedEquipmentOperation = z.strictObject({
  equipmentId: z.string().min(1),
  action: z.enum(EQUIPMENT_ACTIONS),
  from: timestamp.optional(),
  until: timestamp.optional(),
  durationMinutes: renderedPositiveNumber.optional(),
  reservationId: z.string().min(1).optional(),
});

/** EQUIPMENT_OPERATION's output: the reservation after the action. */
export interface EquipmentOperationOutput extends ReservationView {
  action: (typeof EQUIPMENT_ACTIONS)[number];
}

/**
 * The EQUIPMENT_OPERATION node: reserves a window of a piece of equipment (refused with
 * EQUIPMENT_UNAVAILABLE when it overlaps an active reservation), or starts, completes or
 * releases a reservation (INVALID_EQUIPMENT_STATE out of order). Keyed by the node run, so a
 * retry answers what the first run did.
 */
export function createEquipmentOperationActivity(equipment: EquipmentService) {
  return async function equipmentOperation(request: NodeActivityRequest): Promise<NodeActivityResult<EquipmentOperationOutput>> {
    const props = parseRendered(RenderedEquipmentOperation, request.properties, 'EQUIPMENT_OPERATION');
    try {
      let reservation: ReservationView;
      if (props.action === 'reserve') {
        const from = props.from ?? new Date();
        const until = props.until ?? new Date(from.getTime() + (props.durationMinutes ?? 0) * 60_000);
        reservation = await equipment.reserve({
          equipmentId: props.equipmentId,
          from,
          until,
          idempotencyKey: request.idempotencyKey,
          executionId: request.executionId,
          nodeId: request.nodeId,
        });
      } else {
        if (props.reservationId === undefined) {
          throw nodeFailure('VALIDATION_ERROR', `EQUIPMENT_OPERATION ${props.action} needs reservationId (it rendered to nothing)`, { retryable: false });
        }
        reservation = await equipment.transition({
          equipmentId: props.equipmentId,
          reservationId: props.reservationId,
          action: props.action,
          idempotencyKey: request.idempotencyKey,
        });
      }
      return { output: { action: props.action, ...reservation }, attempt: Context.current().info.attempt };
    } catch (err) {
      throw asNodeFailure(err);
    }
  };
}
