import { Router } from 'express';
import { z } from 'zod';
import type { InventoryService } from '../../domain/inventory';
import { requireRole } from '../auth';
import { parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { listPage, pageParams } from '../pagination';

/** Material, lot and location names: printable, no surrounding spaces. */
const code = z.string().trim().min(1).max(200);

export const receiptBody = z.strictObject({
  material: code,
  lot: code,
  location: code,
  quantity: z.number().positive().max(1e15),
  unit: z.string().trim().min(1).max(32),
});

export const listQuery = z.object({ material: code.optional(), ...pageParams(500, 100) });

const idempotencyKey = z.string().min(1).max(200).optional();

/**
 * `/inventory`: the stock the MATERIAL_CONSUME node takes from. Operators receive stock
 * (audited); anyone reads it.
 */
export function inventoryRouter(deps: { inventory: InventoryService }): Router {
  const { inventory } = deps;
  const router = Router();

  router.post('/inventory/receipts', requireRole('operator'), async (req, res) => {
    const body = parseRequest(receiptBody, req.body ?? {}, 'body');
    const key = parseRequest(idempotencyKey, req.get('Idempotency-Key'), 'params');
    const receipt = await inventory.receive({ ...body, idempotencyKey: key }, auditContext(req));
    if (receipt.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(receipt.replayed ? 200 : 201).json({ ...receipt.lot, movementId: receipt.movementId });
  });

  router.get('/inventory', async (req, res) => {
    const query = parseRequest(listQuery, req.query, 'query');
    const lots = await inventory.listLots(query.material);
    res.json(listPage(req, lots, { list: 'inventory', key: (l) => [l.material, l.lot, l.location], shape: ['string', 'string', 'string'] }, query));
  });

  return router;
}
