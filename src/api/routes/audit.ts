import { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuditFilter } from '../../db/repositories/audit';
import type { AuditService } from '../../services/audit';
import { EXPORT_FORMATS, streamAuditExport } from '../audit-export';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { withNextLink } from '../pagination';
import { instant } from '../instant';

const EVENT_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?$/;

/** `eventTypes=a,b` or `eventTypes=a&eventTypes=b`; `execution.*` names a family. */
const eventTypes = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string().max(200).regex(EVENT_TYPE, 'an event type such as workflow.published, or a family such as execution.*')).max(50));

const filterFields = {
  workflowId: z.string().min(1).max(200).optional(),
  userId: z.string().min(1).max(200).optional(),
  eventTypes: eventTypes.optional(),
  resourceType: z.string().min(1).max(100).optional(),
  resourceId: z.string().min(1).max(500).optional(),
  requestId: z.string().min(1).max(128).optional(),
  /** Inclusive. */
  from: instant.optional(),
  /** Exclusive. */
  to: instant.optional(),
};

function orderedWindow(q: { from?: Date; to?: Date }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && q.from.getTime() >= q.to.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must lie after from' });
}

export const listQuery = z
  .strictObject({ ...filterFields, limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().min(1).max(200).optional() })
  .superRefine(orderedWindow);
export const exportQuery = z.strictObject({ ...filterFields, format: z.enum(EXPORT_FORMATS).default('csv') }).superRefine(orderedWindow);
export const daysQuery = (fallback: number) => z.strictObject({ days: z.coerce.number().int().min(1).max(3650).default(fallback) });

type FilterQuery = Omit<AuditFilter, 'actor' | 'actions'> & { userId?: string; eventTypes?: string[] };

function filterOf(q: FilterQuery): AuditFilter {
  const { workflowId, resourceType, resourceId, requestId, from, to } = q;
  return { workflowId, actor: q.userId, actions: q.eventTypes, resourceType, resourceId, requestId, from, to };
}

/**
 * `/audit`: the audit trail for compliance — filtered pages, the chain check, exports and
 * summaries. Only admins and auditors read it.
 */
export function auditRouter(deps: { audit: AuditService; log: Logger }): Router {
  const { audit } = deps;
  const router = Router();
  router.use('/audit', requireRole('auditor'));

  router.get('/audit', async (req, res) => {
    const q = parseRequest(listQuery, req.query, 'query');
    res.json(withNextLink(req, await audit.list(filterOf(q), { limit: q.limit, cursor: q.cursor })));
  });

  router.get('/audit/verify', async (_req, res) => {
    res.json(await audit.verify());
  });

  router.get('/audit/export', async (req: Request, res) => {
    const q = parseRequest(exportQuery, req.query, 'query');
    await streamAuditExport(res, q.format, audit.exportBatches(filterOf(q)), (err) => deps.log.error({ err }, 'audit export failed after it began'));
  });

  router.get('/audit/workflows/:id/summary', async (req, res) => {
    const { days } = parseRequest(daysQuery(30), req.query, 'query');
    res.json(await audit.workflowSummary(param(req, 'id'), days));
  });

  router.get('/audit/users/:id/activity', async (req, res) => {
    const { days } = parseRequest(daysQuery(7), req.query, 'query');
    res.json(await audit.userActivity(param(req, 'id'), days));
  });

  router.get('/audit/system/stats', async (req, res) => {
    const { days } = parseRequest(daysQuery(30), req.query, 'query');
    res.json(await audit.systemStats(days));
  });

  return router;
}
