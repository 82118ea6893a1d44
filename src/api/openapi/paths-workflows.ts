import { z } from 'zod';
import { WorkflowDefinitionSchema } from '../../graph/schema';
import * as instances from '../routes/instances';
import * as versions from '../routes/versions';
import * as workflows from '../routes/workflows';
import { shortListQuery } from '../pagination';
import { anyObject, cursorPage, deprecatedTotal, documentRoutes, named, objectWith } from './registry';

const V1 = '/api/v1';
const IDEMPOTENCY = {
  'Idempotency-Key': { description: 'repeats with the same key and body answer the first result; another body answers 422 IDEMPOTENCY_KEY_REUSED' },
};
const IF_MATCH = { 'If-Match': { description: 'the ETag of GET /workflows/{id}; a mismatch answers 412 PRECONDITION_FAILED' } };

/** A definition as GET /workflows/{id} answers it. */
export const definitionView = objectWith({
  id: z.string(),
  name: z.string(),
  latestVersion: z.string(),
  activeVersion: z.string().nullable(),
  graph: anyObject,
});
const definitionSummary = objectWith({ id: z.string(), name: z.string(), activeVersion: z.string().nullable() });
const graph = named('WorkflowGraph', WorkflowDefinitionSchema);
const definitionBody = named('WorkflowDefinitionBody', z.intersection(graph, workflows.versionMeta));
const started = z.object({ id: z.string(), status: z.string() });
const instanceView = objectWith({ id: z.string(), status: z.string() });
const version = objectWith({ version: z.string(), status: z.string() });
const transition = z.union([version, objectWith({ status: z.literal('pending_approval'), approvalRequestId: z.string() })]);

documentRoutes('Workflows', [
  {
    method: 'post',
    path: `${V1}/workflows`,
    summary: 'Create a workflow from a graph',
    roles: ['technical_lead'],
    body: definitionBody,
    ok: { status: 201, description: 'created', schema: definitionView },
  },
  {
    method: 'get',
    path: `${V1}/workflows`,
    summary: 'List workflows',
    roles: [],
    query: workflows.pageQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(definitionSummary, deprecatedTotal) },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id`,
    summary: 'A workflow with its latest graph (ETag header)',
    roles: [],
    ok: { status: 200, description: 'the workflow', schema: definitionView },
  },
  {
    method: 'put',
    path: `${V1}/workflows/:id`,
    summary: 'Store a new draft version of the graph',
    roles: ['technical_lead'],
    body: definitionBody,
    headers: IF_MATCH,
    ok: { status: 200, description: 'the workflow (new ETag)', schema: definitionView },
  },
  { method: 'delete', path: `${V1}/workflows/:id`, summary: 'Delete a workflow', roles: ['technical_lead'], ok: { status: 204, description: 'deleted' } },
  {
    method: 'post',
    path: `${V1}/workflows/:id/validate`,
    summary: 'Validate the stored graph, or the graph in the body',
    roles: [],
    body: graph.optional(),
    ok: { status: 200, description: 'validation result', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/instances`,
    summary: 'Start an instance',
    roles: ['operator'],
    body: workflows.startBody,
    headers: IDEMPOTENCY,
    ok: { status: 202, description: 'started (Idempotent-Replayed: true on a repeat)', schema: started },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/simulate`,
    summary: 'Simulate a run with stubbed outputs',
    roles: ['technical_lead', 'operator'],
    body: workflows.simulateBody,
    ok: { status: 200, description: 'the simulated trace', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/instances`,
    summary: "List a workflow's instances",
    roles: [],
    query: workflows.instanceQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(instanceView, deprecatedTotal) },
  },
]);

