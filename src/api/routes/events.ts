import { Router } from 'express';
import { z } from 'zod';
import type { EventService } from '../../services/events';
import { principalOf, requireRole } from '../auth';
import { parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { legacyOffset, pageOf, pageParams, withNextLink } from '../pagination';

export const publishBody = z.strictObject({
  name: z.string().min(1).max(200),
  correlationKey: z.string().min(1).max(500).nullable().optional(),
  payload: z.unknown().optional(),
});
const idempotencyKey = z.string().min(1).max(255).optional();
export const listQuery = z.object({
  ...pageParams(200, 50),
  ...legacyOffset,
  name: z.string().min(1).max(200).optional(),
});

/** `/events`: publish an event (reaching subscribers and triggers) and list published events. */
export function eventsRouter(deps: { events: EventService }): Router {
  const router = Router();

  router.post('/events', requireRole('operator'), async (req, res) => {
    const body = parseRequest(publishBody, req.body ?? {}, 'body');
    const key = parseRequest(idempotencyKey, req.get('Idempotency-Key'), 'params');
    const result = await deps.events.publish({ ...body, source: `user:${principalOf(req).sub}` }, auditContext(req), key);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).json({ id: result.id, delivered: result.delivered, started: result.started });
  });

  router.get('/events', async (req, res) => {
    const query = parseRequest(listQuery, req.query, 'query');
    res.json(withNextLink(req, await deps.events.list({ ...pageOf(query), ...(query.name !== undefined ? { name: query.name } : {}) })));
  });

  return router;
}
