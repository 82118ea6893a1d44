import { thrownWeftError } from '../../support/expect-weft-error';

const expectWeftError = (fn: () => unknown, code: string) => expect(thrownWeftError(fn).code).toBe(code);
import { signWebhook, verifyWebhook } from '../../../src/domain/webhook-signature';

const secret = 'whsec_unit';
const body = Buffer.from('{"order":"A-1"}');
const now = new Date('2026-12-06T12:00:00Z');
const ts = String(now.getTime() / 1000);

test('a signature over timestamp and raw body under the secret passes; any other byte fails', () => {
  expect(() => verifyWebhook(secret, { signature: signWebhook(secret, ts, body), timestamp: ts }, body, 300, now)).not.toThrow();
  // The same check as a sender would write it with openssl: HMAC-SHA256 of "<ts>.<body>", hex.
  expect(signWebhook(secret, ts, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
  expectWeftError(
    () => verifyWebhook(secret, { signature: signWebhook(secret, ts, '{"order":"A-2"}'), timestamp: ts }, body, 300, now),
    'WEBHOOK_SIGNATURE_INVALID',
  );
  expectWeftError(
    () => verifyWebhook(secret, { signature: signWebhook(secret, Number(ts) + 1, body), timestamp: ts }, body, 300, now),
    'WEBHOOK_SIGNATURE_INVALID',
  );
  expectWeftError(() => verifyWebhook(secret, { signature: 'sha256=zz', timestamp: ts }, body, 300, now), 'WEBHOOK_SIGNATURE_INVALID');
  expectWeftError(() => verifyWebhook(secret, { signature: undefined, timestamp: ts }, body, 300, now), 'WEBHOOK_SIGNATURE_MISSING');
});

test('the timestamp must be within the tolerance either way, and is judged only for a good signature', () => {
  const late = String(Number(ts) - 301);
  expectWeftError(() => verifyWebhook(secret, { signature: signWebhook(secret, late, body), timestamp: late }, body, 300, now), 'WEBHOOK_TIMESTAMP_STALE');
  const early = String(Number(ts) + 301);
  expectWeftError(() => verifyWebhook(secret, { signature: signWebhook(secret, early, body), timestamp: early }, body, 300, now), 'WEBHOOK_TIMESTAMP_STALE');
  expectWeftError(
    () => verifyWebhook(secret, { signature: signWebhook('whsec_other', late, body), timestamp: late }, body, 300, now),
    'WEBHOOK_SIGNATURE_INVALID',
  );
});
