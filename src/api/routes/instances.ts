import { Router } from 'express';
import type { ExecutionService } from '../../services/executions';
import { principalOf, requireRole } from '../auth';
import { param } from '../problem';

/** `/workflow-instances`: one execution's state, trace and cancellation. */
export function instancesRouter(deps: { executions: ExecutionService }): Router {
  const { executions } = deps;
  const router = Router();

  router.get('/workflow-instances/:id', async (req, res) => {
    res.json(await executions.get(param(req, 'id')));
  });

  router.get('/workflow-instances/:id/history', async (req, res) => {
    res.json(await executions.history(param(req, 'id')));
  });

  router.delete('/workflow-instances/:id', requireRole('operator'), async (req, res) => {
    res.status(202).json(await executions.cancel(param(req, 'id'), principalOf(req).sub));
  });

  return router;
}
