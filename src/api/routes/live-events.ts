import { Router, type Request } from 'express';
import { z } from 'zod';
import type { WeftDb } from '../../db/client';
import { getExecution } from '../../db/repositories/executions';
import { TERMINAL_EXECUTION_STATUSES } from '../../db/schema';
import { WeftError } from '../../graph/errors';
import type { DefinitionService } from '../../services/definitions';
import type { EventHub } from '../../services/event-hub';
import { parseEventId, type EventPosition } from '../../services/execution-events';
import { streamEvents } from '../live-stream';
import { param, parseRequest } from '../problem';

export const streamQuery = z.strictObject({
  /** For clients that cannot set the `Last-Event-ID` header. */
  lastEventId: z.string().max(40).optional(),
  heartbeatSeconds: z.coerce.number().int().min(1).max(300).default(15),
});

const isTerminalStatus = (status: string | undefined) => status !== undefined && (TERMINAL_EXECUTION_STATUSES as readonly string[]).includes(status);

/** The client's position: `Last-Event-ID` (or `?lastEventId`). @throws WeftError INVALID_REQUEST */
function positionOf(req: Request, query: z.infer<typeof streamQuery>): EventPosition | undefined {
  const header = req.get('last-event-id');
  const raw = header ?? query.lastEventId;
  if (raw === undefined || raw === '') return undefined;
  const at = parseEventId(raw);
  if (!at) {
    const path = header !== undefined ? '/headers/last-event-id' : '/lastEventId';
    throw new WeftError('INVALID_REQUEST', 'Last-Event-ID is not an id this stream sent', {
      issues: [{ path, code: 'VALIDATION_ERROR', message: 'an event id such as 42-3' }],
    });
  }
  return at;
}

/**
 * Live execution events as Server-Sent Events (docs/analytics.md#live-execution-events): one
 * instance's whole story then its new events, or a workflow's new events.
 */
export function liveEventsRouter(deps: { db: WeftDb; hub: EventHub; definitions: DefinitionService }): Router {
  const router = Router();

  router.get('/workflow-instances/:id/events', async (req, res) => {
    const q = parseRequest(streamQuery, req.query, 'query');
    const executionId = param(req, 'id');
    const after = positionOf(req, q) ?? { seq: 0, k: -1 };
    if (!(await getExecution(deps.db, executionId))) throw new WeftError('INSTANCE_NOT_FOUND', `workflow instance ${executionId} does not exist`);
    const finished = async () => isTerminalStatus((await getExecution(deps.db, executionId))?.status);
    await streamEvents(req, res, deps, { scope: { executionId }, after, endOnFinal: true, heartbeatMs: q.heartbeatSeconds * 1000, finished });
  });

  router.get('/workflows/:id/events', async (req, res) => {
    const q = parseRequest(streamQuery, req.query, 'query');
    const workflowId = param(req, 'id');
    const after = positionOf(req, q) ?? 'now';
    await deps.definitions.require(workflowId);
    await streamEvents(req, res, deps, { scope: { workflowId }, after, endOnFinal: false, heartbeatMs: q.heartbeatSeconds * 1000 });
  });

  return router;
}
