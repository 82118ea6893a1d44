import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The 32 bytes of a WEFT_SECRETS_KEY written as 64 hex digits or as base64 / base64url, or
 * undefined when the text is neither.
 */
export function decodeSecretsKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}

/**
 * The AES-256 key connector secrets are encrypted under: WEFT_SECRETS_KEY when set, else one
 * generated once and kept in the data folder (like the JWT secret), so a single-process
 * installation keeps reading what it stored. Deployments with separate API and worker processes
 * must set WEFT_SECRETS_KEY for both.
 */
export function resolveSecretsKey(opts: { secretsKey: string | undefined; dataDir: string }): Buffer {
  if (opts.secretsKey) {
    const key = decodeSecretsKey(opts.secretsKey);
    if (!key) throw new Error('WEFT_SECRETS_KEY: must be 32 bytes as 64 hex digits or base64');
    return key;
  }
  const file = join(opts.dataDir, 'secrets-key');
  if (existsSync(file)) {
    const key = decodeSecretsKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file}: not a 32-byte key`);
    return key;
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}
