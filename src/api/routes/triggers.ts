import { Router } from 'express';
import { z } from 'zod';
import { CreateTriggerSchema, PatchTriggerSchema } from '../../domain/trigger-config';
import type { TriggerService } from '../../services/triggers';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';

export const fireBody = z.strictObject({ input: z.unknown().optional() }).default({});
const idempotencyKey = z.string().min(1).max(255).optional();

/** `/workflows/{id}/triggers`: manual, webhook, schedule and event triggers of a definition. */
export function triggersRouter(deps: { triggers: TriggerService }): Router {
  const { triggers } = deps;
  const router = Router();

  router.get('/workflows/:id/triggers', async (req, res) => {
    res.json(await triggers.list(param(req, 'id')));
  });

  router.post('/workflows/:id/triggers', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(CreateTriggerSchema, req.body ?? {}, 'body');
    const created = await triggers.create(param(req, 'id'), body, auditContext(req));
    res.status(201).location(`/api/v1/workflows/${created.workflowId}/triggers/${created.id}`).json(created);
  });

  router.get('/workflows/:id/triggers/:triggerId', async (req, res) => {
    res.json(await triggers.get(param(req, 'id'), param(req, 'triggerId')));
  });

  router.patch('/workflows/:id/triggers/:triggerId', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(PatchTriggerSchema, req.body ?? {}, 'body');
    res.json(await triggers.update(param(req, 'id'), param(req, 'triggerId'), body, auditContext(req)));
  });

  router.delete('/workflows/:id/triggers/:triggerId', requireRole('technical_lead'), async (req, res) => {
    await triggers.remove(param(req, 'id'), param(req, 'triggerId'), auditContext(req));
    res.status(204).end();
  });

  router.post('/workflows/:id/triggers/:triggerId/rotate-secret', requireRole('technical_lead'), async (req, res) => {
    res.json(await triggers.rotateSecret(param(req, 'id'), param(req, 'triggerId'), auditContext(req)));
  });

  router.post('/workflows/:id/triggers/:triggerId/fire', requireRole('operator'), async (req, res) => {
    const body = parseRequest(fireBody, req.body ?? {}, 'body');
    const key = parseRequest(idempotencyKey, req.get('Idempotency-Key'), 'params');
    const started = await triggers.fireManual(param(req, 'id'), param(req, 'triggerId'), body.input, key, auditContext(req));
    if (started.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).location(`/api/v1/workflow-instances/${started.id}`).json({ id: started.id, status: started.status });
  });

  return router;
}
