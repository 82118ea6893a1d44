import type { AddressGuard } from '../../domain/http/address-guard';
import { HttpCallError, performHttpRequest } from '../../domain/http/request';
import { NodeCallError } from '../../domain/node-call-error';

/** What a webhook channel says. */
export interface WebhookMessage {
  subject: string;
  message: string;
  html?: string;
  data?: Record<string, unknown>;
  /** Who and where, for the generic webhook's receiver. */
  source: { executionId: string; definitionId: string; nodeId: string; iteration: number };
}

// Slack's block limits: header text 150 characters, section text 3000.
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A Slack incoming-webhook payload: `text` (what notifications and old clients show) and
 * `blocks` (a header with the subject, a section with the message).
 */
export function slackPayload(m: WebhookMessage): { text: string; blocks: unknown[] } {
  const text = m.subject ? `${m.subject}\n${m.message}` : m.message;
  const blocks: unknown[] = [];
  if (m.subject) blocks.push({ type: 'header', text: { type: 'plain_text', text: clip(m.subject, SLACK_HEADER_MAX) } });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(m.message, SLACK_SECTION_MAX) } });
  return { text, blocks };
}

/**
 * A Microsoft Teams incoming-webhook payload: a message with one Adaptive Card, the shape
 * Microsoft documents for incoming webhooks and which the Workflows webhooks replacing
 * Office 365 connectors accept too (the legacy MessageCard is not).
 */
export function teamsPayload(m: WebhookMessage): { type: 'message'; attachments: unknown[] } {
  const body: unknown[] = [];
  if (m.subject) body.push({ type: 'TextBlock', text: m.subject, weight: 'Bolder', size: 'Medium', wrap: true });
  body.push({ type: 'TextBlock', text: m.message, wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}

/** The generic webhook's JSON: subject, message, html, data and where it comes from. */
export function genericPayload(m: WebhookMessage): Record<string, unknown> {
  return {
    subject: m.subject,
    message: m.message,
    ...(m.html === undefined ? {} : { html: m.html }),
    data: m.data ?? {},
    ...m.source,
  };
}

/** The host a webhook URL names: what the output and errors show, as its path may be the secret. */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}

/**
 * POSTs `payload` as JSON over the SSRF-guarded client (WEFT_HTTP_ALLOWED_HOSTS applies), with
 * `Idempotency-Key`. @throws NodeCallError with the HTTP client's code (HTTP_<status>,
 * SSRF_BLOCKED, TIMEOUT, …), its message naming only the host.
 */
export async function postWebhook(url: string, payload: unknown, opts: { guard: AddressGuard; idempotencyKey: string; timeoutMs: number }): Promise<void> {
  try {
    await performHttpRequest(
      {
        method: 'POST',
        url,
        headers: {},
        query: {},
        body: payload,
        timeoutMs: opts.timeoutMs,
        maxResponseBytes: 64 * 1024,
        idempotencyKey: opts.idempotencyKey,
      },
      opts.guard,
    );
  } catch (err) {
    if (!(err instanceof HttpCallError)) throw err;
    const host = webhookHost(url);
    const message = err.status === undefined ? `webhook ${host}: ${err.message.split(url).join(host)}` : `webhook ${host} answered ${err.status}`;
    throw new NodeCallError(err.code, message, err.retryable, err.status, err.retryAfterMs);
  }
}
