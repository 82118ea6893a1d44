/**
 * WAIT: a durable timer, for a duration or until an instant.
 */
import { z } from 'zod';
import { DurationTextSchema } from '../duration-schema';
import { expression, field, spec } from './spec';

/** WAIT: exactly one of `duration` (see ../duration.ts) or `until` (an expression giving an ISO timestamp). */
export const WaitPropertiesSchema = z
  .strictObject({
    duration: DurationTextSchema.optional(),
    until: expression.optional(),
  })
  .superRefine((props, ctx) => {
    if ((props.duration === undefined) === (props.until === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'WAIT needs exactly one of "duration" or "until"' });
    }
  });

/** HTTP methods of API_CALL. */

export type WaitProperties = z.output<typeof WaitPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const waitNodes = {
  WAIT: spec({
    type: 'WAIT',
    propertiesSchema: WaitPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => field(p, 'until', 'expression'),
  }),
} as const;
