import { Router } from 'express';
import { z } from 'zod';
import { isSemver } from '../../graph/semver';
import type { AnalyticsService } from '../../services/analytics';
import type { InstanceMetricsService } from '../../services/instance-metrics';
import { param, parseRequest } from '../problem';

const days = z.coerce.number().int().min(1).max(3650).default(30);
export const daysQuery = z.strictObject({ days });
export const workflowQuery = z.strictObject({
  days,
  version: z.string().refine(isSemver, 'must be a semantic version such as 1.2.0').optional(),
  site: z.string().min(1).max(100).optional(),
});
export const nodeErrorsQuery = z.strictObject({ days, limit: z.coerce.number().int().min(1).max(500).default(50) });

/**
 * Analytics and error statistics (docs/analytics.md): `/analytics/overview`, per workflow
 * `/workflows/{id}/analytics`, `/error-stats`, `/nodes/{nodeId}/errors`, and per instance
 * `/workflow-instances/{id}/metrics`.
 */
export function analyticsRouter(deps: { analytics: AnalyticsService; instances: InstanceMetricsService }): Router {
  const { analytics, instances } = deps;
  const router = Router();

  router.get('/analytics/overview', async (req, res) => {
    const q = parseRequest(daysQuery, req.query, 'query');
    res.json(await analytics.overview(q.days));
  });

  router.get('/workflows/:id/analytics', async (req, res) => {
    const q = parseRequest(workflowQuery, req.query, 'query');
    res.json(await analytics.workflow(param(req, 'id'), q));
  });

  router.get('/workflows/:id/error-stats', async (req, res) => {
    const q = parseRequest(daysQuery, req.query, 'query');
    res.json(await analytics.errorStats(param(req, 'id'), q.days));
  });

  router.get('/workflows/:id/nodes/:nodeId/errors', async (req, res) => {
    const q = parseRequest(nodeErrorsQuery, req.query, 'query');
    res.json(await analytics.nodeErrors(param(req, 'id'), param(req, 'nodeId'), q.days, q.limit));
  });

  router.get('/workflow-instances/:id/metrics', async (req, res) => {
    res.json(await instances.metrics(param(req, 'id')));
  });

  return router;
}
