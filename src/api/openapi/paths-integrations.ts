import { z } from 'zod';
import { CreateTriggerSchema, PatchTriggerSchema } from '../../domain/trigger-config';
import { WEBHOOK_HEADERS } from '../../domain/webhook-signature';
import { whatIfBody } from '../../services/what-if';
import * as analytics from '../routes/analytics';
import * as liveEvents from '../routes/live-events';
import * as triggers from '../routes/triggers';
import * as whatIf from '../routes/what-if';
import { anyObject, documentRoutes, listOf, objectWith } from './registry';

const V1 = '/api/v1';
const LEAD = ['technical_lead'];
const IDEMPOTENCY = { 'Idempotency-Key': { description: 'a repeat with the same key returns the same execution' } };
const trigger = objectWith({ id: z.string(), workflowId: z.string(), type: z.string(), enabled: z.boolean() });
const started = objectWith({ id: z.string(), status: z.string() });
const WEBHOOK_HEADERS_DOC = {
  [WEBHOOK_HEADERS.signature]: { description: 'sha256=<hex HMAC of "<timestamp>.<raw body>" under the trigger secret>', required: true },
  [WEBHOOK_HEADERS.timestamp]: { description: 'Unix seconds when the delivery was signed', required: true },
  [WEBHOOK_HEADERS.delivery]: { description: "the sender's delivery id: the same id twice starts one execution" },
};
const eventStream = {
  status: 200,
  description: 'Server-Sent Events (resumable with Last-Event-ID), with heartbeats',
  schema: z.string(),
  contentType: 'text/event-stream',
};

documentRoutes('Triggers', [
  {
    method: 'get',
    path: `${V1}/workflows/:id/triggers`,
    summary: "A workflow's triggers",
    roles: [],
    ok: { status: 200, description: 'the triggers', schema: listOf(trigger) },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/triggers`,
    summary: 'Create a manual, webhook, schedule or event trigger (a webhook secret is shown once)',
    roles: LEAD,
    body: CreateTriggerSchema,
    ok: { status: 201, description: 'created', schema: trigger },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/triggers/:triggerId`,
    summary: 'A trigger',
    roles: [],
    ok: { status: 200, description: 'the trigger', schema: trigger },
  },
  {
    method: 'patch',
    path: `${V1}/workflows/:id/triggers/:triggerId`,
    summary: 'Change a trigger (enable, pause a schedule, its mapping, site or config)',
    roles: LEAD,
    body: PatchTriggerSchema,
    ok: { status: 200, description: 'the trigger', schema: trigger },
  },
  {
    method: 'delete',
    path: `${V1}/workflows/:id/triggers/:triggerId`,
    summary: 'Delete a trigger (and its Temporal Schedule)',
    roles: LEAD,
    ok: { status: 204, description: 'deleted' },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/triggers/:triggerId/rotate-secret`,
    summary: "Rotate a webhook trigger's secret (shown once)",
    roles: LEAD,
    ok: { status: 200, description: 'the new secret', schema: objectWith({ id: z.string(), secret: z.string() }) },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/triggers/:triggerId/fire`,
    summary: 'Fire a trigger by hand',
    roles: ['operator'],
    body: triggers.fireBody,
    headers: IDEMPOTENCY,
    ok: { status: 202, description: 'started', schema: started },
  },
]);

documentRoutes('Webhooks', [
  {
    method: 'get',
    path: `${V1}/webhooks/:triggerId`,
    summary: 'How to call a webhook trigger (no token)',
    ok: { status: 200, description: 'its description', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/webhooks/:triggerId`,
    summary:
      'Start an execution from a signed delivery (HMAC SHA-256 over timestamp and raw body; no token); 429 RATE_LIMITED over the trigger’s webhookDeliveries budget',
    headers: WEBHOOK_HEADERS_DOC,
    ok: {
      status: 202,
      description: 'started (the same delivery id again answers the same execution)',
      schema: objectWith({ id: z.string(), status: z.string(), deliveryId: z.string() }),
    },
  },
]);

documentRoutes('What-if', [
  {
    method: 'post',
    path: `${V1}/workflows/:id/versions/:version/what-if`,
    summary: 'Run a version in simulation over recorded executions',
    roles: ['technical_lead', 'operator'],
    body: whatIfBody,
    ok: { status: 202, description: 'started', schema: objectWith({ id: z.string(), status: z.string() }) },
  },
  {
    method: 'get',
    path: `${V1}/what-if/:id`,
    summary: "A what-if's progress and report",
    roles: [],
    query: whatIf.reportQuery,
    ok: { status: 200, description: 'the report', schema: objectWith({ id: z.string(), status: z.string(), progress: anyObject, summary: anyObject }) },
  },
  {
    method: 'get',
    path: `${V1}/what-if/:id/executions/:executionId`,
    summary: 'One execution of a what-if, then and now side by side',
    roles: [],
    ok: { status: 200, description: 'the execution', schema: anyObject },
  },
]);

documentRoutes('Analytics', [
  {
    method: 'get',
    path: `${V1}/analytics/overview`,
    summary: 'Executions, durations and dashboard figures',
    roles: [],
    query: analytics.daysQuery,
    ok: { status: 200, description: 'the figures', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/analytics`,
    summary: "One workflow's figures with per-node percentiles",
    roles: [],
    query: analytics.workflowQuery,
    ok: { status: 200, description: 'the figures', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/error-stats`,
    summary: 'Errors by node and code',
    roles: [],
    query: analytics.daysQuery,
    ok: { status: 200, description: 'the figures', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/nodes/:nodeId/errors`,
    summary: "A node's recent errors",
    roles: [],
    query: analytics.nodeErrorsQuery,
    ok: { status: 200, description: 'the errors', schema: listOf(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/workflow-instances/:id/metrics`,
    summary: "An instance's figures and health",
    roles: [],
    ok: { status: 200, description: 'the figures', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/workflow-instances/:id/events`,
    summary: "An instance's live events",
    roles: [],
    query: liveEvents.streamQuery,
    ok: eventStream,
  },
  { method: 'get', path: `${V1}/workflows/:id/events`, summary: "A workflow's live events", roles: [], query: liveEvents.streamQuery, ok: eventStream },
]);

documentRoutes('Operations', [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (no token)',
    ok: { status: 200, description: 'Prometheus text', schema: z.string(), contentType: 'text/plain' },
  },
]);
