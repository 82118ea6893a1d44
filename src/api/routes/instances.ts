import { Router } from 'express';
import { z } from 'zod';
import { EXECUTION_STATUSES } from '../../db/schema';
import type { ExecutionService } from '../../services/executions';
import type { InstanceMigrationService } from '../../services/instance-migration';
import { isSemver } from '../../graph/semver';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { legacyOffset, pageOf, pageParams, withNextLink } from '../pagination';
import { instant } from '../instant';

export const listQuery = z.object({
  ...pageParams(200, 50),
  ...legacyOffset,
  status: z.enum(EXECUTION_STATUSES).optional(),
  workflowId: z.string().min(1).optional(),
  site: z.string().min(1).max(100).optional(),
  /** Started at or after this instant. */
  from: instant.optional(),
  /** Started before this instant. */
  to: instant.optional(),
});
export const suspendBody = z.object({ reason: z.string().max(1000).optional() }).default({});
export const advanceBody = z.object({ trigger: z.string().min(1).max(200), data: z.unknown().optional() });
export const updateBody = z.object({ variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), z.unknown()) });
export const migrateBody = z.object({
  toVersion: z.string().refine(isSemver, 'must be a semantic version such as 1.2.0'),
  nodeMapping: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).optional(),
});
export const retryBody = z.object({ from: z.enum(['failed', 'start']).default('failed') }).default({ from: 'failed' });

/** `/workflow-instances`: one execution's state, trace, timeline, and the operator's actions on it. */
export function instancesRouter(deps: { executions: ExecutionService; migrations: InstanceMigrationService }): Router {
  const { executions, migrations } = deps;
  const router = Router();

  // `?status=failed` is the dead-letter view: failed executions waiting for a manual retry.
  router.get('/workflow-instances', async (req, res) => {
    const query = parseRequest(listQuery, req.query, 'query');
    res.json(
      withNextLink(
        req,
        await executions.list({
          ...pageOf(query),
          status: query.status,
          definitionId: query.workflowId,
          siteId: query.site,
          startedFrom: query.from,
          startedBefore: query.to,
        }),
      ),
    );
  });

  router.get('/workflow-instances/:id', async (req, res) => {
    res.json(await executions.get(param(req, 'id')));
  });

  router.get('/workflow-instances/:id/history', async (req, res) => {
    res.json(await executions.history(param(req, 'id')));
  });

  router.get('/workflow-instances/:id/timeline', async (req, res) => {
    res.json(await executions.timeline(param(req, 'id')));
  });

  router.delete('/workflow-instances/:id', requireRole('operator'), async (req, res) => {
    res.status(202).json(await executions.cancel(param(req, 'id'), auditContext(req)));
  });

  router.post('/workflow-instances/:id/suspend', requireRole('operator'), async (req, res) => {
    const body = parseRequest(suspendBody, req.body ?? {}, 'body');
    res.json(await executions.suspend(param(req, 'id'), body.reason, auditContext(req)));
  });

  router.post('/workflow-instances/:id/resume', requireRole('operator'), async (req, res) => {
    res.json(await executions.resume(param(req, 'id'), auditContext(req)));
  });

  router.post('/workflow-instances/:id/advance', requireRole('operator'), async (req, res) => {
    const body = parseRequest(advanceBody, req.body ?? {}, 'body');
    res.json(await executions.advance(param(req, 'id'), body, auditContext(req)));
  });

  router.put('/workflow-instances/:id', requireRole('operator'), async (req, res) => {
    const body = parseRequest(updateBody, req.body ?? {}, 'body');
    res.json({ variables: await executions.updateData(param(req, 'id'), body.variables, auditContext(req)) });
  });

  // Moves a waiting or suspended instance to another version of its definition (docs/versions.md).
  router.post('/workflow-instances/:id/migrate', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(migrateBody, req.body ?? {}, 'body');
    res.json(await migrations.migrate(param(req, 'id'), body, auditContext(req)));
  });

  router.post('/workflow-instances/:id/retry', requireRole('operator'), async (req, res) => {
    const body = parseRequest(retryBody, req.body ?? {}, 'body');
    const started = await executions.retry(param(req, 'id'), body.from, auditContext(req));
    res.status(202).location(`/api/v1/workflow-instances/${started.id}`).json(started);
  });

  return router;
}
