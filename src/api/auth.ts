import type { Request, RequestHandler } from 'express';
import { WeftError } from '../graph/errors';
import type { Role } from '../auth/roles';
import { verifyToken, type Principal } from '../auth/tokens';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Requires `Authorization: Bearer <jwt>`; the principal comes only from the verified token. */
export function authenticate(secret: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new WeftError('UNAUTHENTICATED', 'missing bearer token');
    req.principal = verifyToken(secret, match[1]);
    next();
  };
}

/** The authenticated principal of a request that went through `authenticate`. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new WeftError('UNAUTHENTICATED', 'not authenticated');
  return req.principal;
}

/** Allows the request when the principal has any of `roles`; admin may do everything. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (!principal.roles.includes('admin') && !roles.some((r) => principal.roles.includes(r))) {
      throw new WeftError('PERMISSION_DENIED', `needs one of the roles: ${['admin', ...roles].join(', ')}`);
    }
    next();
  };
}
