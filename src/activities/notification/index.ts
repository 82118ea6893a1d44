import { Context } from '@temporalio/activity';
import type { NodeActivityRequest } from '../../graph/node-types';
import type { DirectoryService } from '../../domain/directory';
import type { AddressGuard } from '../../domain/http/address-guard';
import { nodeFailureOf } from '../node-failure';
import { NodeCallError } from '../../domain/node-call-error';
import type { NodeActivityResult } from '../types';
import { createMailer, type MailSettings } from './email';
import { resolveEmailRecipients, type RecipientSpec } from './recipients';
import { genericPayload, postWebhook, slackPayload, teamsPayload, webhookHost, type WebhookMessage } from './webhooks';
import { type NotificationChannel, type NotificationOutput, type SentNotification } from './types';

export type { NotificationOutput } from './types';

/** What the NOTIFICATION activity needs from the worker. */
export interface NotificationDeps {
  directory: DirectoryService;
  guard: AddressGuard;
  /** Absent when WEFT_SMTP_URL or WEFT_MAIL_FROM is unset: email then fails NOTIFICATION_NOT_CONFIGURED. */
  mail: MailSettings | undefined;
}

/** The rendered properties, as the registry's schema parsed them. */
interface NotificationRequestProperties {
  channels: NotificationChannel[];
  recipients: RecipientSpec[];
  subject: string;
  message: string;
  html?: string;
  webhookUrl?: string | Partial<Record<'slack' | 'teams' | 'webhook', string>>;
  data?: Record<string, unknown>;
}

/** Heartbeat details: what earlier attempts delivered, so a retry sends only the rest. */
interface Progress {
  sent: SentNotification[];
}

const sentKey = (s: Pick<SentNotification, 'channel' | 'to'>) => `${s.channel} ${s.to.toLowerCase()}`;

function previousProgress(): SentNotification[] {
  const details: unknown = Context.current().info.heartbeatDetails;
  const sent = (details as Partial<Progress> | undefined)?.sent;
  return Array.isArray(sent) ? sent : [];
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The NOTIFICATION node: email to the resolved recipients (one message each, so nobody sees the
 * others' addresses), then a post to each webhook channel. Every delivery is recorded as a
 * heartbeat, so when a later delivery fails and the node is retried, the recipients already
 * reached are not sent the message again; each carries the node run's idempotency key
 * (Message-ID, `Idempotency-Key`) for receivers that de-duplicate themselves.
 */
export function createNotificationActivity(deps: NotificationDeps) {
  return async function sendNotification(request: NodeActivityRequest): Promise<NodeActivityResult<NotificationOutput>> {
    const ctx = Context.current();
    const p = request.properties as unknown as NotificationRequestProperties;
    const subject = asText(p.subject);
    const message = asText(p.message);
    const html = p.html === undefined ? undefined : asText(p.html);
    const sent = previousProgress();
    const done = new Set(sent.map(sentKey));
    const record = (s: SentNotification) => {
      sent.push(s);
      done.add(sentKey(s));
      ctx.heartbeat({ sent } satisfies Progress);
    };
    const output: NotificationOutput = { sent, skipped: [] };
    try {
      if (p.channels.includes('email')) {
        if (!deps.mail) {
          throw new NodeCallError('NOTIFICATION_NOT_CONFIGURED', 'email needs WEFT_SMTP_URL and WEFT_MAIL_FROM on the worker', false);
        }
        const resolved = await resolveEmailRecipients(
          deps.directory,
          p.recipients.map((r) => ({ type: r.type, identifier: asText(r.identifier) })),
        );
        output.skipped.push(...resolved.skipped);
        if (resolved.addresses.length === 0) {
          throw new NodeCallError('NO_RECIPIENTS', `no recipient of ${request.nodeId} has an email address to send to`, false);
        }
        const mailer = createMailer(deps.mail, request.timeoutMs);
        try {
          for (const to of resolved.addresses) {
            if (done.has(sentKey({ channel: 'email', to }))) continue;
            const id = await mailer.send({ to, subject, text: message, html, idempotencyKey: request.idempotencyKey });
            record({ channel: 'email', to, id });
          }
        } finally {
          mailer.close();
        }
      }
      const webhookMessage: WebhookMessage = {
        subject,
        message,
        html,
        data: p.data,
        source: { executionId: request.executionId, definitionId: request.definitionId, nodeId: request.nodeId, iteration: request.iteration },
      };
      for (const channel of ['slack', 'teams', 'webhook'] as const) {
        if (!p.channels.includes(channel)) continue;
        const url = asText(typeof p.webhookUrl === 'object' ? p.webhookUrl[channel] : p.webhookUrl);
        const to = webhookHost(url);
        if (done.has(sentKey({ channel, to }))) continue;
        const payload =
          channel === 'slack' ? slackPayload(webhookMessage) : channel === 'teams' ? teamsPayload(webhookMessage) : genericPayload(webhookMessage);
        await postWebhook(url, payload, { guard: deps.guard, idempotencyKey: request.idempotencyKey, timeoutMs: request.timeoutMs });
        record({ channel, to });
      }
    } catch (err) {
      if (err instanceof NodeCallError) throw nodeFailureOf(err);
      throw err;
    }
    return { output, attempt: ctx.info.attempt };
  };
}