documentRoutes('Versions', [
  {
    method: 'post',
    path: `${V1}/workflows/import`,
    summary: 'Import an exported version',
    roles: ['technical_lead'],
    query: versions.importQuery,
    body: anyObject,
    ok: { status: 201, description: 'imported', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/publish`,
    summary: 'Publish the latest (or named) version',
    roles: ['technical_lead'],
    body: versions.publishBody,
    ok: { status: 200, description: 'published; 202 when an approval is needed', schema: transition },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/versions`,
    summary: 'List versions',
    roles: [],
    query: shortListQuery,
    ok: { status: 200, description: 'a page, highest version first', schema: cursorPage(version) },
  },
  {
    method: 'post',
    path: `${V1}/workflows/:id/versions`,
    summary: 'Add a draft version',
    roles: ['technical_lead'],
    body: versions.draftBody,
    ok: { status: 201, description: 'created', schema: version },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/versions/compare`,
    summary: 'Compare two versions',
    roles: [],
    query: versions.compareQuery,
    ok: { status: 200, description: 'the differences', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/versions/:version`,
    summary: 'A version',
    roles: [],
    ok: { status: 200, description: 'the version', schema: version },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/versions/:version/export`,
    summary: 'Export a version (canonical JSON)',
    roles: [],
    ok: { status: 200, description: 'the export document', schema: anyObject },
  },
  ...['publish', 'activate', 'deprecate', 'archive'].map((verb) => ({
    method: 'post' as const,
    path: `${V1}/workflows/:id/versions/:version/${verb}`,
    summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a version`,
    roles: ['technical_lead'],
    body: versions.reasonBody,
    ok: { status: 200, description: 'moved; 202 when an approval is needed', schema: transition },
  })),
  {
    method: 'post',
    path: `${V1}/workflows/:id/versions/:version/rollback`,
    summary: 'Roll back to a version (new draft from it)',
    roles: ['technical_lead'],
    body: versions.rollbackBody,
    ok: { status: 201, description: 'created', schema: version },
  },
  {
    method: 'get',
    path: `${V1}/workflows/:id/promotions`,
    summary: 'Promotion history',
    roles: [],
    query: versions.promotionsQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(anyObject, deprecatedTotal) },
  },
]);

const action = (verb: string, summary: string, body: z.ZodType, roles: string[]) => ({
  method: 'post' as const,
  path: `${V1}/workflow-instances/:id/${verb}`,
  summary,
  roles,
  body,
  ok: { status: 200, description: 'done', schema: anyObject },
});

documentRoutes('Instances', [
  {
    method: 'get',
    path: `${V1}/workflow-instances`,
    summary: 'List instances (status=failed: dead letters)',
    roles: [],
    query: instances.listQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(instanceView, deprecatedTotal) },
  },
  {
    method: 'get',
    path: `${V1}/workflow-instances/:id`,
    summary: 'An instance',
    roles: [],
    ok: { status: 200, description: 'the instance', schema: instanceView },
  },
  {
    method: 'get',
    path: `${V1}/workflow-instances/:id/history`,
    summary: 'Node-by-node history',
    roles: [],
    ok: { status: 200, description: 'history', schema: objectWith({ id: z.string(), status: z.string(), nodes: z.array(anyObject) }) },
  },
  {
    method: 'get',
    path: `${V1}/workflow-instances/:id/timeline`,
    summary: 'Timeline of events',
    roles: [],
    ok: { status: 200, description: 'timeline', schema: anyObject },
  },
  {
    method: 'delete',
    path: `${V1}/workflow-instances/:id`,
    summary: 'Cancel an instance',
    roles: ['operator'],
    ok: { status: 202, description: 'cancelling', schema: anyObject },
  },
  action('suspend', 'Suspend an instance', instances.suspendBody, ['operator']),
  {
    method: 'post',
    path: `${V1}/workflow-instances/:id/resume`,
    summary: 'Resume a suspended instance',
    roles: ['operator'],
    ok: { status: 200, description: 'resumed', schema: anyObject },
  },
  action('advance', 'Fire a state-machine trigger', instances.advanceBody, ['operator']),
  {
    method: 'put',
    path: `${V1}/workflow-instances/:id`,
    summary: "Update a running instance's variables",
    roles: ['operator'],
    body: instances.updateBody,
    ok: { status: 200, description: 'updated', schema: objectWith({ variables: anyObject }) },
  },
  action('migrate', 'Migrate to another version', instances.migrateBody, ['technical_lead']),
  {
    method: 'post',
    path: `${V1}/workflow-instances/:id/retry`,
    summary: 'Retry from the failed node or the start',
    roles: ['operator'],
    body: instances.retryBody,
    ok: { status: 202, description: 'a new instance', schema: anyObject },
  },
]);
