import { Router } from 'express';
import { z } from 'zod';
import { EQUIPMENT_STATUSES } from '../../db/schema';
import type { EquipmentService } from '../../domain/equipment';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { listPage, shortListQuery } from '../pagination';

export const createEquipmentBody = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits or ._- starting with a letter or digit'),
  name: z.string().trim().min(1).max(200),
  kind: z.string().trim().min(1).max(100),
  status: z.enum(EQUIPMENT_STATUSES).optional(),
});

/**
 * `/equipment`: the registry EQUIPMENT_OPERATION reserves time on. Technical leads and operators
 * register equipment (audited); anyone reads it, a single piece with its reservations.
 */
export function equipmentRouter(deps: { equipment: EquipmentService }): Router {
  const { equipment } = deps;
  const router = Router();

  router.post('/equipment', requireRole('technical_lead', 'operator'), async (req, res) => {
    const body = parseRequest(createEquipmentBody, req.body ?? {}, 'body');
    const created = await equipment.create(body, auditContext(req));
    res.status(201).location(`/api/v1/equipment/${created.id}`).json(created);
  });

  router.get('/equipment', async (req, res) => {
    const page = parseRequest(shortListQuery, req.query, 'query');
    res.json(listPage(req, await equipment.list(), { list: 'equipment', key: (e) => [e.id], shape: ['string'] }, page));
  });

  router.get('/equipment/:id', async (req, res) => {
    res.json(await equipment.get(param(req, 'id')));
  });

  return router;
}
