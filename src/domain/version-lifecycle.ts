/**
 * The version lifecycle (`draft → published → active → deprecated → archived`) and the one
 * function that moves a version along it, shared by the API (services/version-lifecycle.ts) and
 * the worker (an approved `version_activation` request activates from the approval activity).
 *
 * Rules: one active version per definition (activating one demotes the previous to published, a
 * transition of its own); a deprecated version starts nothing new, but executions already
 * running on it finish (they carry their snapshot); an archived version is read-only history.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { replaceTriggers } from '../db/repositories/events';
import { insertTransitions, type NewTransition } from '../db/repositories/version-transitions';
import { getVersion, lockLiveDefinition } from '../db/repositories/versions';
import { workflowDefinitions, workflowVersions, type VersionStatus, type VersionTransition, type WorkflowVersion } from '../db/schema';
import { WeftError } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';

/** Where each status may go. `active → published` is only ever a demotion by another activation. */
export const VERSION_TRANSITIONS: Readonly<Record<VersionStatus, readonly VersionStatus[]>> = {
  draft: ['published', 'archived'],
  published: ['active', 'deprecated', 'archived'],
  active: ['deprecated'],
  deprecated: ['active', 'archived'],
  archived: [],
};

/** A status a user may ask a version to move to. */
export type TargetStatus = Exclude<VersionStatus, 'draft'>;

/** What a transition asks for. */
export interface TransitionRequest {
  definitionId: string;
  version: string;
  to: TargetStatus;
  actor: string;
  reason: string | null;
  /** The approved request that allowed it (gated activations). */
  approvalRequestId?: string | null;
  /** `POST /workflows/{id}/publish`: a draft is published and activated in one step (two transitions). */
  throughPublished?: boolean;
}

/** What a transition did. */
export interface TransitionOutcome {
  before: WorkflowVersion;
  row: WorkflowVersion;
  /** The version that was active before and is now published, when this activation demoted one. */
  demoted: string | null;
  /** The recorded transitions, in order; empty when the version already had the status. */
  transitions: VersionTransition[];
}

/**
 * Refuses a move the lifecycle does not allow, saying which moves it does.
 * @throws WeftError VERSION_ARCHIVED, INVALID_TRANSITION
 */
export function checkTransition(version: string, from: VersionStatus, to: TargetStatus, throughPublished = false): void {
  if (from === to) return;
  if (from === 'archived') {
    throw new WeftError('VERSION_ARCHIVED', `version ${version} is archived: it is read-only history and cannot become ${to}`, {
      issues: [{ path: '/status', code: 'archived', message: 'an archived version allows no transition' }],
    });
  }
  if (throughPublished && from === 'draft' && to === 'active') return;
  const allowed = VERSION_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new WeftError('INVALID_TRANSITION', `version ${version} is ${from}; it can become ${allowed.join(' or ')}, not ${to}`, {
      issues: [{ path: '/status', code: 'invalid_transition', message: `allowed from ${from}: ${allowed.join(', ')}` }],
      details: { from, to, allowed },
    });
  }
}

/**
 * Why a version may not start a new execution, or undefined when it may (published or active).
 * Executions already running are never asked.
 */
export function startRefusal(row: Pick<WorkflowVersion, 'version' | 'status'>): WeftError | undefined {
  switch (row.status) {
    case 'active':
    case 'published':
      return undefined;
    case 'deprecated':
      return new WeftError('VERSION_DEPRECATED', `version ${row.version} is deprecated: it starts no new executions (running ones finish)`);
    case 'archived':
      return new WeftError('VERSION_ARCHIVED', `version ${row.version} is archived: it starts no executions`);
    case 'draft':
      return new WeftError('VERSION_NOT_PUBLISHED', `version ${row.version} is a draft; only published versions can run`);
  }
}

/**
 * Moves a version to `to` inside `tx` (which it locks by the definition row, so two activations
 * never leave two active versions), recording each transition. Asking for the status a version
 * has is a no-op. The caller writes the audit record in the same transaction ({@link auditTransition}).
 * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND, VERSION_ARCHIVED, INVALID_TRANSITION
 */
