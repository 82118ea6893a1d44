/** Triggers as the API shows them and as the audit trail keeps them. */
import type { Trigger } from '../db/schema';
import { WEBHOOK_HEADERS } from '../domain/webhook-signature';
import type { ScheduleState } from './trigger-schedules';

/** A trigger as the API shows it (never its secret). */
export interface TriggerView {
  id: string;
  workflowId: string;
  type: Trigger['type'];
  name: string | null;
  enabled: boolean;
  inputMapping: string | null;
  site: string | null;
  config: Record<string, unknown>;
  /** `api`: made through `/triggers`; `definition`: an event trigger written in the active graph (read-only here). */
  source: 'api' | 'definition';
  createdBy: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** A webhook's URL and how to sign a delivery. */
  webhook?: WebhookDescription;
  /** A schedule's state in Temporal (null when its schedule is missing). */
  schedule?: ScheduleState | null;
}

/** How to call a webhook: `GET /webhooks/{id}` answers it too. */
export interface WebhookDescription {
  url: string;
  method: 'POST';
  enabled: boolean;
  signature: { algorithm: 'HMAC-SHA256'; signedContent: string; header: string; timestampHeader: string; deliveryHeader: string; format: string };
  toleranceSeconds: number;
  maxBodyBytes: number;
}

/** The webhook description of a trigger row (its config parsed already). */
export function webhookDescription(trigger: Trigger, config: { toleranceSeconds: number; maxBodyBytes: number }): WebhookDescription {
  return {
    url: `/api/v1/webhooks/${trigger.id}`,
    method: 'POST',
    enabled: trigger.enabled,
    signature: {
      algorithm: 'HMAC-SHA256',
      signedContent: '<timestamp>.<raw body>',
      header: WEBHOOK_HEADERS.signature,
      timestampHeader: WEBHOOK_HEADERS.timestamp,
      deliveryHeader: WEBHOOK_HEADERS.delivery,
      format: 'sha256=<hex digest>',
    },
    toleranceSeconds: config.toleranceSeconds,
    maxBodyBytes: config.maxBodyBytes,
  };
}

/** A stored trigger as the API shows it. */
export function triggerView(trigger: Trigger, extra: Pick<TriggerView, 'webhook' | 'schedule'> = {}): TriggerView {
  return {
    id: trigger.id,
    workflowId: trigger.definitionId,
    type: trigger.type,
    name: trigger.name,
    enabled: trigger.enabled,
    inputMapping: trigger.inputMapping,
    site: trigger.siteId,
    config: trigger.config,
    source: 'api',
    createdBy: trigger.createdBy,
    createdAt: trigger.createdAt.toISOString(),
    updatedAt: trigger.updatedAt.toISOString(),
    ...extra,
  };
}

/** An event trigger written in the definition's active graph. */
export function graphTriggerView(definitionId: string, t: { event: string; filter: string | null }): TriggerView {
  return {
    id: graphTriggerId(t.event),
    workflowId: definitionId,
    type: 'event',
    name: null,
    enabled: true,
    inputMapping: null,
    site: null,
    config: { event: t.event, ...(t.filter ? { filter: t.filter } : {}) },
    source: 'definition',
    createdBy: null,
    createdAt: null,
    updatedAt: null,
  };
}

/** The id under which the API lists an event trigger of the graph. */
export function graphTriggerId(event: string): string {
  return `definition:${event}`;
}

/** What the audit trail keeps of a trigger: everything but its secret. */
export function auditedTrigger(trigger: Trigger): Record<string, unknown> {
  return { type: trigger.type, name: trigger.name, enabled: trigger.enabled, inputMapping: trigger.inputMapping, site: trigger.siteId, config: trigger.config };
}
