import express, { Router, type RequestHandler } from 'express';
import type { RateLimitPolicy } from '../../config/rate-limits';
import type { WeftDb } from '../../db/client';
import { WEBHOOK_MAX_BODY_BYTES } from '../../domain/trigger-config';
import { WEBHOOK_HEADERS } from '../../domain/webhook-signature';
import { WeftError } from '../../graph/errors';
import type { WebhookService } from '../../services/webhooks';
import { param } from '../problem';
import { takeRateLimit } from '../rate-limit';
import { auditContextOf } from '../request-context';

/** Headers a webhook's input mapping may read: the caller's own, never credentials. */
const HIDDEN_HEADERS = new Set(['authorization', 'cookie', WEBHOOK_HEADERS.signature]);

// The signature covers the exact bytes sent, so the body is read raw, whatever its type.
const rawBody = express.raw({ type: () => true, limit: WEBHOOK_MAX_BODY_BYTES });
const readRaw: RequestHandler = (req, res, next) =>
  rawBody(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
      next(new WeftError('WEBHOOK_PAYLOAD_TOO_LARGE', `a webhook body may have at most ${WEBHOOK_MAX_BODY_BYTES} bytes`));
      return;
    }
    next(err);
  });

/**
 * `/webhooks/{triggerId}`: mounted before bearer-token auth and the JSON parser — a delivery
 * proves itself by its HMAC signature (domain/webhook-signature.ts).
 */
export function webhooksRouter(deps: { webhooks: WebhookService; db: WeftDb; rateLimits: RateLimitPolicy }): Router {
  const router = Router();

  router.get('/webhooks/:triggerId', async (req, res) => {
    res.json(await deps.webhooks.describe(param(req, 'triggerId')));
  });

  router.post('/webhooks/:triggerId', readRaw, async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !HIDDEN_HEADERS.has(name)) headers[name] = value;
    }
    const started = await deps.webhooks.receive(
      param(req, 'triggerId'),
      {
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        contentType: req.get('content-type'),
        signature: req.get(WEBHOOK_HEADERS.signature),
        timestamp: req.get(WEBHOOK_HEADERS.timestamp),
        deliveryId: req.get(WEBHOOK_HEADERS.delivery),
        headers,
      },
      auditContextOf(req),
      // Counted per trigger: the sender has no user, and one flooding trigger must not starve another.
      () => takeRateLimit(deps.db, deps.rateLimits, 'webhookDeliveries', `trigger:${param(req, 'triggerId')}`, res),
    );
    if (started.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).location(`/api/v1/workflow-instances/${started.id}`).json({ id: started.id, status: started.status, deliveryId: started.deliveryId });
  });

  return router;
}
