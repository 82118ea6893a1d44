/**
 * Where a request comes from, for the audit trail: its id (the caller's `X-Request-Id` when it
 * is a sane token, a new UUID otherwise, echoed in the response), the client's address and user
 * agent. Handlers hand the context to services explicitly (`auditContext(req)`); nothing keeps it
 * in a global.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import ipaddr from 'ipaddr.js';
import type { AuditContext } from '../db/repositories/audit';
import { principalOf } from './auth';

declare module 'express-serve-static-core' {
  interface Request {
    requestId?: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const MAX_USER_AGENT = 512;

/** Gives every request an id and answers it in `X-Request-Id`. */
export function assignRequestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    req.requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  };
}

/** The caller and the request, as an audit record names them. */
export function auditContext(req: Request): AuditContext {
  return { actor: principalOf(req).sub, ...auditContextOf(req) };
}

/** The request without a principal (a webhook proves itself by its signature): the service names the actor. */
export function auditContextOf(req: Request): Omit<AuditContext, 'actor'> {
  return {
    requestId: req.requestId ?? null,
    clientIp: clientAddress(req.ip),
    userAgent: req.get('user-agent')?.slice(0, MAX_USER_AGENT) ?? null,
  };
}

/** The socket's address, an IPv4-mapped IPv6 address written as IPv4. */
function clientAddress(ip: string | undefined): string | null {
  if (!ip || !ipaddr.isValid(ip)) return ip ?? null;
  const addr = ipaddr.parse(ip);
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address().toString() : addr.toString();
}
