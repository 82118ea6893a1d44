import { z } from 'zod';
import * as approvals from '../routes/approvals';
import * as directory from '../routes/directory-schemas';
import { shortListQuery } from '../pagination';
import { anyObject, cursorPage, deprecatedTotal, documentRoutes, objectWith } from './registry';

const V1 = '/api/v1';
const request = objectWith({ id: z.string(), status: z.string() });
const user = objectWith({ id: z.string(), roles: z.array(z.string()) });
const group = objectWith({ id: z.string() });
const DECISIONS = ['approve', 'reject', 'request-changes', 'delegate'];

documentRoutes('Approvals', [
  {
    method: 'post',
    path: `${V1}/approval-policies`,
    summary: 'Create an approval policy',
    roles: ['manager'],
    body: approvals.createPolicyBody,
    ok: { status: 201, description: 'created', schema: anyObject },
  },
  {
    method: 'get',
    path: `${V1}/approval-policies`,
    summary: 'List approval policies',
    roles: [],
    query: approvals.policiesQuery,
    ok: { status: 200, description: 'a page of policies', schema: cursorPage(anyObject) },
  },
  {
    method: 'get',
    path: `${V1}/approval-policies/:id`,
    summary: 'An approval policy',
    roles: [],
    ok: { status: 200, description: 'the policy', schema: anyObject },
  },
  {
    method: 'put',
    path: `${V1}/approval-policies/:id`,
    summary: 'Update an approval policy',
    roles: ['manager'],
    body: approvals.updatePolicyBody,
    ok: { status: 200, description: 'updated', schema: anyObject },
  },
  {
    method: 'delete',
    path: `${V1}/approval-policies/:id`,
    summary: 'Delete an approval policy',
    roles: ['manager'],
    ok: { status: 204, description: 'deleted' },
  },
  {
    method: 'post',
    path: `${V1}/approval-requests`,
    summary: 'Ask for an approval',
    roles: [],
    body: approvals.createRequestBody,
    ok: { status: 201, description: 'created', schema: request },
  },
  {
    method: 'get',
    path: `${V1}/approval-requests`,
    summary: 'List approval requests',
    roles: [],
    query: approvals.listQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(request, deprecatedTotal) },
  },
  {
    method: 'get',
    path: `${V1}/approval-requests/:id`,
    summary: 'An approval request with its chain and decisions',
    roles: [],
    ok: { status: 200, description: 'the request', schema: request },
  },
  {
    method: 'post',
    path: `${V1}/approval-requests/:id/cancel`,
    summary: 'Cancel a request (its requester)',
    roles: [],
    body: approvals.cancelBody,
    ok: { status: 200, description: 'cancelled', schema: request },
  },
  {
    method: 'post',
    path: `${V1}/approval-requests/:id/resubmit`,
    summary: 'Resubmit after changes were asked',
    roles: [],
    body: approvals.resubmitBody,
    ok: { status: 200, description: 'resubmitted', schema: request },
  },
  ...DECISIONS.flatMap((verb) => [
    {
      method: 'post' as const,
      path: `${V1}/approval-requests/:id/${verb}`,
      summary: `Decide: ${verb}`,
      roles: [],
      body: approvals.decisionBody,
      ok: { status: 200, description: 'decided', schema: request },
    },
    {
      method: 'post' as const,
      path: `${V1}/workflow-instances/:id/${verb}`,
      summary: `Decide the instance's waiting APPROVAL node: ${verb}`,
      roles: [],
      body: approvals.decisionBody,
      ok: { status: 200, description: 'decided', schema: request },
    },
  ]),
  {
    method: 'get',
    path: `${V1}/workflow-instances/:id/approvals`,
    summary: "An instance's approval requests",
    roles: [],
    query: approvals.approvalsQuery,
    ok: { status: 200, description: 'a page of requests, oldest first', schema: cursorPage(request) },
  },
  {
    method: 'get',
    path: `${V1}/me/approvals`,
    summary: 'My inbox: requests waiting for me',
    roles: [],
    ok: { status: 200, description: 'requests', schema: cursorPage(request, deprecatedTotal) },
  },
  {
    method: 'get',
    path: `${V1}/users/:id/approvals`,
    summary: "A user's inbox",
    roles: [],
    ok: { status: 200, description: 'requests', schema: cursorPage(request, deprecatedTotal) },
  },
  {
    method: 'get',
    path: `${V1}/approvals/stats`,
    summary: 'Approval statistics',
    roles: [],
    ok: { status: 200, description: 'statistics', schema: anyObject },
  },
]);

documentRoutes('Directory', [
  {
    method: 'get',
    path: `${V1}/me`,
    summary: "The caller's directory entry (404 USER_NOT_FOUND when the token's subject is not in the directory)",
    roles: [],
    ok: { status: 200, description: 'the user', schema: user },
  },
  {
    method: 'post',
    path: `${V1}/users`,
    summary: 'Create a user',
    roles: ['admin'],
    body: directory.createUserBody,
    ok: { status: 201, description: 'created', schema: user },
  },
  {
    method: 'get',
    path: `${V1}/users`,
    summary: 'List users',
    roles: [],
    query: directory.listUsersQuery,
    ok: { status: 200, description: 'a page', schema: cursorPage(user, deprecatedTotal) },
  },
  { method: 'get', path: `${V1}/users/:id`, summary: 'A user', roles: [], ok: { status: 200, description: 'the user', schema: user } },
  {
    method: 'put',
    path: `${V1}/users/:id`,
    summary: 'Update a user',
    roles: ['admin'],
    body: directory.updateUserBody,
    ok: { status: 200, description: 'updated', schema: user },
  },
  {
    method: 'delete',
    path: `${V1}/users/:id`,
    summary: 'Deactivate a user',
    roles: ['admin'],
    ok: { status: 200, description: 'deactivated', schema: anyObject },
  },
  {
    method: 'put',
    path: `${V1}/users/:id/out-of-office`,
    summary: 'Set out of office with a delegate',
    roles: [],
    body: directory.outOfOfficeBody,
    ok: { status: 200, description: 'set', schema: user },
  },
  { method: 'delete', path: `${V1}/users/:id/out-of-office`, summary: 'End out of office', roles: [], ok: { status: 200, description: 'ended', schema: user } },
  {
    method: 'post',
    path: `${V1}/groups`,
    summary: 'Create a group',
    roles: ['admin'],
    body: directory.createGroupBody,
    ok: { status: 201, description: 'created', schema: group },
  },
  {
    method: 'get',
    path: `${V1}/groups`,
    summary: 'List groups',
    roles: [],
    query: shortListQuery,
    ok: { status: 200, description: 'a page of groups', schema: cursorPage(group) },
  },
  { method: 'get', path: `${V1}/groups/:id`, summary: 'A group', roles: [], ok: { status: 200, description: 'the group', schema: group } },
  {
    method: 'put',
    path: `${V1}/groups/:id/members`,
    summary: "Replace a group's members",
    roles: ['admin'],
    body: directory.membersBody,
    ok: { status: 200, description: 'updated', schema: group },
  },
  { method: 'delete', path: `${V1}/groups/:id`, summary: 'Delete a group', roles: ['admin'], ok: { status: 204, description: 'deleted' } },
]);
