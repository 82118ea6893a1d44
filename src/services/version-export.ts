import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditContext } from '../db/repositories/audit';
import { canonicalJson } from '../graph/canonical-json';
import { WeftError, type ValidationIssue } from '../graph/errors';
import { isPlainObject, jsonEqual } from '../graph/json';
import type { WorkflowDefinition } from '../graph/schema';
import { fromZodIssues } from '../graph/zod-issues';
import { checkGraph, type DefinitionService } from './definitions';

export const EXPORT_FORMAT = 'weft.workflow-export';
export const EXPORT_FORMAT_VERSION = 1;

/**
 * One version as a self-contained document. It holds no ids and no timestamps, so exporting an
 * import of it gives the same bytes; `checksum` is the SHA-256 (hex) of the canonical JSON
 * (graph/canonical-json.ts) of every other member.
 */
export interface WorkflowExport {
  format: typeof EXPORT_FORMAT;
  formatVersion: typeof EXPORT_FORMAT_VERSION;
  workflow: { name: string; description: string | null; tags: string[] };
  version: { version: string; changelog: string | null; tags: string[] };
  graph: WorkflowDefinition;
  /** The graph's variable declarations, repeated for readers; an import refuses a document where they differ. */
  variables: WorkflowDefinition['variables'];
  /** Keys the graph reads as `config.<key>` (a scan of its strings: best-effort, see {@link configKeys}). */
  configParameters: string[];
  checksum: string;
}

const DocumentSchema = z.object({
  format: z.string(),
  formatVersion: z.number(),
  workflow: z.object({ name: z.string().min(1), description: z.string().nullable(), tags: z.array(z.string()) }),
  version: z.object({ version: z.string().min(1), changelog: z.string().nullable(), tags: z.array(z.string()) }),
  graph: z.unknown(),
  variables: z.record(z.string(), z.unknown()),
  configParameters: z.array(z.string()),
  checksum: z.string(),
});

/** The checksum of a document: SHA-256 of the canonical JSON of everything but `checksum`. */
export function exportChecksum(doc: Record<string, unknown>): string {
  const { checksum: _c, ...rest } = doc;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/**
 * The configuration keys a graph reads: every `config.<name>` or ``config.`<name>` `` in any of
 * its strings (expressions, templates, conditions, filters). Best-effort: a key computed at run
 * time (`$lookup(config, k)`) is not found, and a string that merely mentions `config.x` is.
 */
export function configKeys(graph: unknown): string[] {
  const keys = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/(?<![\w$.])config\.(?:([A-Za-z_][A-Za-z0-9_]*)|`([^`]+)`)/g)) keys.add((m[1] ?? m[2]) as string);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (isPlainObject(value)) {
      Object.values(value).forEach(visit);
    }
  };
  visit(graph);
  return [...keys].sort();
}

function refuse(code: string, path: string, message: string, issues: ValidationIssue[] = [{ path, code: code.toLowerCase(), message }]): WeftError {
  return new WeftError(code, message, { issues });
}

/** Export and import of versions (`000_*.txt` exportVersion / importVersion). */
export class VersionExportService {
  constructor(private readonly definitions: DefinitionService) {}

  /** @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND */
  async exportVersion(id: string, version: string): Promise<WorkflowExport> {
    const def = await this.definitions.require(id);
    const row = await this.definitions.version(id, version);
    const graph = row.graph as WorkflowDefinition;
    const doc = {
      format: EXPORT_FORMAT,
      formatVersion: EXPORT_FORMAT_VERSION,
      workflow: { name: def.name, description: def.description, tags: def.tags ?? [] },
      version: { version: row.version, changelog: row.changelog, tags: row.tags },
      graph,
      variables: graph.variables,
      configParameters: configKeys(graph),
    } as const;
    return { ...doc, checksum: exportChecksum(doc) };
  }

  /**
   * Recreates an exported version: as a new definition (same name, version string and changelog),
   * or, with `workflowId`, as the next version of that definition. One `workflow.imported` record.
   * @throws WeftError IMPORT_FORMAT_UNSUPPORTED, VALIDATION_ERROR, IMPORT_CHECKSUM_MISMATCH,
   *   INVALID_WORKFLOW (paths under `/graph`), WORKFLOW_NOT_FOUND
   */
  async importVersion(raw: unknown, workflowId: string | undefined, ctx: AuditContext): Promise<{ workflowId: string; version: string; created: boolean }> {
    const doc = this.check(raw);
    const details = { importedVersion: doc.version.version, checksum: doc.checksum };
    const meta = {
      changelog: doc.version.changelog ?? undefined,
      tags: doc.version.tags,
      reason: `imported from version ${doc.version.version} of ${doc.workflow.name}`,
      action: 'workflow.imported',
      details,
    };
    if (workflowId) {
      const view = await this.definitions.update(workflowId, doc.graph, meta, ctx);
      return { workflowId, version: view.latestVersion, created: false };
    }
    const view = await this.definitions.create(doc.graph, { ...meta, version: doc.version.version, definition: doc.workflow }, ctx);
    return { workflowId: view.id, version: view.latestVersion, created: true };
  }

  /** The document, checked in the order a reader would: format, shape, checksum, graph. */
  private check(raw: unknown): z.output<typeof DocumentSchema> {
    if (!isPlainObject(raw)) throw refuse('IMPORT_FORMAT_UNSUPPORTED', '', 'the body is not a workflow export document');
    if (raw.format !== EXPORT_FORMAT) throw refuse('IMPORT_FORMAT_UNSUPPORTED', '/format', `format must be ${EXPORT_FORMAT}`);
    if (raw.formatVersion !== EXPORT_FORMAT_VERSION) {
      throw refuse(
        'IMPORT_FORMAT_UNSUPPORTED',
        '/formatVersion',
        `formatVersion ${String(raw.formatVersion)} is not supported (this Weft reads ${EXPORT_FORMAT_VERSION})`,
      );
    }
    const parsed = DocumentSchema.safeParse(raw);
    if (!parsed.success) throw new WeftError('VALIDATION_ERROR', 'the export document is not valid', { issues: fromZodIssues(parsed.error.issues, []) });
    if (exportChecksum(raw) !== parsed.data.checksum) {
      throw refuse('IMPORT_CHECKSUM_MISMATCH', '/checksum', 'the checksum does not match the document: it was changed after export');
    }
    try {
      checkGraph(parsed.data.graph);
    } catch (err) {
      if (err instanceof WeftError) throw new WeftError(err.code, err.message, { issues: err.issues.map((i) => ({ ...i, path: `/graph${i.path}` })) });
      throw err;
    }
    const declared = isPlainObject(parsed.data.graph) ? (parsed.data.graph.variables ?? {}) : {};
    if (!jsonEqual(declared, parsed.data.variables)) throw refuse('VALIDATION_ERROR', '/variables', 'variables differ from the graph’s variable declarations');
    return parsed.data;
  }
}
