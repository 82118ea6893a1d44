import { Router } from 'express';
import { z } from 'zod';
import { SITE_ENVIRONMENTS } from '../../db/schema';
import type { ConfigValueService } from '../../services/config-values';
import type { SiteConfigService } from '../../services/site-config';
import type { SiteService } from '../../services/sites';
import { requireRole } from '../auth';
import { ifMatch, setEtag } from '../etags';
import { param, parseRequest } from '../problem';
import { withNextLink } from '../pagination';
import { auditContext } from '../request-context';
import { keyParam, parseRemoveReason, parseValueBody, reason, regionName, sendWrite } from './config-http';

const siteId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'a slug: lower-case letters, digits and -, at most 64');
const siteFields = {
  name: z.string().trim().min(1).max(200),
  location: z.string().max(500),
  region: regionName,
  environment: z.enum(SITE_ENVIRONMENTS),
  parentSiteId: siteId.nullable(),
  timeZone: z.string().min(1).max(100),
  metadata: z.record(z.string(), z.json()),
};
export const createBody = z.strictObject({
  id: siteId,
  ...siteFields,
  location: siteFields.location.optional(),
  parentSiteId: siteFields.parentSiteId.optional(),
  timeZone: siteFields.timeZone.optional(),
  metadata: siteFields.metadata.optional(),
});
export const patchBody = z.strictObject(siteFields).partial();
export const listQuery = z.strictObject({
  region: regionName.optional(),
  environment: z.enum(SITE_ENVIRONMENTS).optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(300).optional(),
});
export const activeBody = z.strictObject({ reason: reason.optional() });
export const cloneBody = z.strictObject({ fromSiteId: siteId, reason: reason.optional() });

/**
 * `/sites`: where workflows run, and each site's configuration (effective values with
 * provenance, overrides, validation, clone). Technical leads write; anyone authenticated reads.
 */
export function sitesRouter(deps: { sites: SiteService; values: ConfigValueService; siteConfig: SiteConfigService }): Router {
  const { sites, values, siteConfig } = deps;
  const router = Router();
  const manage = requireRole('technical_lead');
  const idOf = (req: Parameters<typeof param>[0]) => parseRequest(siteId, param(req, 'id'), 'params');

  router.post('/sites', manage, async (req, res) => {
    const body = parseRequest(createBody, req.body ?? {}, 'body');
    const created = await sites.create(body, auditContext(req));
    res.status(201).location(`/api/v1/sites/${created.id}`).json(created);
  });

  router.get('/sites', async (req, res) => {
    const { limit, cursor, ...filter } = parseRequest(listQuery, req.query, 'query');
    res.json(withNextLink(req, await sites.list(filter, { limit, ...(cursor !== undefined ? { cursor } : {}) })));
  });

  router.get('/sites/:id', async (req, res) => {
    res.json(await sites.get(idOf(req)));
  });

  router.patch('/sites/:id', manage, async (req, res) => {
    const body = parseRequest(patchBody, req.body ?? {}, 'body');
    res.json(await sites.patch(idOf(req), body, auditContext(req)));
  });

  for (const [verb, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    router.post(`/sites/:id/${verb}`, manage, async (req, res) => {
      const body = parseRequest(activeBody, req.body ?? {}, 'body');
      res.json(await sites.setActive(idOf(req), active, body.reason, auditContext(req)));
    });
  }

  router.get('/sites/:id/config', async (req, res) => {
    res.json(await siteConfig.effective(idOf(req)));
  });

  router.post('/sites/:id/config/validate', async (req, res) => {
    res.json(await siteConfig.validate(idOf(req)));
  });

  router.post('/sites/:id/config/clone', manage, async (req, res) => {
    const body = parseRequest(cloneBody, req.body ?? {}, 'body');
    const outcome = await values.clone(idOf(req), body, auditContext(req));
    if (!outcome.applied) {
      const { applied: _a, keys: _k, ...pending } = outcome;
      res
        .status(202)
        .location(`/api/v1/approval-requests/${pending.approvalRequestId}`)
        .json({ ...pending, keys: outcome.keys });
      return;
    }
    res.json({ siteId: idOf(req), fromSiteId: body.fromSiteId, keys: outcome.keys });
  });

  router.get('/sites/:id/config/:key', async (req, res) => {
    const effective = await siteConfig.effectiveKey(idOf(req), keyParam(req));
    // The ETag is that of the site's own value: what a PUT to this URL replaces.
    setEtag(res, effective.scope === 'site' && effective.inheritedFrom === null && effective.etag ? effective.etag : 'absent');
    res.json(effective);
  });

  router.put('/sites/:id/config/:key', manage, async (req, res) => {
    const ref = { scope: 'site' as const, scopeId: idOf(req) };
    sendWrite(res, await values.set(ref, keyParam(req), parseValueBody(req), ifMatch(req), auditContext(req)));
  });

  router.delete('/sites/:id/config/:key', manage, async (req, res) => {
    const ref = { scope: 'site' as const, scopeId: idOf(req) };
    sendWrite(res, await values.remove(ref, keyParam(req), parseRemoveReason(req), ifMatch(req), auditContext(req)));
  });

  return router;
}
