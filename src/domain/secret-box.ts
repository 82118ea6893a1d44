/**
 * Connector secrets at rest: AES-256-GCM under WEFT_SECRETS_KEY, stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64 parts). The version prefix lets a later key rotation or
 * cipher change tell old values apart.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WeftError } from '../graph/errors';

const VERSION = 'v1';

/** Seals and opens the JSON of a secrets object. */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  }

  /** Encrypts `secrets` with a fresh 96-bit IV. */
  seal(secrets: Record<string, unknown>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  /**
   * Decrypts what {@link seal} produced.
   * @throws WeftError SECRETS_UNREADABLE when the value is malformed or was sealed under another key
   */
  open(sealed: string): Record<string, unknown> {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new WeftError('SECRETS_UNREADABLE', 'stored connector secrets have an unknown format');
    const [, iv, tag, ciphertext] = parts as [string, string, string, string];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as Record<string, unknown>;
    } catch {
      throw new WeftError('SECRETS_UNREADABLE', 'stored connector secrets cannot be decrypted (was WEFT_SECRETS_KEY changed?)');
    }
  }
}
