import { Router } from 'express';
import type { DirectoryService } from '../../domain/directory';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { createGroupBody, membersBody } from './directory-schemas';
import { listPage, shortListQuery } from '../pagination';

/** `/groups`: named sets of users that approval steps may name. Reads for anyone, writes for admins. */
export function groupsRouter(deps: { directory: DirectoryService }): Router {
  const { directory } = deps;
  const router = Router();

  router.post('/groups', requireRole(), async (req, res) => {
    const body = parseRequest(createGroupBody, req.body ?? {}, 'body');
    const created = await directory.createGroup(body, auditContext(req));
    res.status(201).location(`/api/v1/groups/${created.id}`).json(created);
  });

  router.get('/groups', async (req, res) => {
    const page = parseRequest(shortListQuery, req.query, 'query');
    res.json(listPage(req, (await directory.listGroups()).items, { list: 'groups', key: (g) => [g.id], shape: ['string'] }, page));
  });

  router.get('/groups/:id', async (req, res) => {
    res.json(await directory.getGroup(param(req, 'id')));
  });

  router.put('/groups/:id/members', requireRole(), async (req, res) => {
    const body = parseRequest(membersBody, req.body ?? {}, 'body');
    res.json(await directory.changeMembers(param(req, 'id'), body, auditContext(req)));
  });

  router.delete('/groups/:id', requireRole(), async (req, res) => {
    await directory.deleteGroup(param(req, 'id'), auditContext(req));
    res.status(204).end();
  });

  return router;
}
