import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { NodeActivityRequest } from '../../graph/node-types';
import type { Consumption, InventoryService } from '../../domain/inventory';
import type { NodeActivityResult } from '../types';
import { asNodeFailure, parseRendered, renderedPositiveNumber } from './failures';

const RenderedMaterialConsume = z.strictObject({
  material: z.string().min(1),
  lot: z.string().min(1).optional(),
  location: z.string().min(1),
  quantity: renderedPositiveNumber,
  unit: z.string().min(1),
});

/**
 * The MATERIAL_CONSUME node: takes stock from the inventory ledger in one transaction, keyed by
 * the node run, so a retry — or a new worker after a crash — consumes nothing more and answers
 * what the first run recorded. INSUFFICIENT_STOCK, MATERIAL_NOT_FOUND and UNIT_MISMATCH fail the
 * node at once with nothing changed.
 */
export function createMaterialConsumeActivity(inventory: InventoryService) {
  return async function materialConsume(request: NodeActivityRequest): Promise<NodeActivityResult<Consumption>> {
    const props = parseRendered(RenderedMaterialConsume, request.properties, 'MATERIAL_CONSUME');
    try {
      const { consumption } = await inventory.consume({
        ...props,
        idempotencyKey: request.idempotencyKey,
        executionId: request.executionId,
        nodeId: request.nodeId,
      });
      return { output: consumption, attempt: Context.current().info.attempt };
    } catch (err) {
      throw asNodeFailure(err);
    }
  };
}
