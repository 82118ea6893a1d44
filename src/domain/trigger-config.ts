/**
 * What a trigger of each type is configured with, checked once where it enters (the API) and
 * read back from the `triggers` row by the service and the scheduled-start activity.
 */
import { z } from 'zod';
import { isDuration, parseDuration } from '../graph/duration';
import { checkExpression } from '../graph/expressions';
import { TRIGGER_TYPES } from '../db/schema/triggers';

/** Defaults of a webhook: five minutes of clock skew, one MiB of body. */
export const WEBHOOK_DEFAULT_TOLERANCE_SECONDS = 300;
export const WEBHOOK_DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The most any webhook may accept; the route reads no more than this. */
export const WEBHOOK_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Temporal's overlap policies, as the API spells them. */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'terminate_other', 'allow_all'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

const expression = z
  .string()
  .min(1)
  .max(10_000)
  .superRefine((source, ctx) => {
    const problem = checkExpression(source);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a valid expression: ${problem.message}`, params: { weftCode: 'EXPRESSION_ERROR' } });
  });

const duration = (min: number) =>
  z
    .string()
    .refine(isDuration, 'must be a duration such as "30s", "5m", "1h" or "PT30S"')
    .refine((d) => !isDuration(d) || parseDuration(d) >= min, `must be at least ${min / 1000} s`);

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "Europe/Paris" or "UTC"');

// Five fields (minute to weekday), six or seven with seconds/years, or a descriptor such as @daily; Temporal checks the rest.
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly|every\s+\S+)|(\S+\s+){4,6}\S+)$/;

/** A schedule: exactly one of `cron` (in `timeZone`) or `interval`. */
export const ScheduleConfigSchema = z
  .strictObject({
    cron: z
      .string()
      .trim()
      .max(200)
      .regex(CRON, 'must be a cron expression of five fields (minute hour day month weekday) or a descriptor such as @daily')
      .optional(),
    interval: duration(1000).optional(),
    /** Shifts an interval's phase, e.g. every hour at 15 minutes past. */
    offset: duration(0).optional(),
    timeZone: timeZone.default('UTC'),
    overlap: z.enum(OVERLAP_POLICIES).default('skip'),
    /** How long after a missed time (Temporal unavailable) the run is still taken. */
    catchupWindow: duration(10_000).default('1m'),
  })
  .superRefine((c, ctx) => {
    if ((c.cron === undefined) === (c.interval === undefined))
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron or interval' });
    if (c.offset !== undefined && c.interval === undefined) ctx.addIssue({ code: 'custom', path: ['offset'], message: 'offset applies to an interval only' });
  });
export type ScheduleConfig = z.output<typeof ScheduleConfigSchema>;

/** A webhook: how far its timestamp may be from now, how large its body may be. */
export const WebhookConfigSchema = z.strictObject({
  toleranceSeconds: z.number().int().min(1).max(3600).default(WEBHOOK_DEFAULT_TOLERANCE_SECONDS),
  maxBodyBytes: z.number().int().min(1).max(WEBHOOK_MAX_BODY_BYTES).default(WEBHOOK_DEFAULT_MAX_BODY_BYTES),
});
export type WebhookConfig = z.output<typeof WebhookConfigSchema>;

/** An event trigger: the event name, and a JSONata filter over `event` that must hold. */
export const EventConfigSchema = z.strictObject({ event: z.string().min(1).max(200), filter: expression.optional() });
export type EventConfig = z.output<typeof EventConfigSchema>;

const ManualConfigSchema = z.strictObject({});

/** The config schema of each type. */
export const CONFIG_SCHEMAS = { manual: ManualConfigSchema, webhook: WebhookConfigSchema, schedule: ScheduleConfigSchema, event: EventConfigSchema } as const;

const common = {
  name: z.string().min(1).max(200).optional(),
  enabled: z.boolean().default(true),
  /** JSONata over the trigger's payload; the execution's input is its value. */
  inputMapping: expression.optional(),
  site: z.string().min(1).max(100).optional(),
};

/** `POST /workflows/{id}/triggers`. */
export const CreateTriggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('manual'), ...common, config: ManualConfigSchema.default({}) }),
  z.strictObject({ type: z.literal('webhook'), ...common, config: WebhookConfigSchema.prefault({}) }),
  z.strictObject({ type: z.literal('schedule'), ...common, config: ScheduleConfigSchema }),
  z.strictObject({ type: z.literal('event'), ...common, config: EventConfigSchema }),
]);
export type CreateTrigger = z.output<typeof CreateTriggerSchema>;

/** `PATCH /workflows/{id}/triggers/{triggerId}`: null clears the mapping or the site; `config` replaces the type's settings whole. */
export const PatchTriggerSchema = z.strictObject({
  name: z.string().min(1).max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  inputMapping: expression.nullable().optional(),
  site: z.string().min(1).max(100).nullable().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type PatchTrigger = z.output<typeof PatchTriggerSchema>;

/** The trigger types, for listings and docs. */
export { TRIGGER_TYPES };
