import { ApplicationFailure } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { getDefinition } from '../db/repositories/definitions';
import { getActiveVersion, getVersion } from '../db/repositories/versions';
import type { WorkflowDefinition } from '../graph/schema';
import { startRefusal } from '../domain/version-lifecycle';

/** Which definition a SUBPROCESS runs, and the snapshot it gets. */
export interface DefinitionRef {
  definitionId: string;
  /** A published version to pin; the active one when absent. */
  version?: string;
}

export interface DefinitionSnapshot {
  definitionId: string;
  version: string;
  graph: WorkflowDefinition;
}

function refuse(code: string, message: string): ApplicationFailure {
  // Waiting will not make a missing or unpublished definition appear: fail the node at once.
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

/** Reading definitions for workflow code, which cannot reach the database itself. */
export function createDefinitionActivities(db: WeftDb) {
  return {
    /**
     * The immutable graph of the named (or active) version, for a SUBPROCESS child.
     * @throws ApplicationFailure WORKFLOW_NOT_FOUND, NO_ACTIVE_VERSION, VERSION_NOT_FOUND, VERSION_NOT_PUBLISHED, VERSION_DEPRECATED, VERSION_ARCHIVED
     */
    async loadDefinitionSnapshot(ref: DefinitionRef): Promise<DefinitionSnapshot> {
      const definition = await getDefinition(db, ref.definitionId);
      if (!definition) throw refuse('WORKFLOW_NOT_FOUND', `workflow ${ref.definitionId} does not exist`);
      const row = ref.version ? await getVersion(db, ref.definitionId, ref.version) : await getActiveVersion(db, ref.definitionId);
      if (!row) {
        throw ref.version
          ? refuse('VERSION_NOT_FOUND', `workflow ${ref.definitionId} has no version ${ref.version}`)
          : refuse('NO_ACTIVE_VERSION', `workflow ${ref.definitionId} has no active version`);
      }
      const refusal = startRefusal(row);
      if (refusal) throw refuse(refusal.code, `workflow ${ref.definitionId}: ${refusal.message}`);
      return { definitionId: ref.definitionId, version: row.version, graph: row.graph as WorkflowDefinition };
    },
  };
}
