import { z } from 'zod';
import * as config from '../routes/config';
import * as configHttp from '../routes/config-http';
import * as siteHealth from '../routes/site-health';
import * as sites from '../routes/sites';
import { anyObject, cursorPage, documentRoutes, listOf, objectWith, type RouteDoc } from './registry';

const V1 = '/api/v1';
const LEAD = ['technical_lead'];
const site = objectWith({ id: z.string(), name: z.string(), region: z.string(), environment: z.string(), isActive: z.boolean() });
const value = objectWith({ key: z.string(), etag: z.string() });
const IF_MATCH = { 'If-Match': { description: 'the ETag of the value; a mismatch answers 412 PRECONDITION_FAILED' } };
const pendingOrValue = z.union([value, objectWith({ approvalRequestId: z.string() })]);

/** GET/PUT/DELETE of one configuration value at `path`. */
function valueRoutes(path: string, where: string): Array<Omit<RouteDoc, 'tag'>> {
  return [
    { method: 'get', path, summary: `A configuration value ${where} (ETag header)`, roles: [], ok: { status: 200, description: 'the value', schema: value } },
    {
      method: 'put',
      path,
      summary: `Set a configuration value ${where}`,
      roles: LEAD,
      body: configHttp.valueBody,
      headers: IF_MATCH,
      ok: { status: 200, description: 'set (202 when it waits for an approval)', schema: pendingOrValue },
    },
    {
      method: 'delete',
      path,
      summary: `Remove a configuration value ${where}`,
      roles: LEAD,
      query: configHttp.removeBody,
      headers: IF_MATCH,
      ok: { status: 204, description: 'removed (202 when it waits for an approval)' },
    },
  ];
}

documentRoutes('Sites', [
  {
    method: 'post',
    path: `${V1}/sites`,
    summary: 'Create a site',
    roles: LEAD,
    body: sites.createBody,
    ok: { status: 201, description: 'created', schema: site },
  },
  {
    method: 'get',
    path: `${V1}/sites`,
    summary: 'List sites',
    roles: [],
    query: sites.listQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(site) },
  },
  { method: 'get', path: `${V1}/sites/:id`, summary: 'A site', roles: [], ok: { status: 200, description: 'the site', schema: site } },
  {
    method: 'patch',
    path: `${V1}/sites/:id`,
    summary: 'Change a site',
    roles: LEAD,
    body: sites.patchBody,
    ok: { status: 200, description: 'changed', schema: site },
  },
  {
    method: 'post',
    path: `${V1}/sites/:id/deactivate`,
    summary: 'Deactivate a site',
    roles: LEAD,
    body: sites.activeBody,
    ok: { status: 200, description: 'deactivated', schema: site },
  },
  {
    method: 'post',
    path: `${V1}/sites/:id/activate`,
    summary: 'Activate a site',
    roles: LEAD,
    body: sites.activeBody,
    ok: { status: 200, description: 'activated', schema: site },
  },
  {
    method: 'get',
    path: `${V1}/sites/:id/config`,
    summary: "A site's effective configuration with provenance",
    roles: [],
    ok: { status: 200, description: 'effective configuration', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/sites/:id/config/validate`,
    summary: "Check a site's configuration is complete",
    roles: [],
    ok: { status: 200, description: 'the check', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/sites/:id/config/clone`,
    summary: "Copy another site's values",
    roles: LEAD,
    body: sites.cloneBody,
    ok: { status: 200, description: 'copied (202 when it waits for an approval)', schema: anyObject },
  },
  ...valueRoutes(`${V1}/sites/:id/config/:key`, 'of a site'),
  {
    method: 'get',
    path: `${V1}/sites/:id/health-checks/config`,
    summary: "A site's health-check configuration",
    roles: [],
    ok: { status: 200, description: 'the configuration', schema: anyObject },
  },
  {
    method: 'put',
    path: `${V1}/sites/:id/health-checks/config`,
    summary: "Set a site's health-check configuration",
    roles: LEAD,
    body: siteHealth.checksBody,
    ok: { status: 200, description: 'set', schema: anyObject },
  },
  {
    method: 'post',
    path: `${V1}/sites/:id/health-checks`,
    summary: 'Run the health checks of a site',
    roles: ['technical_lead', 'operator'],
    body: siteHealth.runBody,
    ok: { status: 201, description: 'the result', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/sites/:id/health-checks`,
    summary: 'Past health-check results',
    roles: [],
    query: siteHealth.historyQuery,
    ok: { status: 200, description: 'results', schema: listOf(anyObject) },
  },
]);

documentRoutes('Configuration', [
  {
    method: 'post',
    path: `${V1}/config/parameters`,
    summary: 'Declare a configuration parameter',
    roles: LEAD,
    body: config.createBody,
    ok: { status: 201, description: 'created', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/config/parameters`,
    summary: 'List parameters',
    roles: [],
    query: config.parametersQuery,
    ok: { status: 200, description: 'a page of parameters', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/config/parameters/:key`,
    summary: 'A parameter',
    roles: [],
    ok: { status: 200, description: 'the parameter', schema: anyObject },
  },
  {
    method: 'patch',
    path: `${V1}/config/parameters/:key`,
    summary: 'Change a parameter',
    roles: LEAD,
    body: config.patchBody,
    ok: { status: 200, description: 'changed', schema: anyObject },
  },
  { method: 'delete', path: `${V1}/config/parameters/:key`, summary: 'Delete a parameter', roles: LEAD, ok: { status: 204, description: 'deleted' } },
  ...valueRoutes(`${V1}/config/global/:key`, 'for every site'),
  ...valueRoutes(`${V1}/config/regions/:region/:key`, 'of a region'),
  {
    method: 'get',
    path: `${V1}/config/history`,
    summary: 'Configuration change history',
    roles: [],
    query: config.historyQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/config/changes/:id`,
    summary: 'A configuration change',
    roles: [],
    ok: { status: 200, description: 'the change', schema: anyObject },
  },
]);
