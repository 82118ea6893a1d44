import { Router, type Response } from 'express';
import { z } from 'zod';
import { canonicalJson } from '../../graph/canonical-json';
import { compareStoredVersions, isSemver } from '../../graph/semver';
import type { TargetStatus } from '../../domain/version-lifecycle';
import type { VersionExportService } from '../../services/version-export';
import type { TransitionResult, VersionLifecycleService } from '../../services/version-lifecycle';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { legacyOffset, listPage, pageOf, pageParams, shortListQuery, withNextLink } from '../pagination';
import type { ListOrder } from '../../domain/pages';
import type { VersionView } from '../../services/version-views';

const semver = z.string().refine(isSemver, 'must be a semantic version such as 1.2.0');
/** A version named in a query: semver, `active` or `latest`. */
const versionRef = z.string().refine((v) => isSemver(v) || v === 'active' || v === 'latest', 'must be a semantic version, "active" or "latest"');

export const draftBody = z.object({
  graph: z.unknown().refine((g) => g !== undefined, 'the graph is required'),
  version: semver.optional(),
  changelog: z.string().max(10_000).optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
});
export const reasonBody = z.object({ reason: z.string().min(1).max(2_000).optional() }).default({});
export const rollbackBody = z.object({ reason: z.string().min(1).max(2_000) });
export const publishBody = z.object({ version: semver.optional() }).default({});
export const compareQuery = z.object({ a: versionRef, b: versionRef });
export const promotionsQuery = z.object({
  ...pageParams(500, 100),
  ...legacyOffset,
  version: semver.optional(),
});
export const importQuery = z.object({ workflowId: z.string().min(1).max(200).optional() });

const VERBS: Record<string, TargetStatus> = { publish: 'published', activate: 'active', deprecate: 'deprecated', archive: 'archived' };

/** Highest version first, as before (semantic order: 1.10.0 after 1.9.0); a version is unique in its workflow. */
const VERSION_ORDER: ListOrder<VersionView> = {
  list: 'versions',
  key: (v) => [v.version],
  shape: ['string'],
  compare: (a, b) => compareStoredVersions(String(a[0]), String(b[0])),
  descending: true,
};

/** 200 with the version when the move is done, 202 with the approval request when it waits for one. */
function sendTransition(res: Response, result: TransitionResult): void {
  if (result.outcome === 'pending_approval') {
    res
      .status(202)
      .location(`/api/v1/approval-requests/${result.approvalRequestId}`)
      .json({ status: 'pending_approval', approvalRequestId: result.approvalRequestId, version: result.version });
    return;
  }
  res.json({ ...result.version, ...(result.demoted ? { demoted: result.demoted } : {}) });
}

/** `/workflows/{id}/versions…`, `/workflows/{id}/publish`, `/workflows/{id}/promotions`, `/workflows/import`. */
export function versionsRouter(deps: { lifecycle: VersionLifecycleService; exports: VersionExportService }): Router {
  // Not destructured as `exports`: that name would shadow this CommonJS module's exported schemas.
  const { lifecycle } = deps;
  const exporter = deps.exports;
  const router = Router();

  router.post('/workflows/import', requireRole('technical_lead'), async (req, res) => {
    const query = parseRequest(importQuery, req.query, 'query');
    // The document itself, or `{ document, workflowId }`.
    const body: unknown = req.body;
    const wrapped = typeof body === 'object' && body !== null && 'document' in body && !('format' in body);
    const doc = wrapped ? (body as { document: unknown }).document : body;
    const bodyTarget = wrapped ? parseRequest(importQuery, { workflowId: (body as { workflowId?: unknown }).workflowId }, 'body').workflowId : undefined;
    const imported = await exporter.importVersion(doc, query.workflowId ?? bodyTarget, auditContext(req));
    res.status(201).location(`/api/v1/workflows/${imported.workflowId}/versions/${imported.version}`).json(imported);
  });

  router.post('/workflows/:id/publish', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(publishBody, req.body ?? {}, 'body');
    sendTransition(res, await lifecycle.publishAndActivate(param(req, 'id'), body.version, auditContext(req)));
  });

  router.get('/workflows/:id/versions', async (req, res) => {
    const page = parseRequest(shortListQuery, req.query, 'query');
    res.json(listPage(req, await lifecycle.list(param(req, 'id')), VERSION_ORDER, page));
  });

  router.post('/workflows/:id/versions', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(draftBody, req.body ?? {}, 'body');
    const created = await lifecycle.createDraft(param(req, 'id'), body, auditContext(req));
    res.status(201).location(`/api/v1/workflows/${created.definitionId}/versions/${created.version}`).json(created);
  });

  router.get('/workflows/:id/versions/compare', async (req, res) => {
    const query = parseRequest(compareQuery, req.query, 'query');
    res.json(await lifecycle.compare(param(req, 'id'), query.a, query.b));
  });

  router.get('/workflows/:id/versions/:version', async (req, res) => {
    res.json(await lifecycle.get(param(req, 'id'), param(req, 'version')));
  });

  router.get('/workflows/:id/versions/:version/export', async (req, res) => {
    const doc = await exporter.exportVersion(param(req, 'id'), param(req, 'version'));
    // Canonical text, so the same version always exports to the same bytes.
    res
      .type('application/json')
      .setHeader('Content-Disposition', `attachment; filename="${doc.workflow.name.replace(/[^\w.-]/g, '_')}-${doc.version.version}.json"`);
    res.send(canonicalJson(doc));
  });

  for (const [verb, to] of Object.entries(VERBS)) {
    router.post(`/workflows/:id/versions/:version/${verb}`, requireRole('technical_lead'), async (req, res) => {
      const body = parseRequest(reasonBody, req.body ?? {}, 'body');
      sendTransition(res, await lifecycle.transition(param(req, 'id'), param(req, 'version'), to, body.reason ?? null, auditContext(req)));
    });
  }

  router.post('/workflows/:id/versions/:version/rollback', requireRole('technical_lead'), async (req, res) => {
    const body = parseRequest(rollbackBody, req.body ?? {}, 'body');
    const created = await lifecycle.rollback(param(req, 'id'), param(req, 'version'), body.reason, auditContext(req));
    res.status(201).location(`/api/v1/workflows/${created.definitionId}/versions/${created.version}`).json(created);
  });

  router.get('/workflows/:id/promotions', async (req, res) => {
    const query = parseRequest(promotionsQuery, req.query, 'query');
    res.json(withNextLink(req, await lifecycle.promotions(param(req, 'id'), { ...pageOf(query), ...(query.version ? { version: query.version } : {}) })));
  });

  return router;
}
