import { Router, type Request } from 'express';
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../../db/schema';
import type { ApprovalPolicyService } from '../../services/approval-policies';
import type { ApprovalService } from '../../services/approvals';
import type { DecisionAction } from '../../shared/approvals';
import { principalOf, requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { legacyOffset, listPage, pageOf, pageParams, withNextLink } from '../pagination';
import type { ListOrder } from '../../domain/pages';

const policyId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits and ._- (1–128)');

export const createPolicyBody = z.strictObject({
  id: policyId.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  requestType: z.string().min(1).max(100).optional(),
  // Checked by the chain schema, with paths under /chain.
  chain: z.unknown(),
  enabled: z.boolean().optional(),
  priority: z.number().int().optional(),
});

export const updatePolicyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).nullable().optional(),
    requestType: z.string().min(1).max(100).nullable().optional(),
    chain: z.unknown().optional(),
    enabled: z.boolean().optional(),
    priority: z.number().int().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field');

export const createRequestBody = z
  .strictObject({
    type: z.string().min(1).max(100),
    title: z.string().trim().min(1).max(500),
    description: z.string().max(5000).optional(),
    data: z.unknown().optional(),
    policyId: policyId.optional(),
    chain: z.unknown().optional(),
  })
  .refine((b) => b.policyId === undefined || b.chain === undefined, 'give policyId or chain, not both');

export const policiesQuery = z.strictObject({ requestType: z.string().min(1).optional(), ...pageParams(500, 100) });
export const listQuery = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  type: z.string().min(1).optional(),
  ...pageParams(500, 50),
  ...legacyOffset,
});
/** The approvals of one instance or one person: short lists, read whole and paged here. */
export const approvalsQuery = z.strictObject(pageParams(500, 100));

const POLICY_ORDER: ListOrder<{ id: string }> = { list: 'approval-policies', key: (p) => [p.id], shape: ['string'] };
/** Oldest first: the order an instance (or an inbox) met its requests in. */
const REQUEST_ORDER: ListOrder<{ id: string; requestedAt: string }> = {
  list: 'approvals',
  key: (r) => [r.requestedAt, r.id],
  shape: ['string', 'string'],
};

export const decisionBody = z.strictObject({
  comments: z.string().max(5000).optional(),
  stepId: z.string().min(1).optional(),
  nodeId: z.string().min(1).optional(),
  delegateTo: z.string().min(1).optional(),
});

export const cancelBody = z.strictObject({ reason: z.string().max(2000).optional() });
export const resubmitBody = z.strictObject({ data: z.unknown().optional(), comments: z.string().max(5000).optional() });

/** URL verb → decision action. */
const ACTIONS: Record<string, DecisionAction> = {
  approve: 'approve',
  reject: 'reject',
  'request-changes': 'request_changes',
  delegate: 'delegate',
};

function decision(req: Request) {
  return parseRequest(decisionBody, req.body ?? {}, 'body');
}

/**
 * Approvals: `/approval-policies`, `/approval-requests` (+ decisions), the decisions on a graph
 * instance's APPROVAL node, the inbox (`/me/approvals`, `/users/{id}/approvals`) and stats. The
 * deciding user is always the token's subject.
 */
export function approvalsRouter(deps: { approvals: ApprovalService; policies: ApprovalPolicyService }): Router {
  const { approvals, policies } = deps;
  const router = Router();

  router.post('/approval-policies', requireRole('manager'), async (req, res) => {
    const body = parseRequest(createPolicyBody, req.body ?? {}, 'body');
    const created = await policies.createPolicy(body, auditContext(req));
    res
      .status(201)
      .location(`/api/v1/approval-policies/${encodeURIComponent(created.id)}`)
      .json(created);
  });
  router.get('/approval-policies', async (req, res) => {
    const { requestType, ...page } = parseRequest(policiesQuery, req.query, 'query');
    res.json(listPage(req, await policies.listPolicies(requestType !== undefined ? { requestType } : {}), POLICY_ORDER, page));
  });
  router.get('/approval-policies/:id', async (req, res) => {
    res.json(await policies.getPolicy(param(req, 'id')));
  });
  router.put('/approval-policies/:id', requireRole('manager'), async (req, res) => {
    const body = parseRequest(updatePolicyBody, req.body ?? {}, 'body');
    res.json(await policies.updatePolicy(param(req, 'id'), body, auditContext(req)));
  });
  router.delete('/approval-policies/:id', requireRole('manager'), async (req, res) => {
    await policies.deletePolicy(param(req, 'id'), auditContext(req));
    res.status(204).end();
  });

  router.post('/approval-requests', async (req, res) => {
    const body = parseRequest(createRequestBody, req.body ?? {}, 'body');
    const created = await approvals.createRequest(body, auditContext(req));
    res
      .status(201)
      .location(`/api/v1/approval-requests/${encodeURIComponent(created.id)}`)
      .json(created);
  });
  router.get('/approval-requests', async (req, res) => {
    const q = parseRequest(listQuery, req.query, 'query');
    res.json(withNextLink(req, await approvals.listRequests({ ...pageOf(q), ...(q.status ? { status: q.status } : {}), ...(q.type ? { type: q.type } : {}) })));
  });
  router.get('/approval-requests/:id', async (req, res) => {
    res.json(await approvals.getRequest(param(req, 'id')));
  });
  router.post('/approval-requests/:id/cancel', async (req, res) => {
    const body = parseRequest(cancelBody, req.body ?? {}, 'body');
    res.json(await approvals.cancel(param(req, 'id'), principalOf(req), body.reason, auditContext(req)));
  });
  router.post('/approval-requests/:id/resubmit', async (req, res) => {
    const body = parseRequest(resubmitBody, req.body ?? {}, 'body');
    res.json(await approvals.resubmit(param(req, 'id'), principalOf(req), body, auditContext(req)));
  });
  for (const [verb, action] of Object.entries(ACTIONS)) {
    router.post(`/approval-requests/:id/${verb}`, async (req, res) => {
      res.json(await approvals.decide(param(req, 'id'), principalOf(req), action, decision(req), auditContext(req)));
    });
    router.post(`/workflow-instances/:id/${verb}`, async (req, res) => {
      res.json(await approvals.decideForInstance(param(req, 'id'), principalOf(req), action, decision(req), auditContext(req)));
    });
  }

  router.get('/workflow-instances/:id/approvals', async (req, res) => {
    const page = parseRequest(approvalsQuery, req.query, 'query');
    res.json(listPage(req, (await approvals.forInstance(param(req, 'id'))).items, REQUEST_ORDER, page));
  });
  router.get('/me/approvals', async (req, res) => {
    const page = parseRequest(approvalsQuery, req.query, 'query');
    const inbox = await approvals.inbox(principalOf(req).sub);
    res.json({ ...listPage(req, inbox.items, REQUEST_ORDER, page), total: inbox.total });
  });
  router.get('/users/:id/approvals', async (req, res) => {
    const page = parseRequest(approvalsQuery, req.query, 'query');
    const inbox = await approvals.inboxOf(param(req, 'id'), principalOf(req));
    res.json({ ...listPage(req, inbox.items, REQUEST_ORDER, page), total: inbox.total });
  });
  router.get('/approvals/stats', async (_req, res) => {
    res.json(await approvals.stats());
  });

  return router;
}