export async function applyTransition(tx: WeftDb, req: TransitionRequest, at: Date = new Date()): Promise<TransitionOutcome> {
  const definition = await lockLiveDefinition(tx, req.definitionId);
  const before = await getVersion(tx, req.definitionId, req.version);
  if (!before) throw new WeftError('VERSION_NOT_FOUND', `workflow ${req.definitionId} has no version ${req.version}`);
  if (before.status === req.to) return { before, row: before, demoted: null, transitions: [] };
  checkTransition(before.version, before.status, req.to, req.throughPublished);

  const step = (fromStatus: VersionStatus, toStatus: VersionStatus, version = req.version, reason = req.reason): NewTransition => ({
    definitionId: req.definitionId,
    version,
    fromStatus,
    toStatus,
    actor: req.actor,
    reason,
    approvalRequestId: version === req.version ? (req.approvalRequestId ?? null) : null,
    at,
  });
  const steps: NewTransition[] =
    before.status === 'draft' && req.to === 'active' ? [step('draft', 'published'), step('published', 'active')] : [step(before.status, req.to)];
  // The approval is unique to one row: it belongs to the activation itself.
  if (steps.length === 2 && steps[0]) steps[0].approvalRequestId = null;

  let demoted: string | null = null;
  if (req.to === 'active') {
    const [previous] = await tx
      .update(workflowVersions)
      .set({ status: 'published' })
      .where(and(eq(workflowVersions.definitionId, req.definitionId), eq(workflowVersions.status, 'active'), ne(workflowVersions.id, before.id)))
      .returning();
    if (previous) {
      demoted = previous.version;
      steps.unshift(step('active', 'published', previous.version, `demoted: version ${req.version} was activated`));
    }
  }

  const [row] = await tx
    .update(workflowVersions)
    .set({
      status: req.to,
      ...(before.publishedAt === null && req.to !== 'archived' && req.to !== 'deprecated' ? { publishedAt: at, publishedBy: req.actor } : {}),
      ...(req.to === 'active' ? { activatedAt: at } : {}),
      ...(req.to === 'deprecated' ? { deprecatedAt: at } : {}),
      ...(req.to === 'archived' ? { archivedAt: at } : {}),
    })
    .where(eq(workflowVersions.id, before.id))
    .returning();
  if (!row) throw new WeftError('VERSION_NOT_FOUND', `workflow ${req.definitionId} has no version ${req.version}`);

  // The active version's event triggers are the definition's (docs/nodes.md "Event triggers"):
  // they follow the activation, and go when the active version is taken out of service.
  let activeVersion = definition.activeVersion;
  if (req.to === 'active') {
    activeVersion = row.version;
    await replaceTriggers(tx, req.definitionId, (row.graph as WorkflowDefinition).triggers ?? []);
  } else if (before.status === 'active') {
    activeVersion = null;
    await replaceTriggers(tx, req.definitionId, []);
  }
  await tx.update(workflowDefinitions).set({ activeVersion, updatedAt: at }).where(eq(workflowDefinitions.id, req.definitionId));
  const transitions = await insertTransitions(tx, steps);
  return { before, row, demoted, transitions };
}

/** The audit verb of each target status. */
const VERBS: Record<TargetStatus, string> = {
  published: 'version.published',
  active: 'version.activated',
  deprecated: 'version.deprecated',
  archived: 'version.archived',
};

/** The one audit record of a transition (the demotion it caused is in its details). */
export async function auditTransition(tx: WeftDb, ctx: AuditContext, out: TransitionOutcome, reason: string | null, action?: string): Promise<void> {
  const { before, row } = out;
  await appendAudit(tx, {
    ...ctx,
    action: action ?? VERBS[row.status as TargetStatus],
    resourceType: 'workflow',
    resourceId: row.definitionId,
    workflowId: row.definitionId,
    details: {
      version: row.version,
      reason,
      ...(out.demoted ? { demoted: out.demoted } : {}),
      ...(out.transitions.some((t) => t.approvalRequestId) ? { approvalRequestId: out.transitions.find((t) => t.approvalRequestId)?.approvalRequestId } : {}),
    },
    before: { version: before.version, status: before.status },
    after: { version: row.version, status: row.status },
  });
}
