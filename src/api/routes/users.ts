import { Router } from 'express';
import type { DirectoryService } from '../../domain/directory';
import { principalOf, requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { createUserBody, listUsersQuery, outOfOfficeBody, updateUserBody } from './directory-schemas';
import { pageOf, withNextLink } from '../pagination';

/**
 * `/users` and `/me`: the people of the directory. Admins manage users; anyone reads them; a
 * user (or an admin) declares their own out-of-office.
 */
export function usersRouter(deps: { directory: DirectoryService }): Router {
  const { directory } = deps;
  const router = Router();

  router.get('/me', async (req, res) => {
    res.json(await directory.getUser(principalOf(req).sub));
  });

  router.post('/users', requireRole(), async (req, res) => {
    const body = parseRequest(createUserBody, req.body ?? {}, 'body');
    const created = await directory.createUser(body, auditContext(req));
    res
      .status(201)
      .location(`/api/v1/users/${encodeURIComponent(created.id)}`)
      .json(created);
  });

  router.get('/users', async (req, res) => {
    const { cursor, offset, limit, ...filter } = parseRequest(listUsersQuery, req.query, 'query');
    res.json(withNextLink(req, await directory.listUsers({ ...filter, ...pageOf({ limit, cursor, offset }) })));
  });

  router.get('/users/:id', async (req, res) => {
    res.json(await directory.getUser(param(req, 'id')));
  });

  router.put('/users/:id', requireRole(), async (req, res) => {
    const body = parseRequest(updateUserBody, req.body ?? {}, 'body');
    res.json(await directory.updateUser(param(req, 'id'), body, auditContext(req)));
  });

  router.delete('/users/:id', requireRole(), async (req, res) => {
    res.json(await directory.deactivateUser(param(req, 'id'), auditContext(req)));
  });

  router.put('/users/:id/out-of-office', async (req, res) => {
    const body = parseRequest(outOfOfficeBody, req.body ?? {}, 'body');
    res.json(await directory.setOutOfOffice(param(req, 'id'), body, principalOf(req), auditContext(req)));
  });

  router.delete('/users/:id/out-of-office', async (req, res) => {
    res.json(await directory.clearOutOfOffice(param(req, 'id'), principalOf(req), auditContext(req)));
  });

  return router;
}
