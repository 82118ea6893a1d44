import { Router } from 'express';
import { z } from 'zod';
import type { RecoveryService } from '../../services/recovery';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';

const id = z.string().min(1).max(200);
export const pointBody = z.strictObject({
  workflowId: id,
  siteId: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  variableSnapshot: z.record(z.string(), z.json()).optional(),
});
export const planBody = z.strictObject({
  rolloutId: id,
  recoveryPointId: id,
  reason: z.string().trim().min(1).max(2000),
  targetVersion: z.string().min(1).max(100),
  affectedSites: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(5_000)
    .refine((s) => new Set(s).size === s.length, 'each site once'),
});
export const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/**
 * Recovery of rollouts: manual recovery points, rollback plans and their executions (each a
 * workflow of its own), and the stats. Technical leads act; anyone authenticated reads.
 */
export function recoveryRouter(deps: { recovery: RecoveryService }): Router {
  const { recovery } = deps;
  const router = Router();
  const manage = requireRole('technical_lead');

  router.post('/rollouts/:id/recovery-points', manage, async (req, res) => {
    const body = parseRequest(pointBody, req.body ?? {}, 'body');
    res.status(201).json(await recovery.createManualPoint(param(req, 'id'), body, auditContext(req)));
  });

  router.get('/rollouts/:id/recovery-points', async (req, res) => {
    const { limit } = parseRequest(listQuery, req.query, 'query');
    res.json(await recovery.listPoints(param(req, 'id'), limit));
  });

  router.post('/rollback-plans', manage, async (req, res) => {
    const body = parseRequest(planBody, req.body ?? {}, 'body');
    const plan = await recovery.createPlan(body, auditContext(req));
    res.status(201).location(`/api/v1/rollback-plans/${plan.id}`).json(plan);
  });

  router.get('/rollback-plans/:id', async (req, res) => {
    res.json(await recovery.plan(param(req, 'id')));
  });

  router.post('/rollback-plans/:id/execute', manage, async (req, res) => {
    const execution = await recovery.execute(param(req, 'id'), auditContext(req));
    res.status(202).location(`/api/v1/rollback-executions/${execution.id}`).json(execution);
  });

  router.get('/rollback-executions/:id', async (req, res) => {
    res.json(await recovery.execution(param(req, 'id')));
  });

  router.get('/recovery/stats', async (_req, res) => {
    res.json(await recovery.stats());
  });

  return router;
}
