/**
 * How a webhook delivery proves it comes from the holder of the trigger's secret: an HMAC
 * SHA-256 over `<timestamp>.<raw body>` (Stripe's scheme), with the timestamp in seconds.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WeftError } from '../graph/errors';

/** Request headers of the scheme. */
export const WEBHOOK_HEADERS = {
  signature: 'x-weft-signature',
  timestamp: 'x-weft-timestamp',
  delivery: 'x-weft-delivery',
} as const;

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** A new signing secret: 32 random bytes, `whsec_` + base64url, shown to its owner once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The signature header value for `body` sent at `timestamp` (seconds): what a sender computes. */
export function signWebhook(secret: string, timestamp: number | string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** A short, stable id of a signature (deliveries are told apart by it when they carry no delivery id). */
export function signatureHash(signature: string): string {
  return createHash('sha256').update(signature.toLowerCase()).digest('hex');
}

/**
 * Checks a delivery: both headers present, the signature right for the timestamp and body, the
 * timestamp within `toleranceSeconds` of `now`. The signature is checked before the timestamp,
 * so only a holder of the secret learns that a delivery was too old.
 * @throws WeftError WEBHOOK_SIGNATURE_MISSING, WEBHOOK_SIGNATURE_INVALID, WEBHOOK_TIMESTAMP_STALE
 */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  toleranceSeconds: number,
  now: Date = new Date(),
): void {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) {
    throw new WeftError('WEBHOOK_SIGNATURE_MISSING', `a webhook delivery must carry ${WEBHOOK_HEADERS.timestamp} and ${WEBHOOK_HEADERS.signature} headers`);
  }
  const given = SIGNATURE.exec(signature.trim());
  if (!/^\d{1,12}$/.test(timestamp) || !given?.[1]) {
    throw new WeftError('WEBHOOK_SIGNATURE_INVALID', `${WEBHOOK_HEADERS.signature} must be "sha256=<hex>" and ${WEBHOOK_HEADERS.timestamp} Unix seconds`);
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body).slice('sha256='.length), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given[1], 'hex'))) {
    throw new WeftError('WEBHOOK_SIGNATURE_INVALID', 'the signature does not match the timestamp and body under this trigger’s secret');
  }
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > toleranceSeconds) {
    throw new WeftError('WEBHOOK_TIMESTAMP_STALE', `the delivery’s timestamp is ${Math.round(skew)} s from now; at most ${toleranceSeconds} s are accepted`, {
      details: { toleranceSeconds },
    });
  }
}
