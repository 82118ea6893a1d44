import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSecretsKey, resolveSecretsKey } from '../../../src/auth/secrets-key';
import { loadSettings } from '../../../src/config/settings';
import { SecretBox } from '../../../src/domain/secret-box';

const key = randomBytes(32);

test('sealed secrets are v1:<iv>:<tag>:<ciphertext>, unreadable without the key, and open to the same object', () => {
  const box = new SecretBox(key);
  const sealed = box.seal({ clientSecret: 'hunter2-abc', nested: { a: 1 } });
  expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
  expect(sealed).not.toContain('hunter2');
  expect(Buffer.from(sealed.split(':')[3]!, 'base64').toString('utf8')).not.toContain('hunter2');
  expect(box.open(sealed)).toEqual({ clientSecret: 'hunter2-abc', nested: { a: 1 } });
  // A fresh IV each time: the same secrets never seal to the same text.
  expect(box.seal({ clientSecret: 'hunter2-abc' })).not.toBe(box.seal({ clientSecret: 'hunter2-abc' }));
});

test('another key, a flipped byte or another format is SECRETS_UNREADABLE, never a partial plaintext', () => {
  const sealed = new SecretBox(key).seal({ token: 't' });
  expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(expect.objectContaining({ code: 'SECRETS_UNREADABLE' }));
  const parts = sealed.split(':');
  const ct = Buffer.from(parts[3]!, 'base64');
  ct[0] = ct[0]! ^ 1;
  const tampered = [parts[0], parts[1], parts[2], ct.toString('base64')].join(':');
  expect(() => new SecretBox(key).open(tampered)).toThrow(expect.objectContaining({ code: 'SECRETS_UNREADABLE' }));
  expect(() => new SecretBox(key).open('v2:a:b:c')).toThrow(expect.objectContaining({ code: 'SECRETS_UNREADABLE' }));
});

test('WEFT_SECRETS_KEY is 32 bytes in hex or base64; anything else is refused at start-up', () => {
  expect(decodeSecretsKey(key.toString('hex'))).toEqual(key);
  expect(decodeSecretsKey(key.toString('base64'))).toEqual(key);
  expect(decodeSecretsKey(key.toString('base64url'))).toEqual(key);
  expect(decodeSecretsKey('too-short')).toBeUndefined();
  expect(decodeSecretsKey(randomBytes(16).toString('hex'))).toBeUndefined();
  expect(loadSettings({ WEFT_SECRETS_KEY: key.toString('base64') }).secretsKey).toBe(key.toString('base64'));
  expect(() => loadSettings({ WEFT_SECRETS_KEY: 'not a key' })).toThrow(/WEFT_SECRETS_KEY/);
});

test('unset, a key is generated once in the data folder (owner-only) and kept across restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-key-'));
  try {
    const first = resolveSecretsKey({ secretsKey: undefined, dataDir });
    expect(first).toHaveLength(32);
    expect(resolveSecretsKey({ secretsKey: undefined, dataDir })).toEqual(first);
    expect(statSync(join(dataDir, 'secrets-key')).mode & 0o077).toBe(0);
    expect(decodeSecretsKey(readFileSync(join(dataDir, 'secrets-key'), 'utf8'))).toEqual(first);
    // A configured key wins over the file.
    expect(resolveSecretsKey({ secretsKey: key.toString('hex'), dataDir })).toEqual(key);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
