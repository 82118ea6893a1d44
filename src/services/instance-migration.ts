import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { setExecutionVersion } from '../db/repositories/executions';
import { diffDefinitions, type Compatibility } from '../graph/diff';
import { WeftError } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';
import { migrateUpdate, type MigrationResult } from '../workflows/messages';
import type { DefinitionService } from './definitions';
import type { ExecutionService } from './executions';

/** What `POST /workflow-instances/{id}/migrate` answers: where the instance moved, and how the versions differ. */
export interface MigrationView extends MigrationResult {
  id: string;
  compatibility: Compatibility;
  changeCount: number;
}

/**
 * Moves a running instance to another version of its definition (`001_*.txt`). The API checks
 * what it can know alone (the versions exist, the target may run, the mapping names its nodes);
 * the workflow checks where the instance is and what its variables hold (migration.ts), and
 * refuses with MIGRATION_NOT_POSSIBLE and why.
 */
export class InstanceMigrationService {
  constructor(
    private readonly db: WeftDb,
    private readonly definitions: DefinitionService,
    private readonly executions: ExecutionService,
  ) {}

  /** @throws WeftError INSTANCE_NOT_FOUND, INSTANCE_NOT_RUNNING, VERSION_NOT_FOUND, VERSION_NOT_PUBLISHED, INVALID_REQUEST, MIGRATION_NOT_POSSIBLE */
  async migrate(id: string, req: { toVersion: string; nodeMapping?: Record<string, string> }, ctx: AuditContext): Promise<MigrationView> {
    const instance = await this.executions.get(id);
    const [from, to] = await Promise.all([
      this.definitions.version(instance.workflowId, instance.version),
      this.definitions.version(instance.workflowId, req.toVersion),
    ]);
    if (to.status !== 'active' && to.status !== 'published') {
      throw new WeftError('VERSION_NOT_PUBLISHED', `version ${to.version} is ${to.status}; instances move only to a published or active version`);
    }
    const graph = to.graph as WorkflowDefinition;
    const targets = new Set(graph.nodes.map((n) => n.id));
    const unknown = Object.entries(req.nodeMapping ?? {}).filter(([, target]) => !targets.has(target));
    if (unknown.length > 0) {
      throw new WeftError('INVALID_REQUEST', `nodeMapping names nodes version ${to.version} does not have`, {
        issues: unknown.map(([source, target]) => ({ path: `/nodeMapping/${source}`, code: 'NODE_NOT_FOUND', message: `no node ${target} in ${to.version}` })),
      });
    }
    const diff = diffDefinitions(from.graph as WorkflowDefinition, graph);
    const { result } = await this.executions.sendToRunning(id, 'MIGRATION_NOT_POSSIBLE', (h) =>
      h.executeUpdate(migrateUpdate, { args: [{ toVersion: to.version, graph, ...(req.nodeMapping ? { nodeMapping: req.nodeMapping } : {}) }] }),
    );
    // The workflow has moved (its history is the change); the row and the trail follow it.
    await this.db.transaction(async (tx) => {
      await setExecutionVersion(tx, id, to.version);
      await appendAudit(tx, {
        ...ctx,
        action: 'execution.migrated',
        resourceType: 'execution',
        resourceId: id,
        workflowId: instance.workflowId,
        details: {
          atNodeId: result.atNodeId,
          toNodeId: result.toNodeId,
          kind: result.kind,
          nodeMapping: req.nodeMapping ?? null,
          compatibility: diff.compatibility,
        },
        before: { version: instance.version, currentNodeId: instance.currentNodeId },
        after: { version: to.version },
      });
    });
    return { id, ...result, compatibility: diff.compatibility, changeCount: diff.changeCount };
  }
}
