import { Router } from 'express';
import { z } from 'zod';
import { CONNECTOR_TYPES } from '../../db/schema';
import type { ConnectorService } from '../../domain/connectors/service';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { listPage, shortListQuery } from '../pagination';

const name = z.string().trim().min(1).max(100);
const description = z.string().max(2000).nullable().optional();
const config = z.record(z.string(), z.unknown()).default({});
/** A null secret removes it on update. */
const secrets = z.record(z.string(), z.unknown()).optional();

export const createBody = z.strictObject({ name, type: z.enum(CONNECTOR_TYPES), description, config, secrets });
export const updateBody = z.strictObject({ name, description, config, secrets });

/**
 * `/connectors`: stored connections to Salesforce, SAP, NetSuite and custom APIs. Admins and
 * technical leads manage them; anyone authenticated reads them (secrets appear only as "set").
 */
export function connectorsRouter(deps: { connectors: ConnectorService }): Router {
  const { connectors } = deps;
  const router = Router();
  const manage = requireRole('technical_lead');

  router.post('/connectors', manage, async (req, res) => {
    const body = parseRequest(createBody, req.body ?? {}, 'body');
    const created = await connectors.create(body, auditContext(req));
    res.status(201).location(`/api/v1/connectors/${created.id}`).json(created);
  });

  router.get('/connectors', async (req, res) => {
    const page = parseRequest(shortListQuery, req.query, 'query');
    // By name as before, case-insensitively; the id breaks ties between names differing in case.
    res.json(listPage(req, await connectors.list(), { list: 'connectors', key: (c) => [c.name.toLowerCase(), c.id], shape: ['string', 'string'] }, page));
  });

  router.get('/connectors/:id', async (req, res) => {
    res.json(await connectors.get(param(req, 'id')));
  });

  router.put('/connectors/:id', manage, async (req, res) => {
    const body = parseRequest(updateBody, req.body ?? {}, 'body');
    res.json(await connectors.update(param(req, 'id'), body, auditContext(req)));
  });

  router.delete('/connectors/:id', manage, async (req, res) => {
    await connectors.delete(param(req, 'id'), { force: req.query.force === 'true' }, auditContext(req));
    res.status(204).end();
  });

  router.post('/connectors/:id/test', manage, async (req, res) => {
    res.json(await connectors.test(param(req, 'id'), auditContext(req)));
  });

  router.get('/connectors/:id/operations', async (req, res) => {
    res.json({ items: await connectors.operations(param(req, 'id')) });
  });

  return router;
}
