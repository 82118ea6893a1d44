/**
 * The `Idempotency-Key` rules every keyed POST shares (docs/api.md): a key belongs to its caller,
 * a repeat with the same body answers the first result, and the same key with another body is
 * refused (422), as the IETF Idempotency-Key draft says.
 */
import { canonicalJson } from '../graph/canonical-json';
import { WeftError } from '../graph/errors';

/**
 * The stored form of a caller's key: keys are the caller's own, so the same key from another
 * caller is another request.
 */
export function callerScopedKey(actor: string, key: string): string {
  return `${actor}\n${key}`;
}

/** Whether two request bodies are the same JSON (key order and `undefined` vs `null` aside). */
export function sameBody(stored: unknown, repeated: unknown): boolean {
  return canonicalJson(stored ?? null) === canonicalJson(repeated ?? null);
}

/**
 * Refuses a key used again with another body; `what` names the first result in the message.
 * @throws WeftError IDEMPOTENCY_KEY_REUSED unless `same`
 */
export function requireSameBody(key: string, same: boolean, what: string): void {
  if (same) return;
  throw new WeftError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was used for ${what} with another body; use a new key`, {
    details: { idempotencyKey: key },
  });
}
