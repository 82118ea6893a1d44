/**
 * EVENT_SUBSCRIBER (a durable wait for a published event) and EVENT_PUBLISHER (one activity).
 */
import { z } from 'zod';
import { DurationTextSchema } from '../duration-schema';
import { commonSideEffectShape } from './side-effect';
import { expression, field, renderedTemplates, spec } from './spec';

/** What an EVENT_SUBSCRIBER does when its `timeout` passes without an event. */
export const EVENT_TIMEOUT_ACTIONS = ['fail', 'continue'] as const;

const eventName = z.string().min(1).max(200);

/**
 * EVENT_SUBSCRIBER: waits for an event named `event` whose correlation key equals
 * `correlationKey` (a template; absent: any key) and for which `filter` (an expression over
 * `event`) holds, published at or after `publishedAfter` (an expression giving a timestamp;
 * default: when the node starts). After `timeout` it fails with EVENT_TIMEOUT or, with
 * `onTimeout: continue`, leaves by port `timeout`.
 */
export const EventSubscriberPropertiesSchema = z
  .strictObject({
    event: eventName,
    correlationKey: z.string().optional(),
    filter: expression.optional(),
    publishedAfter: expression.optional(),
    timeout: DurationTextSchema.optional(),
    onTimeout: z.enum(EVENT_TIMEOUT_ACTIONS).default('fail'),
  })
  .superRefine((p, ctx) => {
    if (p.onTimeout === 'continue' && p.timeout === undefined) {
      ctx.addIssue({ code: 'custom', path: ['onTimeout'], message: 'onTimeout "continue" needs a timeout' });
    }
  });

/**
 * EVENT_PUBLISHER: publishes `event` with `correlationKey` and `payload` (every string of which
 * is a template), once per node run; reaches waiting subscribers and starts triggered definitions.
 */
export const EventPublisherPropertiesSchema = z.strictObject({
  event: eventName,
  correlationKey: z.string().optional(),
  payload: z.unknown().optional(),
  ...commonSideEffectShape,
});

export type EventSubscriberProperties = z.output<typeof EventSubscriberPropertiesSchema>;
export type EventPublisherProperties = z.output<typeof EventPublisherPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const eventNodes = {
  EVENT_SUBSCRIBER: spec({
    type: 'EVENT_SUBSCRIBER',
    propertiesSchema: EventSubscriberPropertiesSchema,
    ports: ['received', 'timeout'],
    // Workflow logic (a durable wait); its two small activities are bookkeeping, not the node's effect.
    sideEffect: false,
    expressionFields: (p) => [...field(p, 'correlationKey', 'template'), ...field(p, 'filter', 'expression'), ...field(p, 'publishedAfter', 'expression')],
  }),
  EVENT_PUBLISHER: spec({
    type: 'EVENT_PUBLISHER',
    propertiesSchema: EventPublisherPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'publishEvent',
    expressionFields: renderedTemplates,
  }),
} as const;
