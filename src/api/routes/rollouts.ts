import { Router } from 'express';
import { z } from 'zod';
import { ROLLOUT_STATUSES } from '../../db/schema';
import { createRolloutBody } from '../../services/rollout-config';
import type { RolloutService } from '../../services/rollouts';
import type { RolloutAction } from '../../workflows/rollout/types';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { withNextLink } from '../pagination';
import { auditContext } from '../request-context';

export const listQuery = z.strictObject({
  workflowId: z.string().min(1).max(200).optional(),
  status: z.enum(ROLLOUT_STATUSES).optional(),
  site: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});
export const actionBody = z.strictObject({ reason: z.string().max(1000).optional() });
export const retryBody = actionBody.extend({ sites: z.array(z.string().min(1).max(100)).min(1).max(1000).optional() });

/**
 * Who may do what: technical leads (and admins) create rollouts and take every action; an
 * operator on shift may also pause or abort one (stopping harm must not wait for a lead), but not
 * start, resume, promote or roll back. Anyone authenticated reads.
 */
const ACTIONS: Array<[RolloutAction, ReturnType<typeof requireRole>]> = [
  ['start', requireRole('technical_lead')],
  ['pause', requireRole('technical_lead', 'operator')],
  ['resume', requireRole('technical_lead')],
  ['promote', requireRole('technical_lead')],
  ['abort', requireRole('technical_lead', 'operator')],
  ['rollback', requireRole('technical_lead')],
  ['retry', requireRole('technical_lead')],
];

/** `/rollouts`: moving a version of a workflow onto sites (docs/rollouts.md). */
export function rolloutsRouter(deps: { rollouts: RolloutService }): Router {
  const { rollouts } = deps;
  const router = Router();

  router.post('/rollouts', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(createRolloutBody, req.body ?? {}, 'body');
    const created = await rollouts.create(body, auditContext(req));
    res.status(201).location(`/api/v1/rollouts/${created.id}`).json(created);
  });

  router.get('/rollouts', async (req, res) => {
    const { limit, cursor, workflowId, status, site } = parseRequest(listQuery, req.query, 'query');
    const filter = { ...(workflowId ? { definitionId: workflowId } : {}), ...(status ? { status } : {}), ...(site ? { siteId: site } : {}) };
    res.json(withNextLink(req, await rollouts.list(filter, { limit, ...(cursor !== undefined ? { cursor } : {}) })));
  });

  router.get('/rollouts/:id', async (req, res) => {
    res.json(await rollouts.get(param(req, 'id')));
  });

  for (const [action, guard] of ACTIONS) {
    router.post(`/rollouts/:id/${action}`, guard, async (req, res) => {
      const body: z.infer<typeof retryBody> = parseRequest(action === 'retry' ? retryBody : actionBody, req.body ?? {}, 'body');
      res.json(await rollouts.act(param(req, 'id'), action, body.reason, auditContext(req), body.sites));
    });
  }

  return router;
}
