/** Approval policies, requests and decisions. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz, sqlList } from './columns';

/**
 * A named approval chain: ordered steps with approvers, quorum, escalation and SLA (the chain
 * document is validated by the approvals module before it is stored). `requestType` makes it
 * the policy for approval requests of that type (the enabled one of highest priority wins).
 */
export const approvalPolicies = pgTable(
  'approval_policies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description'),
    requestType: text('request_type'),
    chain: jsonb('chain').$type<Record<string, unknown>>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    priority: integer('priority').notNull().default(0),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [index('approval_policies_type_idx').on(t.requestType, t.priority)],
);

/** Where an approval request stands. `changes_requested` waits for the requester to resubmit. */
export const APPROVAL_STATUSES = ['pending', 'changes_requested', 'approved', 'rejected', 'cancelled', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/**
 * One approval: an APPROVAL node run or a request made through the API. `id` is also the id of
 * the Temporal workflow that runs the chain. The workflow keeps this row in step through
 * activities; the workflow's own state is the truth while it runs.
 */
export const approvalRequests = pgTable(
  'approval_requests',
  {
    id: text('id').primaryKey(),
    /** `workflow_node` for APPROVAL nodes; otherwise e.g. `version_activation`, `rollout`, `configuration_change`. */
    type: text('type').notNull(),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull().default('pending'),
    title: text('title').notNull(),
    description: text('description'),
    data: jsonb('data').$type<unknown>(),
    requestedBy: text('requested_by'),
    policyId: text('policy_id'),
    /** The chain this request runs (a copy: editing the policy changes no running request). */
    chain: jsonb('chain').$type<Record<string, unknown>>().notNull(),
    /** Index into the chain's steps of the open step; null once decided. */
    currentStep: integer('current_step'),
    /** Resubmissions after `changes_requested` start a new round; decisions are per round. */
    round: integer('round').notNull().default(1),
    /** Users who may decide the open step in their own name (delegates are found at read time). */
    pendingApprovers: text('pending_approvers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The graph execution and node of an APPROVAL node; null for API requests. */
    executionId: text('execution_id'),
    nodeId: text('node_id'),
    escalatedAt: timestamp('escalated_at', tz),
    requestedAt: timestamp('requested_at', tz).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', tz),
    completedAt: timestamp('completed_at', tz),
    /** Why it ended so (rejection reason, expiry, cancellation). */
    reason: text('reason'),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    index('approval_requests_status_idx').on(t.status, t.requestedAt),
    index('approval_requests_pending_idx').using('gin', t.pendingApprovers),
    index('approval_requests_execution_idx').on(t.executionId),
    check('approval_requests_status_ck', sql`${t.status} in (${sqlList(APPROVAL_STATUSES)})`),
  ],
);

/** What an approver (or the system, on escalation) did. */
export const APPROVAL_ACTIONS = ['approve', 'reject', 'request_changes', 'delegate', 'escalate', 'auto_approve'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

/** One decision: at most one per request, round, step and approver. */
export const approvalDecisions = pgTable(
  'approval_decisions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: text('request_id')
      .notNull()
      .references(() => approvalRequests.id, { onDelete: 'cascade' }),
    round: integer('round').notNull().default(1),
    stepId: text('step_id').notNull(),
    /** Who decided (the token's subject), or `system` for escalation actions. */
    approverId: text('approver_id').notNull(),
    /** The approver this one stood in for, when deciding as a delegate. */
    onBehalfOf: text('on_behalf_of'),
    action: text('action', { enum: APPROVAL_ACTIONS }).notNull(),
    comments: text('comments'),
    /** For `delegate`: who received the decision. */
    delegatedTo: text('delegated_to'),
    decidedAt: timestamp('decided_at', tz).notNull(),
  },
  (t) => [
    uniqueIndex('approval_decisions_once_uq').on(t.requestId, t.round, t.stepId, t.approverId),
    index('approval_decisions_approver_idx').on(t.approverId),
    check('approval_decisions_action_ck', sql`${t.action} in (${sqlList(APPROVAL_ACTIONS)})`),
  ],
);

/** A stored approval policy. */
export type ApprovalPolicyRow = typeof approvalPolicies.$inferSelect;
/** A stored approval request. */
export type ApprovalRequestRow = typeof approvalRequests.$inferSelect;
/** A stored approval decision. */
export type ApprovalDecisionRow = typeof approvalDecisions.$inferSelect;
