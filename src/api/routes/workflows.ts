import { Router } from 'express';
import { z } from 'zod';
import { EXECUTION_STATUSES } from '../../db/schema';
import { isSemver } from '../../graph/semver';
import type { DefinitionService } from '../../services/definitions';
import type { ExecutionService } from '../../services/executions';
import type { SimulationService } from '../../services/simulation';
import { requireRole } from '../auth';
import { ifMatch, setEtag } from '../etags';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { legacyOffset, pageOf, pageParams, withNextLink } from '../pagination';

export const pageQuery = z.object({
  ...pageParams(200, 50),
  ...legacyOffset,
  search: z.string().max(200).optional(),
});

const semver = z.string().refine(isSemver, 'must be a semantic version such as 1.2.0');

/** Version metadata travels beside the graph in the same body and is not part of it. */
export const versionMeta = z.object({ version: semver.optional(), changelog: z.string().max(10_000).optional() });

export const startBody = z.object({
  input: z.unknown().optional(),
  version: semver.optional(),
  site: z.string().min(1).max(100).optional(),
  // Over the workflow's maxConcurrentExecutions or maxStartsPerMinute: wait in line (default) or be refused with 429.
  onLimit: z.enum(['queue', 'reject']).optional(),
});

const idempotencyKey = z.string().min(1).max(255).optional();

export const simulateBody = z.object({
  input: z.unknown().optional(),
  version: semver.optional(),
  graph: z.unknown().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  errors: z.record(z.string(), z.object({ code: z.string().min(1), message: z.string().optional() })).optional(),
  site: z.string().min(1).max(100).optional(),
});

export const instanceQuery = z.object({
  ...pageParams(200, 50),
  ...legacyOffset,
  status: z.enum(EXECUTION_STATUSES).optional(),
  site: z.string().min(1).max(100).optional(),
});

/** `/workflows`: definitions and starting instances (versions and their lifecycle: versions.ts). */
export function workflowsRouter(deps: { definitions: DefinitionService; executions: ExecutionService; simulations: SimulationService }): Router {
  const { definitions, executions, simulations } = deps;
  const router = Router();

  router.post('/workflows', requireRole('technical_lead'), async (req, res) => {
    const meta = parseRequest(versionMeta, req.body ?? {}, 'body');
    const created = await definitions.create(req.body, meta, auditContext(req));
    res.status(201).location(`/api/v1/workflows/${created.id}`).json(created);
  });

  router.get('/workflows', async (req, res) => {
    const query = parseRequest(pageQuery, req.query, 'query');
    res.json(withNextLink(req, await definitions.list({ ...pageOf(query), ...(query.search !== undefined ? { search: query.search } : {}) })));
  });

  router.get('/workflows/:id', async (req, res) => {
    const definition = await definitions.get(param(req, 'id'));
    setEtag(res, definition.etag);
    res.json(definition);
  });

  router.put('/workflows/:id', requireRole('technical_lead'), async (req, res) => {
    const meta = parseRequest(versionMeta, req.body ?? {}, 'body');
    const updated = await definitions.update(param(req, 'id'), req.body, meta, auditContext(req), ifMatch(req));
    setEtag(res, updated.etag);
    res.json(updated);
  });

  router.delete('/workflows/:id', requireRole('technical_lead'), async (req, res) => {
    await definitions.remove(param(req, 'id'), auditContext(req));
    res.status(204).end();
  });

  router.post('/workflows/:id/validate', async (req, res) => {
    const hasBody = req.body && typeof req.body === 'object' && Object.keys(req.body).length > 0;
    res.json(await definitions.validate(param(req, 'id'), hasBody ? req.body : undefined));
  });

  router.post('/workflows/:id/instances', requireRole('operator'), async (req, res) => {
    const body = parseRequest(startBody, req.body ?? {}, 'body');
    const key = parseRequest(idempotencyKey, req.get('Idempotency-Key'), 'params');
    const started = await executions.start(param(req, 'id'), body, key, auditContext(req));
    if (started.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).location(`/api/v1/workflow-instances/${started.id}`).json({ id: started.id, status: started.status });
  });

  router.post('/workflows/:id/simulate', requireRole('technical_lead', 'operator'), async (req, res) => {
    const body = parseRequest(simulateBody, req.body ?? {}, 'body');
    res.json(await simulations.simulate(param(req, 'id'), body));
  });

  router.get('/workflows/:id/instances', async (req, res) => {
    await definitions.require(param(req, 'id'));
    const query = parseRequest(instanceQuery, req.query, 'query');
    res.json(withNextLink(req, await executions.list({ ...pageOf(query), status: query.status, siteId: query.site, definitionId: param(req, 'id') })));
  });

  return router;
}
