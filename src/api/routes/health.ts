import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../dependency-errors';

/**
 * `/health`: the process is alive. `/ready`: the database and Temporal answer. Unauthenticated, so a
 * failing check says only `unavailable`: its error text (hosts, users) is for the logs, not callers.
 */
export function healthRouter(deps: { database: Database; temporal: Client }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks: Record<string, string> = {};
    await Promise.all([
      deps.database.ping().then(
        () => (checks.database = 'ok'),
        () => (checks.database = 'unavailable'),
      ),
      deps.temporal.connection.workflowService.getSystemInfo({}).then(
        () => (checks.temporal = 'ok'),
        () => (checks.temporal = 'unavailable'),
      ),
    ]);
    const ready = Object.values(checks).every((v) => v === 'ok');
    // Not ready is a passing state (a dependency away for a while): say when to look again.
    if (!ready) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
