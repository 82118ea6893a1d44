import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { replaceTriggers } from '../db/repositories/events';
import { createDefinition, getDefinition, listDefinitions, softDeleteDefinition } from '../db/repositories/definitions';
import { addVersion, getActiveVersion, getLatestVersion, getVersion, listVersions, publishVersion } from '../db/repositories/versions';
import type { WorkflowDefinition as DefinitionRow, WorkflowVersion as VersionRow } from '../db/schema';
import { WeftError } from '../graph/errors';
import { bumpSemver, isSemver } from '../graph/semver';
import { validateDefinition } from '../graph/validate';
import type { ValidationIssue } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';

export const FIRST_VERSION = '1.0.0';

/** What a change to a definition carries besides the graph itself. */
export interface VersionMeta {
  /** Explicit semver; otherwise the latest version's minor is bumped. */
  version?: string;
  changelog?: string;
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
}

function checkGraph(raw: unknown): WorkflowDefinition {
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
  };
}

/** Definitions and their versions: every rule about creating, changing and publishing them. */
export class DefinitionService {
  constructor(private readonly db: WeftDb) {}

  /** @throws WeftError INVALID_WORKFLOW with every issue's JSON path */
  async create(raw: unknown, meta: VersionMeta, actor: string): Promise<DefinitionView> {
    const graph = checkGraph(raw);
    const version = meta.version ?? FIRST_VERSION;
    const { definition, version: row } = await createDefinition(this.db, {
      id: randomUUID(),
      name: graph.name,
      description: graph.description ?? null,
      tags: graph.tags ?? [],
      createdBy: actor,
      version: { id: randomUUID(), version, graph, changelog: meta.changelog ?? null },
    });
    await appendAudit(this.db, { actor, action: 'workflow.created', resourceType: 'workflow', resourceId: definition.id, details: { version } });
    return view(definition, row);
  }

  async list(query: { limit: number; offset: number; search?: string }) {
    const page = await listDefinitions(this.db, query);
    return {
      total: page.total,
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
   * @throws WeftError INVALID_WORKFLOW, WORKFLOW_NOT_FOUND, VERSION_CONFLICT
   */
  async update(id: string, raw: unknown, meta: VersionMeta, actor: string): Promise<DefinitionView> {
    const def = await this.require(id);
    const graph = checkGraph(raw);
    const latest = await getLatestVersion(this.db, id);
    const version = meta.version ?? (latest ? bumpSemver(latest.version, 'minor') : FIRST_VERSION);
    const row = await addVersion(this.db, { id: randomUUID(), definitionId: id, version, graph, changelog: meta.changelog ?? null, createdBy: actor });
    await appendAudit(this.db, { actor, action: 'workflow.version_created', resourceType: 'workflow', resourceId: id, details: { version } });
    return view({ ...def, name: graph.name }, row);
  }

  /** Validates a candidate graph, or the latest stored one, without storing anything. */
  async validate(id: string, raw: unknown | undefined): Promise<{ valid: boolean; issues: ValidationIssue[] }> {
    await this.require(id);
    const candidate = raw ?? (await getLatestVersion(this.db, id))?.graph;
    const result = validateDefinition(candidate);
    return result.ok ? { valid: true, issues: [] } : { valid: false, issues: result.issues };
  }

  /**
   * Makes a version the active one (the latest when none is named). New executions start from
   * it; executions already running keep the snapshot they started with.
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND
   */
  async publish(id: string, version: string | undefined, actor: string): Promise<VersionRow> {
    await this.require(id);
    const target = version ? await getVersion(this.db, id, version) : await getLatestVersion(this.db, id);
    if (!target) throw new WeftError('VERSION_NOT_FOUND', `workflow ${id} has no version ${version ?? ''}`.trim());
    if (target.status === 'archived') throw new WeftError('VERSION_CONFLICT', `version ${target.version} is archived`);
    const row = await publishVersion(this.db, { definitionId: id, version: target.version, publishedBy: actor });
    // The active version's event triggers are the definition's (see docs/nodes.md "Event triggers").
    await replaceTriggers(this.db, id, (row.graph as WorkflowDefinition).triggers ?? []);
    await appendAudit(this.db, { actor, action: 'workflow.published', resourceType: 'workflow', resourceId: id, details: { version: row.version } });
    return row;
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
   * The version a new execution runs: the named one (which must have been published) or the active one.
   * @throws WeftError NO_ACTIVE_VERSION, VERSION_NOT_PUBLISHED, VERSION_NOT_FOUND
   */
  async runnableVersion(id: string, version: string | undefined): Promise<VersionRow> {
    await this.require(id);
    if (!version) {
      const active = await getActiveVersion(this.db, id);
      if (!active) throw new WeftError('NO_ACTIVE_VERSION', `workflow ${id} has no active version: publish one first`);
      return active;
    }
    const row = await this.version(id, version);
    if (row.status !== 'active' && row.status !== 'published') {
      throw new WeftError('VERSION_NOT_PUBLISHED', `version ${row.version} is ${row.status}; only published versions can run`);
    }
    return row;
  }

  async remove(id: string, actor: string): Promise<void> {
    await this.require(id);
    await softDeleteDefinition(this.db, id);
    await appendAudit(this.db, { actor, action: 'workflow.deleted', resourceType: 'workflow', resourceId: id });
  }
}
