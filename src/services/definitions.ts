import { createHash, randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { createDefinition, getDefinition, listDefinitions, softDeleteDefinition } from '../db/repositories/definitions';
import { listTriggers } from '../db/repositories/triggers';
import { insertTransitions } from '../db/repositories/version-transitions';
import { addVersion, getActiveVersion, getLatestVersion, getVersion, listVersions } from '../db/repositories/versions';
import { startRefusal } from '../domain/version-lifecycle';
import type { WorkflowDefinition as DefinitionRow, WorkflowVersion as VersionRow } from '../db/schema';
import { WeftError } from '../graph/errors';
import { scheduleIdOf, type TriggerSchedules } from './trigger-schedules';
import { bumpSemver, isSemver } from '../graph/semver';
import { validateDefinition } from '../graph/validate';
import type { ValidationIssue } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';
import { pageFromRows, timedKey, timedPosition } from '../domain/pages';

export const FIRST_VERSION = '1.0.0';

/** What a change to a definition carries besides the graph itself. */
export interface VersionMeta {
  /** Explicit semver; otherwise the latest version's minor is bumped. */
  version?: string;
  changelog?: string;
  /** Labels of the version. */
  tags?: string[];
  /** The version this one derives from; default the latest (a rollback names the one it restores). */
  parentVersion?: string;
  /** Why the version was made (a rollback's reason), kept with its creation in the promotion history. */
  reason?: string;
  /** The audit verb when not the default (`version.rolled_back`, `workflow.imported`), and more details for it. */
  action?: string;
  details?: Record<string, unknown>;
  /** A new definition's name, description and tags when not the graph's (an import keeps the exported ones). */
  definition?: { name: string; description: string | null; tags: string[] };
}

/** A definition as the API shows it: metadata, the latest graph, and which version is active. */
export interface DefinitionView {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  activeVersion: string | null;
  latestVersion: string;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  graph: WorkflowDefinition;
  /** Strong entity tag of this representation: sent as ETag, checked against If-Match on PUT. */
  etag: string;
}

/** Changes whenever a new version is stored or another version becomes the active one. */
function definitionEtag(def: DefinitionRow, latest: VersionRow): string {
  return createHash('sha256')
    .update(`${latest.id}|${def.activeVersion ?? ''}`)
    .digest('base64url')
    .slice(0, 27);
}

/** @throws WeftError INVALID_WORKFLOW with every issue's JSON path */
export function checkGraph(raw: unknown): WorkflowDefinition {
  const result = validateDefinition(raw);
  if (!result.ok) throw new WeftError('INVALID_WORKFLOW', 'the workflow definition is not valid', { issues: result.issues });
  return result.definition;
}

function view(def: DefinitionRow, latest: VersionRow): DefinitionView {
  return {
    id: def.id,
    name: def.name,
    description: def.description,
    tags: def.tags ?? [],
    activeVersion: def.activeVersion,
    latestVersion: latest.version,
    createdBy: def.createdBy,
    createdAt: def.createdAt,
    updatedAt: def.updatedAt,
    graph: latest.graph as WorkflowDefinition,
    etag: definitionEtag(def, latest),
  };
}

/** What the audit trail keeps of a definition (the graph itself stays in its immutable versions). */
function auditedDefinition(def: DefinitionRow, latestVersion?: string): Record<string, unknown> {
  return { name: def.name, description: def.description, tags: def.tags ?? [], activeVersion: def.activeVersion, ...(latestVersion ? { latestVersion } : {}) };
}

/** A new version's entry in the promotion history: from nothing to draft. */
function draftTransition(definitionId: string, version: string, actor: string, reason: string | undefined, at: Date) {
  return { definitionId, version, fromStatus: null, toStatus: 'draft' as const, actor, reason: reason ?? null, at };
}

/** Definitions and their versions: creating and changing them (their lifecycle: version-lifecycle.ts). */
export class DefinitionService {
  /**
   * @param schedules where the Temporal Schedules of schedule triggers go when their workflow is
   *   deleted (the API's; a worker deletes no workflow)
   */
  constructor(
    private readonly db: WeftDb,
    private readonly schedules?: Pick<TriggerSchedules, 'remove'>,
  ) {}

  /** @throws WeftError INVALID_WORKFLOW with every issue's JSON path */
  async create(raw: unknown, meta: VersionMeta, ctx: AuditContext): Promise<DefinitionView> {
    const graph = checkGraph(raw);
    const version = meta.version ?? FIRST_VERSION;
    return this.db.transaction(async (tx) => {
      const { definition, version: row } = await createDefinition(tx, {
        id: randomUUID(),
        name: meta.definition?.name ?? graph.name,
        description: meta.definition ? meta.definition.description : (graph.description ?? null),
        tags: meta.definition?.tags ?? graph.tags ?? [],
        createdBy: ctx.actor,
        version: { id: randomUUID(), version, graph, changelog: meta.changelog ?? null, tags: meta.tags ?? [] },
      });
      await insertTransitions(tx, [draftTransition(definition.id, version, ctx.actor, meta.reason, row.createdAt)]);
      await appendAudit(tx, {
        ...ctx,
        action: meta.action ?? 'workflow.created',
        resourceType: 'workflow',
        resourceId: definition.id,
        workflowId: definition.id,
        details: { version, ...meta.details },
        after: auditedDefinition(definition, row.version),
      });
      return view(definition, row);
    });
  }

  /** Definitions newest first, a cursor page (or, for older clients, at `offset`). @throws WeftError INVALID_REQUEST for a foreign cursor */
  async list(query: { limit: number; offset?: number; cursor?: string; search?: string }) {
    const after = timedPosition('workflows', query.cursor);
    const rows = await listDefinitions(this.db, { ...query, limit: query.limit + 1, ...(after ? { after } : {}) });
    const page = pageFromRows(
      rows.items,
      query.limit,
      'workflows',
      timedKey(
        (d) => d.createdAt,
        (d) => d.id,
      ),
    );
    return {
      nextCursor: page.nextCursor,
      total: rows.total,
      items: page.items.map((d) => ({
        id: d.id,
        name: d.name,
        description: d.description,
        tags: d.tags ?? [],
        activeVersion: d.activeVersion,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
      })),
    };
  }

  /** @throws WeftError WORKFLOW_NOT_FOUND */
  async require(id: string): Promise<DefinitionRow> {
    const def = await getDefinition(this.db, id);
    if (!def) throw new WeftError('WORKFLOW_NOT_FOUND', `workflow ${id} does not exist`);
    return def;
  }

  async get(id: string): Promise<DefinitionView> {
    const def = await this.require(id);
    const latest = await getLatestVersion(this.db, id);
    if (!latest) throw new WeftError('VERSION_NOT_FOUND', `workflow ${id} has no version`);
    return view(def, latest);
  }

  /**
   * Stores the graph as a new draft version; running executions and the active version are untouched.
   * `ifMatch` (the If-Match tags) must name the definition's current ETag, or be `*`, when given.
   * @throws WeftError INVALID_WORKFLOW, WORKFLOW_NOT_FOUND, VERSION_CONFLICT, PRECONDITION_FAILED
   */
  async update(id: string, raw: unknown, meta: VersionMeta, ctx: AuditContext, ifMatch?: string[]): Promise<DefinitionView> {
    const def = await this.require(id);
    const graph = checkGraph(raw);
    return this.db.transaction(async (tx) => {
      const latest = await getLatestVersion(tx, id);
      if (ifMatch && !ifMatch.includes('*') && !(latest && ifMatch.includes(definitionEtag(def, latest)))) {
        throw new WeftError('PRECONDITION_FAILED', `workflow ${id} changed since it was read (If-Match does not match); read it again`);
      }
      const version = meta.version ?? (latest ? bumpSemver(latest.version, 'minor') : FIRST_VERSION);
      const row = await addVersion(tx, {
        id: randomUUID(),
        definitionId: id,
        version,
        graph,
        changelog: meta.changelog ?? null,
        createdBy: ctx.actor,
        tags: meta.tags ?? [],
        parentVersion: meta.parentVersion ?? latest?.version ?? null,
      });
      await insertTransitions(tx, [draftTransition(id, version, ctx.actor, meta.reason, row.createdAt)]);
      await appendAudit(tx, {
        ...ctx,
        action: meta.action ?? 'workflow.version_created',
        resourceType: 'workflow',
        resourceId: id,
        workflowId: id,
        details: { version, changelog: row.changelog, parentVersion: row.parentVersion, ...meta.details },
        before: latest ? { latestVersion: latest.version } : null,
        after: { latestVersion: row.version, status: row.status },
      });
      return view({ ...def, name: graph.name }, row);
    });
  }

  /** Validates a candidate graph, or the latest stored one, without storing anything. */
  async validate(id: string, raw: unknown | undefined): Promise<{ valid: boolean; issues: ValidationIssue[] }> {
    await this.require(id);
    const candidate = raw ?? (await getLatestVersion(this.db, id))?.graph;
    const result = validateDefinition(candidate);
    return result.ok ? { valid: true, issues: [] } : { valid: false, issues: result.issues };
  }

  async versions(id: string): Promise<VersionRow[]> {
    await this.require(id);
    return listVersions(this.db, id);
  }

  /** @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND */
  async version(id: string, version: string): Promise<VersionRow> {
    await this.require(id);
    if (!isSemver(version) && version !== 'active' && version !== 'latest') {
      throw new WeftError('VERSION_NOT_FOUND', `"${version}" is not a version (use semver, "active" or "latest")`);
    }
    const row =
      version === 'active'
        ? await getActiveVersion(this.db, id)
        : version === 'latest'
          ? await getLatestVersion(this.db, id)
          : await getVersion(this.db, id, version);
    if (!row) throw new WeftError('VERSION_NOT_FOUND', `workflow ${id} has no ${version} version`);
    return row;
  }

  /**
   * The version a new execution runs: the named one (which must be published or active) or the active one.
   * @throws WeftError NO_ACTIVE_VERSION, VERSION_NOT_PUBLISHED, VERSION_DEPRECATED, VERSION_ARCHIVED, VERSION_NOT_FOUND
   */
  async runnableVersion(id: string, version: string | undefined): Promise<VersionRow> {
    await this.require(id);
    if (!version) {
      const active = await getActiveVersion(this.db, id);
      if (!active) throw new WeftError('NO_ACTIVE_VERSION', `workflow ${id} has no active version: publish one first`);
      return active;
    }
    const row = await this.version(id, version);
    const refusal = startRefusal(row);
    if (refusal) throw refusal;
    return row;
  }

  async remove(id: string, ctx: AuditContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      const def = await getDefinition(tx, id);
      if (!def) throw new WeftError('WORKFLOW_NOT_FOUND', `workflow ${id} does not exist`);
      await softDeleteDefinition(tx, id);
      // A deleted workflow cannot be brought back (there is no restore), so its schedules are
      // deleted, not paused: none keeps firing starts that can only fail, nor lingers in Temporal.
      // Inside the transaction: when Temporal cannot be reached the workflow stays as it was.
      const scheduled = (await listTriggers(tx, id)).filter((tr) => tr.type === 'schedule');
      for (const trigger of scheduled) await this.schedules?.remove(trigger.id);
      await appendAudit(tx, {
        ...ctx,
        action: 'workflow.deleted',
        resourceType: 'workflow',
        resourceId: id,
        workflowId: id,
        before: auditedDefinition(def),
        ...(scheduled.length > 0 ? { details: { schedulesDeleted: scheduled.map((tr) => scheduleIdOf(tr.id)) } } : {}),
      });
    });
  }
}
