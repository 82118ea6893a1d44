import { z } from 'zod';
import { createRolloutBody } from '../../services/rollout-config';
import * as audit from '../routes/audit';
import * as breakers from '../routes/circuit-breakers';
import * as connectors from '../routes/connectors';
import * as equipment from '../routes/equipment';
import * as events from '../routes/events';
import * as inventory from '../routes/inventory';
import * as recovery from '../routes/recovery';
import * as rollouts from '../routes/rollouts';
import { shortListQuery } from '../pagination';
import { anyObject, cursorPage, deprecatedTotal, documentRoutes, listOf, objectWith } from './registry';

const V1 = '/api/v1';
const LEAD = ['technical_lead'];
const rollout = objectWith({ id: z.string(), status: z.string() });
const ROLLOUT_ACTIONS: Array<[string, string[]]> = [
  ['start', LEAD],
  ['pause', ['technical_lead', 'operator']],
  ['resume', LEAD],
  ['promote', LEAD],
  ['abort', ['technical_lead', 'operator']],
  ['rollback', LEAD],
];

documentRoutes('Rollouts', [
  {
    method: 'post',
    path: `${V1}/rollouts`,
    summary: 'Create a rollout of a version onto sites',
    roles: LEAD,
    body: createRolloutBody,
    ok: { status: 201, description: 'created', schema: rollout },
  },
  {
    method: 'get',
    path: `${V1}/rollouts`,
    summary: 'List rollouts',
    roles: [],
    query: rollouts.listQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(rollout) },
  },
  {
    method: 'get',
    path: `${V1}/rollouts/:id`,
    summary: 'A rollout with its per-site state',
    roles: [],
    ok: { status: 200, description: 'the rollout', schema: rollout },
  },
  ...ROLLOUT_ACTIONS.map(([action, roles]) => ({
    method: 'post' as const,
    path: `${V1}/rollouts/:id/${action}`,
    summary: `Rollout action: ${action}`,
    roles,
    body: rollouts.actionBody,
    ok: { status: 200, description: 'accepted', schema: anyObject },
  })),
  {
    method: 'post',
    path: `${V1}/rollouts/:id/retry`,
    summary: 'Deploy failed sites again',
    roles: LEAD,
    body: rollouts.retryBody,
    ok: { status: 200, description: 'accepted', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/rollouts/:id/recovery-points`,
    summary: 'Record a recovery point',
    roles: LEAD,
    body: recovery.pointBody,
    ok: { status: 201, description: 'recorded', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/rollouts/:id/recovery-points`,
    summary: "A rollout's recovery points",
    roles: [],
    query: recovery.listQuery,
    ok: { status: 200, description: 'points', schema: listOf(anyObject) },
  },
  {
    method: 'post',
    path: `${V1}/rollback-plans`,
    summary: 'Plan a rollback',
    roles: LEAD,
    body: recovery.planBody,
    ok: { status: 201, description: 'the plan', schema: anyObject },
  },
  { method: 'get', path: `${V1}/rollback-plans/:id`, summary: 'A rollback plan', roles: [], ok: { status: 200, description: 'the plan', schema: anyObject } },
  {
    method: 'post',
    path: `${V1}/rollback-plans/:id/execute`,
    summary: 'Execute a rollback plan',
    roles: LEAD,
    ok: { status: 202, description: 'executing', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/rollback-executions/:id`,
    summary: 'A rollback execution',
    roles: [],
    ok: { status: 200, description: 'the execution', schema: anyObject },
  },
  { method: 'get', path: `${V1}/recovery/stats`, summary: 'Recovery statistics', roles: [], ok: { status: 200, description: 'statistics', schema: anyObject } },
]);

documentRoutes('Integrations', [
  {
    method: 'get',
    path: `${V1}/circuit-breakers`,
    summary: 'Circuit breakers of outbound services',
    roles: [],
    query: shortListQuery,
    ok: { status: 200, description: 'a page of breakers', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/circuit-breakers/:serviceId`,
    summary: 'A circuit breaker',
    roles: [],
    ok: { status: 200, description: 'the breaker', schema: anyObject },
  },
  {
    method: 'put',
    path: `${V1}/circuit-breakers/:serviceId/config`,
    summary: "Set a breaker's thresholds",
    roles: LEAD,
    body: breakers.configBody,
    ok: { status: 200, description: 'set', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/circuit-breakers/:serviceId/reset`,
    summary: 'Close a breaker',
    roles: ['operator'],
    ok: { status: 200, description: 'reset', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/connectors`,
    summary: 'Create a connector',
    roles: LEAD,
    body: connectors.createBody,
    ok: { status: 201, description: 'created', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/connectors`,
    summary: 'List connectors',
    roles: [],
    query: shortListQuery,
    ok: { status: 200, description: 'a page of connectors', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/connectors/:id`,
    summary: 'A connector (secrets never shown)',
    roles: [],
    ok: { status: 200, description: 'the connector', schema: anyObject },
  },
  {
    method: 'put',
    path: `${V1}/connectors/:id`,
    summary: 'Update a connector',
    roles: LEAD,
    body: connectors.updateBody,
    ok: { status: 200, description: 'updated', schema: anyObject },
  },
  { method: 'delete', path: `${V1}/connectors/:id`, summary: 'Delete a connector', roles: LEAD, ok: { status: 204, description: 'deleted' } },
  {
    method: 'post',
    path: `${V1}/connectors/:id/test`,
    summary: 'Test a connection',
    roles: LEAD,
    ok: { status: 200, description: 'the outcome', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/connectors/:id/operations`,
    summary: "A connector's operations",
    roles: [],
    ok: { status: 200, description: 'operations', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/events`,
    summary: 'Publish an event to waiting instances',
    roles: ['operator'],
    body: events.publishBody,
    headers: { 'Idempotency-Key': { description: 'a repeat answers the stored event' } },
    ok: { status: 202, description: 'delivered', schema: objectWith({ id: z.string(), delivered: z.number(), started: z.array(z.unknown()) }) },
  },
  {
    method: 'get',
    path: `${V1}/events`,
    summary: 'List events',
    roles: [],
    query: events.listQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(anyObject, deprecatedTotal) },
  },
  {
    method: 'post',
    path: `${V1}/inventory/receipts`,
    summary: 'Receive material into a lot',
    roles: ['operator'],
    body: inventory.receiptBody,
    headers: { 'Idempotency-Key': { description: 'a repeat answers the first receipt (200)' } },
    ok: { status: 201, description: 'received', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/inventory`,
    summary: 'Lots on hand',
    roles: [],
    query: inventory.listQuery,
    ok: { status: 200, description: 'a page of lots', schema: cursorPage(anyObject) },
  },
  {
    method: 'post',
    path: `${V1}/equipment`,
    summary: 'Register equipment',
    roles: ['technical_lead', 'operator'],
    body: equipment.createEquipmentBody,
    ok: { status: 201, description: 'created', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/equipment`,
    summary: 'List equipment',
    roles: [],
    query: shortListQuery,
    ok: { status: 200, description: 'a page of equipment', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/equipment/:id`,
    summary: 'A piece of equipment',
    roles: [],
    ok: { status: 200, description: 'the equipment', schema: anyObject },
  },
]);

const AUDITOR = ['auditor'];
documentRoutes('Audit', [
  {
    method: 'get',
    path: `${V1}/audit`,
    summary: 'Audit entries',
    roles: AUDITOR,
    query: audit.listQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/audit/verify`,
    summary: 'Verify the hash chain',
    roles: AUDITOR,
    ok: { status: 200, description: 'the verification', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/audit/export`,
    summary: 'Export audit entries (CSV or JSON lines)',
    roles: AUDITOR,
    query: audit.exportQuery,
    ok: { status: 200, description: 'the export', schema: z.string(), contentType: 'text/csv' },
  },
  {
    method: 'get',
    path: `${V1}/audit/workflows/:id/summary`,
    summary: "A workflow's audit summary",
    roles: AUDITOR,
    query: audit.daysQuery(30),
    ok: { status: 200, description: 'summary', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/audit/users/:id/activity`,
    summary: "A user's activity",
    roles: AUDITOR,
    query: audit.daysQuery(7),
    ok: { status: 200, description: 'activity', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/audit/system/stats`,
    summary: 'System statistics',
    roles: AUDITOR,
    query: audit.daysQuery(30),
    ok: { status: 200, description: 'statistics', schema: anyObject },
  },
]);

const health = z.object({ status: z.literal('ok') });
const ready = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.string()) });
documentRoutes('Service', [
  ...['', '/api/v1'].flatMap((prefix) => [
    { method: 'get' as const, path: `${prefix}/health`, summary: 'The process is alive (no auth)', ok: { status: 200, description: 'alive', schema: health } },
    {
      method: 'get' as const,
      path: `${prefix}/ready`,
      summary: 'The database and Temporal answer (no auth); 503 with Retry-After when not',
      ok: { status: 200, description: 'ready', schema: ready },
    },
  ]),
  { method: 'get', path: `${V1}/openapi.json`, summary: 'This document (no auth)', ok: { status: 200, description: 'OpenAPI 3.1', schema: anyObject } },
  {
    method: 'get',
    path: '/docs',
    summary: 'The interactive API reference (no auth)',
    ok: { status: 200, description: 'an HTML page', schema: z.string(), contentType: 'text/html' },
  },
  {
    method: 'get',
    path: '/',
    summary: 'The web console (no auth for the page: it signs in with an API token and reads this API)',
    ok: { status: 200, description: 'an HTML page', schema: z.string(), contentType: 'text/html' },
  },
  {
    method: 'get',
    path: '/console/app.js',
    summary: "The web console's script (bundled from console/src at first request, again when a source changes)",
    ok: { status: 200, description: 'JavaScript', schema: z.string(), contentType: 'application/javascript' },
  },
  {
    method: 'get',
    path: '/console/app.css',
    summary: "The web console's styles",
    ok: { status: 200, description: 'CSS', schema: z.string(), contentType: 'text/css' },
  },
]);
