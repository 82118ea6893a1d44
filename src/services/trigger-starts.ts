/**
 * Starting an execution from a trigger: the trigger's input mapping over its payload, at its
 * site, through ExecutionService.start (the API's own start path), once per idempotency key.
 * Webhooks, schedules (through the worker), event publishes and manual firings all come here.
 */
import type { WeftDb } from '../db/client';
import type { AuditContext } from '../db/repositories/audit';
import { enabledEventTriggers, getTrigger } from '../db/repositories/triggers';
import type { Trigger } from '../db/schema';
import { filterHolds } from '../domain/event-waits';
import { EventConfigSchema } from '../domain/trigger-config';
import { isWeftError } from '../graph/errors';
import { evaluateExpression, type ExpressionContext } from '../graph/expressions';
import type { DeliveredEvent } from '../shared/events';
import type { ScheduledFiring, ScheduledFiringResult } from '../shared/triggers';
import type { ExecutionService } from './executions';

/** A started (or, for a repeated key, found) execution. */
export type TriggeredStart = Awaited<ReturnType<ExecutionService['start']>>;

/**
 * The execution's input without a mapping: a webhook's parsed body, a manual firing's `input`,
 * and the whole payload of a schedule (`{ scheduledAt, triggerId }`) or an event (`{ event }`).
 */
function defaultInput(trigger: Trigger, payload: Record<string, unknown>): unknown {
  if (trigger.type === 'webhook') return payload.body ?? null;
  if (trigger.type === 'manual') return payload.input ?? null;
  return payload;
}

/**
 * The execution's input: the mapping (JSONata) evaluated over the payload, or the type's default.
 * @throws WeftError EXPRESSION_ERROR when the mapping fails on this payload
 */
export function triggerInput(trigger: Trigger, payload: Record<string, unknown>): unknown {
  if (!trigger.inputMapping) return defaultInput(trigger, payload);
  // The payload is the whole JSONata input document: `body.order.id`, `scheduledAt`, `event.payload`.
  return evaluateExpression(trigger.inputMapping, payload as unknown as ExpressionContext) ?? null;
}

/** Starts executions for triggers. */
export class TriggerStarts {
  constructor(
    private readonly db: WeftDb,
    private readonly executions: ExecutionService,
  ) {}

  /**
   * Starts the trigger's execution for `payload`, once per `key` (a repeat answers the same one).
   * `key` names the start by itself (a delivery, an event, a firing) unless `userKey`: a caller's
   * own Idempotency-Key, which another input may not reuse.
   * @throws WeftError EXPRESSION_ERROR, and those of ExecutionService.start
   */
  fire(trigger: Trigger, payload: Record<string, unknown>, key: string, ctx: AuditContext, userKey = false): Promise<TriggeredStart> {
    const input = triggerInput(trigger, payload);
    return this.executions.start(trigger.definitionId, { input, ...(trigger.siteId ? { site: trigger.siteId } : {}) }, `trigger:${trigger.id}:${key}`, ctx, {
      keyIdentifiesStart: !userKey,
    });
  }

  /** One run of a schedule trigger (the worker's `fireScheduledTrigger`); a deleted or disabled trigger starts nothing. */
  async fireScheduled(firing: ScheduledFiring): Promise<ScheduledFiringResult> {
    const trigger = await getTrigger(this.db, firing.triggerId);
    if (!trigger || trigger.type !== 'schedule') return { executionId: null, skipped: 'deleted' };
    if (!trigger.enabled) return { executionId: null, skipped: 'disabled' };
    const payload = { scheduledAt: firing.scheduledAt, triggerId: trigger.id };
    try {
      const started = await this.fire(trigger, payload, firing.firingId, { actor: `schedule:${trigger.id}` });
      return { executionId: started.id };
    } catch (err) {
      // The workflow was deleted: its triggers start nothing any more (and the worker removes the schedule).
      if (isWeftError(err) && err.code === 'WORKFLOW_NOT_FOUND') return { executionId: null, skipped: 'deleted' };
      throw err;
    }
  }

  /** Starts every enabled event trigger (made through the API) whose filter holds for the event, once per event and trigger. */
  async startForEvent(event: DeliveredEvent, ctx: AuditContext): Promise<string[]> {
    const started: string[] = [];
    for (const trigger of await enabledEventTriggers(this.db, event.name)) {
      const config = EventConfigSchema.parse(trigger.config);
      if (!filterHolds(config.filter, event)) continue;
      try {
        started.push((await this.fire(trigger, { event }, `event:${event.id}`, ctx)).id);
      } catch (err) {
        // As for the graph's triggers: a definition deleted or retired meanwhile is not triggered; a mapping that fails on this event skips it.
        if (isWeftError(err) && ['WORKFLOW_NOT_FOUND', 'NO_ACTIVE_VERSION', 'EXPRESSION_ERROR'].includes(err.code)) continue;
        throw err;
      }
    }
    return started;
  }
}
