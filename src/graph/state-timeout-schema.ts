/**
 * `settings.stateTimeouts`: how long an instance may wait in a state before escalation rules
 * run (001 "Timeout and Escalation Handling"). Keys are the ids of waiting nodes (a node whose
 * outgoing edges have a `trigger`, or a WAIT), or `"*"` for every waiting node without its own
 * entry.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { DurationTextSchema } from './duration-schema';

/** The key of the entry that applies to every waiting node without an entry of its own. */
export const ANY_STATE = '*';

/** What an escalation rule does when it fires. */
export const STATE_TIMEOUT_ACTIONS = ['notify', 'escalate', 'cancel'] as const;

/**
 * One escalation rule. `notify` runs the NOTIFICATION node `target`; `escalate` marks the
 * instance `escalated` (`target` names who takes over, for the record); `cancel` ends the
 * execution as cancelled. `delay` waits that much longer (after the previous rule) before it
 * fires; `message` is shown to the NOTIFICATION node as `stateTimeout.message` and recorded.
 */
export const StateTimeoutActionSchema = z
  .strictObject({
    type: z.enum(STATE_TIMEOUT_ACTIONS),
    target: z.string().min(1).optional(),
    delay: DurationTextSchema.optional(),
    message: z.string().optional(),
  })
  .superRefine((action, ctx) => {
    if (action.type === 'notify' && action.target === undefined) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'a notify rule needs target: the id of a NOTIFICATION node' });
    }
  });

/** A state's time limit: after `after` in the state, its `actions` run in order. */
export const StateTimeoutSchema = z.strictObject({
  after: DurationTextSchema,
  actions: z.array(StateTimeoutActionSchema).min(1),
});

/** A parsed escalation rule. */
export type StateTimeoutAction = z.output<typeof StateTimeoutActionSchema>;
/** A parsed state time limit. */
export type StateTimeout = z.output<typeof StateTimeoutSchema>;

/** `settings.stateTimeouts`: per waiting node id (or {@link ANY_STATE}). */
export const StateTimeoutsSchema = z.record(z.string(), StateTimeoutSchema);
