/**
 * NOTIFICATION: email, Slack, Teams and webhooks, as one activity (src/activities/notification/).
 */
import { z } from 'zod';
import { isPlainObject } from '../json';
import { commonSideEffectShape } from './side-effect';
import { deepTemplates, field, spec } from './spec';

/** Channels a NOTIFICATION can send through. */
export const NOTIFICATION_CHANNELS = ['email', 'slack', 'teams', 'webhook'] as const;
/** The channels that post to an incoming webhook URL rather than send mail. */
export const WEBHOOK_CHANNELS = ['slack', 'teams', 'webhook'] as const;
/** How a NOTIFICATION names whom to tell (001: RecipientDefinition, with a literal `email` instead of `dynamic`). */
export const RECIPIENT_TYPES = ['user', 'role', 'group', 'email'] as const;

/**
 * NOTIFICATION: sends `subject` and `message` (templates; `html` optional) through each of
 * `channels`. Email goes to `recipients` (users, roles and groups of the directory, or literal
 * addresses) over SMTP; slack, teams and webhook post to `webhookUrl` (one URL for all of them,
 * or an object naming one per channel); `data` is sent as JSON to a generic webhook.
 */
export const NotificationPropertiesSchema = z
  .strictObject({
    channels: z
      .array(z.enum(NOTIFICATION_CHANNELS))
      .min(1)
      .refine((c) => new Set(c).size === c.length, 'each channel at most once'),
    recipients: z.array(z.strictObject({ type: z.enum(RECIPIENT_TYPES), identifier: z.string().min(1) })).default([]),
    subject: z.string().default(''),
    message: z.string().min(1),
    html: z.string().min(1).optional(),
    webhookUrl: z
      .union([
        z.string().min(1),
        z.strictObject({ slack: z.string().min(1).optional(), teams: z.string().min(1).optional(), webhook: z.string().min(1).optional() }),
      ])
      .optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    ...commonSideEffectShape,
  })
  .superRefine((p, ctx) => {
    if (p.channels.includes('email') && p.recipients.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'the email channel needs at least one recipient' });
    }
    for (const channel of WEBHOOK_CHANNELS) {
      if (!p.channels.includes(channel)) continue;
      const url = typeof p.webhookUrl === 'string' ? p.webhookUrl : p.webhookUrl?.[channel];
      if (url === undefined) ctx.addIssue({ code: 'custom', path: ['webhookUrl'], message: `the ${channel} channel needs a webhookUrl` });
    }
  });

export type NotificationProperties = z.output<typeof NotificationPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const notificationNodes = {
  NOTIFICATION: spec({
    type: 'NOTIFICATION',
    propertiesSchema: NotificationPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'sendNotification',
    expressionFields: (p) => [
      ...field(p, 'subject', 'template'),
      ...field(p, 'message', 'template'),
      ...field(p, 'html', 'template'),
      ...(isPlainObject(p) && p.webhookUrl !== undefined ? deepTemplates(p.webhookUrl, ['webhookUrl']) : []),
      ...(isPlainObject(p) && Array.isArray(p.recipients)
        ? p.recipients.flatMap((r, i) =>
            isPlainObject(r) && typeof r.identifier === 'string' ? deepTemplates(r.identifier, ['recipients', i, 'identifier']) : [],
          )
        : []),
      ...(isPlainObject(p) && p.data !== undefined ? deepTemplates(p.data, ['data']) : []),
    ],
  }),
} as const;
