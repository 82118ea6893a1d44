/**
 * Approval policies, requests and decisions. The approval workflow writes requests and
 * decisions through activities (idempotent: upserts and insert-or-ignore); the API reads them
 * for lists, the inbox, audit and stats.
 */
import { and, arrayOverlaps, asc, count, desc, eq, gt, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import {
  approvalDecisions,
  approvalPolicies,
  approvalRequests,
  users,
  type User,
  type ApprovalDecisionRow,
  type ApprovalPolicyRow,
  type ApprovalRequestRow,
  type ApprovalStatus,
} from '../schema';
import { keysetAfter, keysetOrderBy, type KeysetOrder, type Page, type PageRequest } from './page';

export type NewApprovalPolicy = Pick<ApprovalPolicyRow, 'id' | 'name' | 'description' | 'requestType' | 'chain' | 'enabled' | 'priority' | 'createdBy'>;
export type ApprovalPolicyPatch = Partial<Pick<ApprovalPolicyRow, 'name' | 'description' | 'requestType' | 'chain' | 'enabled' | 'priority'>>;
export type ApprovalRequestUpsert = Omit<ApprovalRequestRow, 'updatedAt' | 'expiresAt'> & { expiresAt?: Date | null };
export type NewApprovalDecision = Omit<ApprovalDecisionRow, 'id'>;

/** Inserts a policy; undefined when the id is taken. */
export async function insertApprovalPolicy(db: WeftDb, p: NewApprovalPolicy): Promise<ApprovalPolicyRow | undefined> {
  const [row] = await db.insert(approvalPolicies).values(p).onConflictDoNothing({ target: approvalPolicies.id }).returning();
  return row;
}

export async function getApprovalPolicy(db: WeftDb, id: string): Promise<ApprovalPolicyRow | undefined> {
  const [row] = await db.select().from(approvalPolicies).where(eq(approvalPolicies.id, id));
  return row;
}

/** Policies by id, optionally only those of a request type. */
export async function listApprovalPolicies(db: WeftDb, filter: { requestType?: string }): Promise<ApprovalPolicyRow[]> {
  const where = filter.requestType ? eq(approvalPolicies.requestType, filter.requestType) : undefined;
  return db.select().from(approvalPolicies).where(where).orderBy(asc(approvalPolicies.id));
}

export async function updateApprovalPolicy(db: WeftDb, id: string, patch: ApprovalPolicyPatch): Promise<ApprovalPolicyRow | undefined> {
  const [row] = await db
    .update(approvalPolicies)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(approvalPolicies.id, id))
    .returning();
  return row;
}

export async function deleteApprovalPolicy(db: WeftDb, id: string): Promise<boolean> {
  const rows = await db.delete(approvalPolicies).where(eq(approvalPolicies.id, id)).returning({ id: approvalPolicies.id });
  return rows.length > 0;
}

/** The enabled policy of highest priority for a request type (ties: the smaller id). */
export async function policyForType(db: WeftDb, requestType: string): Promise<ApprovalPolicyRow | undefined> {
  const [row] = await db
    .select()
    .from(approvalPolicies)
    .where(and(eq(approvalPolicies.requestType, requestType), eq(approvalPolicies.enabled, true)))
    .orderBy(desc(approvalPolicies.priority), asc(approvalPolicies.id))
    .limit(1);
  return row;
}

/** Writes the request as the workflow sees it now (insert or overwrite; `requestedAt` is kept). */
export async function upsertApprovalRequest(db: WeftDb, r: ApprovalRequestUpsert): Promise<void> {
  const { id: _id, requestedAt: _at, ...rest } = r;
  await db
    .insert(approvalRequests)
    .values(r)
    .onConflictDoUpdate({ target: approvalRequests.id, set: { ...rest, updatedAt: new Date() } });
}

/** Inserts the row unless the workflow wrote it first. */
export async function insertApprovalRequestIfAbsent(db: WeftDb, r: ApprovalRequestUpsert): Promise<void> {
  await db.insert(approvalRequests).values(r).onConflictDoNothing({ target: approvalRequests.id });
}

export async function getApprovalRequest(db: WeftDb, id: string): Promise<ApprovalRequestRow | undefined> {
  const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.id, id));
  return row;
}

const REQUEST_ORDER: KeysetOrder = { table: approvalRequests, at: approvalRequests.requestedAt, id: approvalRequests.id, direction: 'desc' };

