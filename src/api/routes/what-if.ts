import { Router } from 'express';
import { z } from 'zod';
import { whatIfBody, whatIfCategory, type WhatIfService } from '../../services/what-if';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';

export const reportQuery = z.strictObject({
  category: whatIfCategory.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** What-ifs (docs/what-if.md): a version run in simulation over recorded executions, and its report. */
export function whatIfRouter(deps: { whatIf: WhatIfService }): Router {
  const { whatIf } = deps;
  const router = Router();

  router.post('/workflows/:id/versions/:version/what-if', requireRole('technical_lead', 'operator'), async (req, res) => {
    const body = parseRequest(whatIfBody, req.body ?? {}, 'body');
    const started = await whatIf.start(param(req, 'id'), param(req, 'version'), body, auditContext(req));
    res.status(202).location(`/api/v1/what-if/${started.id}`).json(started);
  });

  router.get('/what-if/:id', async (req, res) => {
    res.json(await whatIf.get(param(req, 'id'), parseRequest(reportQuery, req.query, 'query')));
  });

  router.get('/what-if/:id/executions/:executionId', async (req, res) => {
    res.json(await whatIf.execution(param(req, 'id'), param(req, 'executionId')));
  });

  return router;
}
