import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The HS256 secret: WEFT_JWT_SECRET when set, else one generated once and kept in the data
 * folder, so tokens minted by `npm run token` stay valid across restarts.
 */
export function resolveJwtSecret(opts: { jwtSecret: string | undefined; dataDir: string }): string {
  if (opts.jwtSecret) return opts.jwtSecret;
  const file = join(opts.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(opts.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}