/** Requests newest first (keyset after `q.after`), filtered by status, type and execution. */
export async function listApprovalRequests(
  db: WeftDb,
  q: PageRequest & { status?: ApprovalStatus; type?: string; executionId?: string },
): Promise<Page<ApprovalRequestRow>> {
  const conditions: SQL[] = [];
  if (q.status) conditions.push(eq(approvalRequests.status, q.status));
  if (q.type) conditions.push(eq(approvalRequests.type, q.type));
  if (q.executionId) conditions.push(eq(approvalRequests.executionId, q.executionId));
  const where = conditions.length ? and(...conditions) : undefined;
  const items = await db
    .select()
    .from(approvalRequests)
    .where(and(where, keysetAfter(REQUEST_ORDER, q.after)))
    .orderBy(...keysetOrderBy(REQUEST_ORDER))
    .limit(q.limit)
    .offset(q.offset ?? 0);
  const [total] = await db.select({ n: count() }).from(approvalRequests).where(where);
  return { items, total: Number(total?.n ?? 0) };
}

/**
 * Pending requests whose open step `deciders` may decide, leaving out those `userId` already
 * decided in the current round and step.
 */
export async function pendingApprovalsFor(db: WeftDb, userId: string, deciders: string[]): Promise<ApprovalRequestRow[]> {
  if (deciders.length === 0) return [];
  return db
    .select()
    .from(approvalRequests)
    .where(
      and(
        eq(approvalRequests.status, 'pending'),
        arrayOverlaps(approvalRequests.pendingApprovers, deciders),
        sql`not exists (select 1 from ${approvalDecisions} d where d.request_id = ${approvalRequests.id} and d.round = ${approvalRequests.round}
          and d.approver_id = ${userId} and d.step_id = (${approvalRequests.chain} -> 'steps' -> ${approvalRequests.currentStep} ->> 'id'))`,
      ),
    )
    .orderBy(asc(approvalRequests.requestedAt), asc(approvalRequests.id));
}

/** Stores decisions; one already stored (same request, round, step, approver) is left as it is. */
export async function insertApprovalDecisions(db: WeftDb, rows: NewApprovalDecision[]): Promise<ApprovalDecisionRow[]> {
  if (rows.length === 0) return [];
  return db.insert(approvalDecisions).values(rows).onConflictDoNothing().returning();
}

/** What names one decision in its audit record's details: one per approver, step and round. */
export function decisionKey(d: { round: number; stepId: string; approverId: string }): string {
  return `${d.round}:${d.stepId}:${d.approverId}`;
}

/** True when the decision's audit record (written with the decision, see recordApprovalDecisions) exists. */
export async function decisionAudited(db: WeftDb, requestId: string, key: string): Promise<boolean> {
  const rows = await executeRows(
    db,
    sql`select 1 from audit_log where resource_type = 'approval_request' and resource_id = ${requestId} and details->>'decisionKey' = ${key} limit 1`,
  );
  return rows.length > 0;
}

/** Every decision of the requests, in the order they were made. */
export async function listApprovalDecisions(db: WeftDb, requestIds: string[]): Promise<ApprovalDecisionRow[]> {
  if (requestIds.length === 0) return [];
  return db
    .select()
    .from(approvalDecisions)
    .where(inArray(approvalDecisions.requestId, requestIds))
    .orderBy(asc(approvalDecisions.decidedAt), asc(approvalDecisions.id));
}

/** Counts by status and the average time from request to decision of decided requests. */
export async function approvalStats(db: WeftDb): Promise<{ byStatus: Record<string, number>; averageDecisionMs: number | null }> {
  const rows = await db.select({ status: approvalRequests.status, n: count() }).from(approvalRequests).groupBy(approvalRequests.status);
  const [avg] = await db
    .select({
      ms: sql<string | null>`avg(extract(epoch from (${approvalRequests.completedAt} - ${approvalRequests.requestedAt})) * 1000)`,
    })
    .from(approvalRequests)
    .where(and(inArray(approvalRequests.status, ['approved', 'rejected']), sql`${approvalRequests.completedAt} is not null`));
  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = Number(r.n);
  return { byStatus, averageDecisionMs: avg?.ms === null || avg?.ms === undefined ? null : Math.round(Number(avg.ms)) };
}

/** Active users out of office at `at` who named a delegate (the inbox follows their delegation). */
export async function listAwayUsers(db: WeftDb, at: Date): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(and(eq(users.active, true), isNotNull(users.delegateTo), gt(users.awayUntil, at)));
}
