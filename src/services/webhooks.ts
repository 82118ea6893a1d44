/**
 * Receiving webhook deliveries (`POST /webhooks/{triggerId}`): checked before anything starts
 * (size, signature, timestamp), claimed once per delivery id and per signature in PostgreSQL,
 * then started through TriggerStarts under a key derived from the delivery, so the same
 * delivery twice (even at once, on two API processes) starts one execution.
 */
import type { WeftDb } from '../db/client';
import type { AuditContext } from '../db/repositories/audit';
import { claimDelivery, getTrigger, releaseDelivery, setDeliveryExecution } from '../db/repositories/triggers';
import type { Trigger } from '../db/schema';
import type { SecretBox } from '../domain/secret-box';
import { WebhookConfigSchema } from '../domain/trigger-config';
import { signatureHash, verifyWebhook } from '../domain/webhook-signature';
import { WeftError } from '../graph/errors';
import type { TriggerStarts, TriggeredStart } from './trigger-starts';
import { webhookDescription, type WebhookDescription } from './trigger-views';

/** One delivery as the route hands it over: the raw body and the headers that matter. */
export interface WebhookDelivery {
  body: Buffer;
  contentType: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  deliveryId: string | undefined;
  /** Headers the mapping may read (`headers.<name>`, lower case). */
  headers: Record<string, string>;
}

const DELIVERY_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/** Webhook deliveries and descriptions. */
export class WebhookService {
  constructor(
    private readonly db: WeftDb,
    private readonly starts: TriggerStarts,
    private readonly box: SecretBox,
  ) {}

  /** How to call the webhook (nothing secret). @throws WeftError TRIGGER_NOT_FOUND */
  async describe(triggerId: string): Promise<WebhookDescription & { triggerId: string }> {
    const trigger = await this.webhook(triggerId);
    return { triggerId, ...webhookDescription(trigger, WebhookConfigSchema.parse(trigger.config)) };
  }

  /**
   * Checks and starts one delivery. A repeat of a delivery id answers the execution it started.
   * @param admit takes the delivery from the trigger's rate budget: called once the delivery is
   *   known to come from the sender (signed right, in time), so forged requests spend no budget
   * @throws WeftError TRIGGER_NOT_FOUND, TRIGGER_DISABLED, WEBHOOK_PAYLOAD_TOO_LARGE, WEBHOOK_SIGNATURE_MISSING,
   *   WEBHOOK_SIGNATURE_INVALID, WEBHOOK_TIMESTAMP_STALE, WEBHOOK_REPLAYED, INVALID_REQUEST (body or delivery id), and those of a start
   */
  async receive(
    triggerId: string,
    delivery: WebhookDelivery,
    ctx: Omit<AuditContext, 'actor'>,
    admit: () => Promise<void> = async () => undefined,
  ): Promise<TriggeredStart & { deliveryId: string }> {
    const trigger = await this.webhook(triggerId);
    const config = WebhookConfigSchema.parse(trigger.config);
    if (delivery.body.length > config.maxBodyBytes) {
      throw new WeftError('WEBHOOK_PAYLOAD_TOO_LARGE', `the body has ${delivery.body.length} bytes; this webhook accepts at most ${config.maxBodyBytes}`);
    }
    verifyWebhook(this.secretOf(trigger), { signature: delivery.signature, timestamp: delivery.timestamp }, delivery.body, config.toleranceSeconds);
    if (!trigger.enabled) throw new WeftError('TRIGGER_DISABLED', `webhook ${triggerId} is disabled: it starts nothing`);
    await admit();
    if (delivery.deliveryId !== undefined && !DELIVERY_ID.test(delivery.deliveryId)) {
      throw new WeftError('INVALID_REQUEST', 'the delivery id must be 1 to 200 characters of letters, digits and ._:@/+=-', {
        issues: [{ path: '/headers/x-weft-delivery', code: 'VALIDATION_ERROR', message: 'not a valid delivery id' }],
      });
    }
    const body = parseBody(delivery);
    const hash = signatureHash(delivery.signature as string);
    // Without a delivery id the signed request itself is the delivery.
    const key = { triggerId, deliveryId: delivery.deliveryId ?? `sig-${hash.slice(0, 32)}` };
    const claim = await claimDelivery(this.db, { ...key, signatureHash: hash });
    if (claim.outcome === 'replayed') {
      throw new WeftError('WEBHOOK_REPLAYED', 'this signed request was delivered before under another delivery id; it starts nothing again');
    }
    let started: TriggeredStart;
    try {
      const payload = { body, headers: delivery.headers, deliveryId: key.deliveryId, triggerId };
      started = await this.starts.fire(trigger, payload, `delivery:${key.deliveryId}`, { ...ctx, actor: `webhook:${triggerId}` });
    } catch (err) {
      if (claim.outcome === 'claimed') await releaseDelivery(this.db, key);
      throw err;
    }
    if (claim.delivery?.executionId !== started.id) await setDeliveryExecution(this.db, key, started.id);
    return { ...started, deliveryId: key.deliveryId };
  }

  private async webhook(triggerId: string): Promise<Trigger> {
    const trigger = await getTrigger(this.db, triggerId);
    if (!trigger || trigger.type !== 'webhook') throw new WeftError('TRIGGER_NOT_FOUND', `there is no webhook ${triggerId}`);
    return trigger;
  }

  private secretOf(trigger: Trigger): string {
    const secret = trigger.secretSealed ? this.box.open(trigger.secretSealed).secret : undefined;
    if (typeof secret !== 'string') throw new WeftError('SECRETS_UNREADABLE', `webhook ${trigger.id} has no secret`);
    return secret;
  }
}

/** JSON bodies are parsed; anything else is handed over as text. @throws WeftError INVALID_REQUEST */
function parseBody(delivery: WebhookDelivery): unknown {
  const text = delivery.body.toString('utf8');
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(delivery.contentType ?? '')) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new WeftError('INVALID_REQUEST', 'the request body is not valid JSON', {
      issues: [{ path: '', code: 'invalid_json', message: (err as Error).message }],
    });
  }
}
