import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { WeftError } from '../graph/errors';

/** Who is calling: the token's subject and roles. Never taken from a request body. */
export interface Principal {
  sub: string;
  roles: string[];
}

export { ROLES, type Role } from './roles';

const ISSUER = 'weft';

/** Mints an HS256 token carrying `sub` and `roles`. */
export function signToken(secret: string, principal: Principal, ttlSeconds = 12 * 3600): string {
  return jwt.sign({ roles: principal.roles }, secret, { algorithm: 'HS256', subject: principal.sub, issuer: ISSUER, expiresIn: ttlSeconds });
}

// jsonwebtoken first tries a string secret as a public key (createPublicKey, which throws) on
// every verify: about a millisecond of CPU per request, seen in a profile of bench/api-starts.ts.
const hmacKeys = new Map<string, KeyObject>();

function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

/**
 * Verifies signature, algorithm, issuer and expiry.
 * @throws WeftError UNAUTHENTICATED
 */
export function verifyToken(secret: string, token: string): Principal {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'], issuer: ISSUER });
  } catch (err) {
    throw new WeftError('UNAUTHENTICATED', `invalid token: ${(err as Error).message}`);
  }
  if (typeof payload === 'string' || !payload.sub) throw new WeftError('UNAUTHENTICATED', 'token has no subject');
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { sub: payload.sub, roles };
}
