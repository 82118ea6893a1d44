import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { policyForType } from '../db/repositories/approvals';
import { listTransitions, openActivationRequest, VERSION_ACTIVATION, versionRunStats } from '../db/repositories/version-transitions';
import { getLatestVersion, getVersion } from '../db/repositories/versions';
import { applyTransition, auditTransition, checkTransition, type TargetStatus } from '../domain/version-lifecycle';
import { diffDefinitions, type DefinitionDiff } from '../graph/diff';
import { WeftError } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';
import type { ApprovalService } from './approvals';
import type { DefinitionService } from './definitions';
import { promotionView, versionView, type PromotionView, type VersionView } from './version-views';
import { idPosition, pageFromRows, type CursorPage } from '../domain/pages';

/** The body of `POST /workflows/{id}/versions`. */
export interface DraftBody {
  graph: unknown;
  version?: string;
  changelog?: string;
  tags?: string[];
}

/** A transition's answer: done at once, or waiting for an approval request. */
export type TransitionResult =
  | { outcome: 'done'; version: VersionView; demoted: string | null; changed: boolean }
  | { outcome: 'pending_approval'; approvalRequestId: string; version: VersionView };

/** A comparison of two versions (the graph diff plus which versions were compared). */
export type VersionComparison = { a: string; b: string } & DefinitionDiff;

/**
 * The version lifecycle through the API (`000_*.txt` VersionManagementService): drafts,
 * transitions with the approval gate on activation, comparison, rollback as a new version, and
 * the promotion history. The moves themselves are domain/version-lifecycle.ts.
 */
export class VersionLifecycleService {
  constructor(
    private readonly db: WeftDb,
    private readonly definitions: DefinitionService,
    private readonly approvals: Pick<ApprovalService, 'createRequest'>,
  ) {}

  /** A new draft from a graph. @throws WeftError INVALID_WORKFLOW, WORKFLOW_NOT_FOUND, VERSION_CONFLICT */
  async createDraft(id: string, body: DraftBody, ctx: AuditContext): Promise<VersionView> {
    const created = await this.definitions.update(
      id,
      body.graph,
      { ...(body.version ? { version: body.version } : {}), ...(body.changelog !== undefined ? { changelog: body.changelog } : {}), tags: body.tags ?? [] },
      ctx,
    );
    return this.get(id, created.latestVersion);
  }

  async list(id: string): Promise<VersionView[]> {
    const rows = await this.definitions.versions(id);
    const stats = new Map((await versionRunStats(this.db, id)).map((s) => [s.version, s]));
    return rows.map((r) => versionView(r, stats.get(r.version), false));
  }

  /** One version (semver, `active` or `latest`) with its graph. @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND */
  async get(id: string, version: string): Promise<VersionView> {
    const row = await this.definitions.version(id, version);
    const [stats] = await versionRunStats(this.db, id, row.version);
    return versionView(row, stats, true);
  }

  /**
   * Moves a version to `to`. Activation waits for an approval when an enabled policy for
   * `version_activation` exists: the request is created (or the open one for this version
   * returned) and the approval activity activates once it is approved
   * (activities/version-activation.ts).
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND, VERSION_ARCHIVED, INVALID_TRANSITION
   */
  async transition(id: string, version: string, to: TargetStatus, reason: string | null, ctx: AuditContext): Promise<TransitionResult> {
    const row = await this.definitions.version(id, version);
    if (to === 'active') {
      const gated = await this.requestActivation(id, row.version, row.status, reason, ctx, false);
      if (gated) return gated;
    }
    const out = await this.db.transaction(async (tx) => {
      const done = await applyTransition(tx, { definitionId: id, version: row.version, to, actor: ctx.actor, reason });
      if (done.transitions.length > 0) await auditTransition(tx, ctx, done, reason);
      return done;
    });
    return { outcome: 'done', version: await this.get(id, out.row.version), demoted: out.demoted, changed: out.transitions.length > 0 };
  }

