import { Router, type Request } from 'express';
import { z } from 'zod';
import { CONFIG_SCOPES, CONFIG_TYPES, REQUIRED_LEVELS } from '../../db/schema';
import type { ConfigParameterService } from '../../services/config-parameters';
import type { ConfigValueService, ScopeRef } from '../../services/config-values';
import { requireRole } from '../auth';
import { ifMatch, setEtag } from '../etags';
import { param, parseRequest } from '../problem';
import { listPage, pageParams, withNextLink } from '../pagination';
import { auditContext } from '../request-context';
import { configKey, keyParam, parseRemoveReason, parseValueBody, regionName, sendWrite } from './config-http';
import { instant } from '../instant';

const option = z.strictObject({ value: z.string().min(1).max(200), label: z.string().min(1).max(200) });
const parameterFields = {
  name: z.string().trim().min(1).max(200),
  defaultValue: z.json().nullable(),
  description: z.string().max(2000).nullable(),
  options: z.array(option).max(500).nullable(),
  validation: z.union([z.record(z.string(), z.json()), z.boolean()]).nullable(),
  requiredAtLevel: z.enum(REQUIRED_LEVELS).nullable(),
  category: z.string().trim().min(1).max(100).nullable(),
};
export const createBody = z.strictObject({ key: configKey, type: z.enum(CONFIG_TYPES), secret: z.boolean().optional(), ...parameterFields }).partial({
  defaultValue: true,
  description: true,
  options: true,
  validation: true,
  requiredAtLevel: true,
  category: true,
});
export const patchBody = z.strictObject(parameterFields).partial();
export const parametersQuery = z.strictObject({ category: z.string().min(1).max(100).optional(), ...pageParams(500, 100) });
export const historyQuery = z.strictObject({
  siteId: z.string().min(1).max(64).optional(),
  region: regionName.optional(),
  scope: z.enum(CONFIG_SCOPES).optional(),
  key: configKey.optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

/**
 * `/config`: parameters, global and regional values (site values are under `/sites`), the
 * history of changes and changes waiting for an approval. Technical leads write; anyone
 * authenticated reads.
 */
export function configRouter(deps: { parameters: ConfigParameterService; values: ConfigValueService }): Router {
  const { parameters, values } = deps;
  const router = Router();
  const manage = requireRole('technical_lead');

  router.post('/config/parameters', manage, async (req, res) => {
    const created = await parameters.create(parseRequest(createBody, req.body ?? {}, 'body'), auditContext(req));
    res.status(201).location(`/api/v1/config/parameters/${created.key}`).json(created);
  });

  router.get('/config/parameters', async (req, res) => {
    const { category, ...page } = parseRequest(parametersQuery, req.query, 'query');
    res.json(listPage(req, await parameters.list(category), { list: 'config-parameters', key: (p) => [p.key], shape: ['string'] }, page));
  });

  router.get('/config/parameters/:key', async (req, res) => {
    res.json(await parameters.get(keyParam(req)));
  });

  router.patch('/config/parameters/:key', manage, async (req, res) => {
    res.json(await parameters.patch(keyParam(req), parseRequest(patchBody, req.body ?? {}, 'body'), auditContext(req)));
  });

  router.delete('/config/parameters/:key', manage, async (req, res) => {
    await parameters.delete(keyParam(req), auditContext(req));
    res.status(204).end();
  });

  const scopes: Array<{ path: string; ref: (req: Request) => ScopeRef }> = [
    { path: '/config/global/:key', ref: () => ({ scope: 'global', scopeId: '' }) },
    { path: '/config/regions/:region/:key', ref: (req) => ({ scope: 'region', scopeId: parseRequest(regionName, param(req, 'region'), 'params') }) },
  ];
  for (const { path, ref } of scopes) {
    router.get(path, async (req, res) => {
      const value = await values.get(ref(req), keyParam(req));
      setEtag(res, value.etag);
      res.json(value);
    });
    router.put(path, manage, async (req, res) => {
      sendWrite(res, await values.set(ref(req), keyParam(req), parseValueBody(req), ifMatch(req), auditContext(req)));
    });
    router.delete(path, manage, async (req, res) => {
      sendWrite(res, await values.remove(ref(req), keyParam(req), parseRemoveReason(req), ifMatch(req), auditContext(req)));
    });
  }

  router.get('/config/history', async (req, res) => {
    const q = parseRequest(historyQuery, req.query, 'query');
    const scope = q.siteId !== undefined ? 'site' : q.region !== undefined ? 'region' : q.scope;
    const filter = {
      ...(scope !== undefined ? { scope } : {}),
      ...(q.siteId !== undefined ? { scopeId: q.siteId } : q.region !== undefined ? { scopeId: q.region } : {}),
      ...(q.key !== undefined ? { key: q.key } : {}),
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
    };
    res.json(withNextLink(req, await values.history(filter, { limit: q.limit, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) })));
  });

  router.get('/config/changes/:id', async (req, res) => {
    res.json(await values.change(param(req, 'id')));
  });

  return router;
}
