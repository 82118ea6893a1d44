import { Router } from 'express';
import { z } from 'zod';
import type { SiteHealthService } from '../../domain/site-health';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';

const percentage = z.number().min(0).max(100);
export const checksBody = z.strictObject({
  errorRate: z
    .strictObject({
      windowSeconds: z.number().int().min(1).max(604_800),
      minSampleSize: z.number().int().min(1).max(100_000).default(5),
      degradedAbovePercentage: percentage,
      unhealthyAbovePercentage: percentage,
    })
    .refine((c) => c.degradedAbovePercentage <= c.unhealthyAbovePercentage, {
      path: ['unhealthyAbovePercentage'],
      message: 'must not lie below degradedAbovePercentage',
    })
    .optional(),
  httpProbe: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'an http or https URL' }),
      expectStatus: z.number().int().min(100).max(599).default(200),
      timeoutMs: z.number().int().min(50).max(30_000).default(5_000),
      degradedAboveMs: z.number().int().min(1).max(30_000).optional(),
    })
    .optional(),
  smoke: z.strictObject({ input: z.json().default(null), outputs: z.record(z.string(), z.json()).optional() }).optional(),
});
export const runBody = z.strictObject({
  workflowId: z.string().min(1).max(200),
  version: z.string().min(1).max(100),
  rolloutId: z.string().min(1).max(200).optional(),
});
export const historyQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/**
 * `/sites/{id}/health-checks`: which checks a site runs, running them on demand, and the latest
 * results (the rollout workflow runs the same checks after each deployment).
 */
export function siteHealthRouter(deps: { health: SiteHealthService }): Router {
  const { health } = deps;
  const router = Router();

  router.get('/sites/:id/health-checks/config', async (req, res) => {
    res.json(await health.config(param(req, 'id')));
  });

  router.put('/sites/:id/health-checks/config', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(checksBody, req.body ?? {}, 'body');
    res.json(await health.configure(param(req, 'id'), body, auditContext(req)));
  });

  router.post('/sites/:id/health-checks', requireRole('technical_lead', 'operator'), async (req, res) => {
    const body = parseRequest(runBody, req.body ?? {}, 'body');
    const { workflowId, ...rest } = body;
    const result = await health.run({ siteId: param(req, 'id'), definitionId: workflowId, ...rest }, auditContext(req));
    res.status(201).json(result);
  });

  router.get('/sites/:id/health-checks', async (req, res) => {
    const { limit } = parseRequest(historyQuery, req.query, 'query');
    res.json(await health.history(param(req, 'id'), limit));
  });

  return router;
}