  /**
   * `POST /workflows/{id}/publish`, as before the lifecycle: the named (or latest) version becomes
   * active, a draft through published; one `workflow.published` record. Gated like activation.
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND, VERSION_ARCHIVED, INVALID_TRANSITION
   */
  async publishAndActivate(id: string, version: string | undefined, ctx: AuditContext): Promise<TransitionResult> {
    const def = await this.definitions.require(id);
    const target = version ? await getVersion(this.db, id, version) : await getLatestVersion(this.db, id);
    if (!target) throw new WeftError('VERSION_NOT_FOUND', `workflow ${id} has no version ${version ?? ''}`.trim());
    const gated = await this.requestActivation(id, target.version, target.status, null, ctx, true);
    if (gated) return gated;
    const out = await this.db.transaction(async (tx) => {
      const done = await applyTransition(tx, {
        definitionId: id,
        version: target.version,
        to: 'active',
        actor: ctx.actor,
        reason: null,
        throughPublished: true,
      });
      await appendAudit(tx, {
        ...ctx,
        action: 'workflow.published',
        resourceType: 'workflow',
        resourceId: id,
        workflowId: id,
        details: { version: done.row.version, ...(done.demoted ? { demoted: done.demoted } : {}) },
        before: { activeVersion: def.activeVersion, status: done.before.status },
        after: { activeVersion: done.row.version, status: done.row.status },
      });
      return done;
    });
    return { outcome: 'done', version: await this.get(id, out.row.version), demoted: out.demoted, changed: out.transitions.length > 0 };
  }

  /**
   * Creates a new version whose graph is `version`'s (history is never rewritten): next minor
   * after the latest, `parentVersion` the restored one, a draft to publish and activate as usual.
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND
   */
  async rollback(id: string, version: string, reason: string, ctx: AuditContext): Promise<VersionView> {
    const source = await this.definitions.version(id, version);
    const created = await this.definitions.update(
      id,
      source.graph,
      {
        changelog: `Rollback to ${source.version}: ${reason}`,
        tags: source.tags,
        parentVersion: source.version,
        reason,
        action: 'version.rolled_back',
        details: { rolledBackTo: source.version, reason },
      },
      ctx,
    );
    return this.get(id, created.latestVersion);
  }

  /** Two versions compared, `a` as the old one. @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND */
  async compare(id: string, a: string, b: string): Promise<VersionComparison> {
    const [from, to] = [await this.definitions.version(id, a), await this.definitions.version(id, b)];
    return { a: from.version, b: to.version, ...diffDefinitions(from.graph as WorkflowDefinition, to.graph as WorkflowDefinition) };
  }

  /** Every transition of the definition's versions, oldest first, a cursor page (or at `offset`). @throws WeftError WORKFLOW_NOT_FOUND, INVALID_REQUEST */
  async promotions(
    id: string,
    q: { limit: number; offset?: number; cursor?: string; version?: string },
  ): Promise<CursorPage<PromotionView> & { total: number }> {
    await this.definitions.require(id);
    const after = idPosition('promotions', q.cursor, 'number');
    const rows = await listTransitions(this.db, id, { ...q, limit: q.limit + 1, ...(after ? { after } : {}) });
    const page = pageFromRows(rows.items, q.limit, 'promotions', (r) => [r.id]);
    return { items: page.items.map(promotionView), nextCursor: page.nextCursor, total: rows.total };
  }

  /**
   * When a `version_activation` policy is enabled: checks the move would be allowed now (a refused
   * one asks nobody), then opens an approval request or returns the open one. Undefined when no
   * approval is needed (or the version is active already).
   */
  private async requestActivation(
    id: string,
    version: string,
    status: WorkflowVersionStatus,
    reason: string | null,
    ctx: AuditContext,
    throughPublished: boolean,
  ): Promise<TransitionResult | undefined> {
    if (status === 'active' || !(await policyForType(this.db, VERSION_ACTIVATION))) return undefined;
    checkTransition(version, status, 'active', throughPublished);
    const open = await openActivationRequest(this.db, id, version);
    const requestId =
      open ??
      (
        await this.approvals.createRequest(
          {
            type: VERSION_ACTIVATION,
            title: `Activate version ${version} of ${(await this.definitions.require(id)).name}`,
            description: reason ?? undefined,
            data: { definitionId: id, version, reason, throughPublished },
          },
          ctx,
        )
      ).id;
    return { outcome: 'pending_approval', approvalRequestId: requestId, version: await this.get(id, version) };
  }
}

type WorkflowVersionStatus = VersionView['status'];
