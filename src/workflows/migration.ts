/**
 * Moving a running execution to another version of its definition (`001_*.txt`, migration of
 * running instances). Only at a node boundary of the execution's own walk — waiting for `advance`,
 * or suspended before its next node — does the `migrate` update take the target version's graph;
 * the run then continues as new with that graph, from the same node (or the one `nodeMapping`
 * names), carrying its variables, node outputs and trace. Nothing else a run does changes, so
 * histories without a `migrate` update replay as before.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { ApplicationFailure, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { matchesVariableType, type WorkflowDefinition } from '../graph/schema';
import { validateDefinition } from '../graph/validate';
import { migrateUpdate, type MigrationRequest, type MigrationResult } from './messages';
import { versionKey } from './search-attributes';
import type { ExecutionInput } from './types';

/** Marks the histories of executions that accepted a migration. */
export const MIGRATION_PATCH = 'weft-instance-migration';

/** Where the walk may be moved to another graph now, if anywhere. */
export interface MigrationPoint {
  nodeId: string;
  /** `trigger-wait`: the state `nodeId` ran and waits for `advance` (leaving by `port`); `between-nodes`: suspended before running `nodeId`. */
  kind: 'trigger-wait' | 'between-nodes';
  port?: string | null;
}

/** What the `migrate` update's checks read of the run. */
export interface MigratableRun {
  readonly args: ExecutionInput;
  migrationPoint(): MigrationPoint | undefined;
  variables(): Record<string, unknown>;
  /** Advances accepted and not yet taken: the instance is about to move on. */
  pendingAdvances(): number;
}

/** An accepted migration, waiting for the walk to carry it out. */
export interface AcceptedMigration {
  toVersion: string;
  graph: WorkflowDefinition;
  point: MigrationPoint;
  toNodeId: string;
}

/** Thrown out of a trigger wait when a migration was accepted there. */
export class MigrationRequested extends Error {
  constructor() {
    super('a migration to another version was accepted');
  }
}

function notPossible(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'MIGRATION_NOT_POSSIBLE', message, nonRetryable: true });
}

/** The `migrate` update of one run: its checks, and the migration it accepted. */
export class Migrations {
  accepted: AcceptedMigration | undefined;

  install(run: MigratableRun): void {
    setHandler(migrateUpdate, (req) => this.accept(run, req), { validator: (req) => this.check(run, req) });
  }

  private check(run: MigratableRun, req: MigrationRequest | undefined): void {
    if (!req || typeof req.toVersion !== 'string' || !req.graph || typeof req.graph !== 'object') {
      throw ApplicationFailure.create({ type: 'INVALID_REQUEST', message: 'migrate needs toVersion and graph', nonRetryable: true });
    }
    if (this.accepted) throw notPossible(`a migration to ${this.accepted.toVersion} is already under way`);
    if (req.toVersion === run.args.version) throw notPossible(`the instance runs version ${req.toVersion} already`);
    const point = run.migrationPoint();
    if (!point) {
      throw notPossible('the instance can move to another version only at a node boundary: while it waits for advance, or while it is suspended');
    }
    if (run.pendingAdvances() > 0) throw notPossible('an accepted advance has not been taken yet; try again once the instance waits');
    const checked = validateDefinition(req.graph);
    if (!checked.ok) throw notPossible(`version ${req.toVersion} is not a valid graph: ${checked.issues[0]?.path} ${checked.issues[0]?.message}`);
    const toNodeId = targetNode(req, point.nodeId);
    const target = checked.definition.nodes.find((n) => n.id === toNodeId);
    if (!target) {
      throw notPossible(
        `the instance is at node ${point.nodeId}, which version ${req.toVersion} does not have${toNodeId === point.nodeId ? ' (map it with nodeMapping)' : ` (mapped to ${toNodeId})`}`,
      );
    }
    const vars = run.variables();
    for (const [name, decl] of Object.entries(checked.definition.variables ?? {})) {
      if (name in vars && vars[name] !== null && !matchesVariableType(decl.type, vars[name])) {
        throw notPossible(`variable ${name} holds ${JSON.stringify(vars[name])}, which is not the ${decl.type} version ${req.toVersion} declares`);
      }
    }
  }

  private accept(run: MigratableRun, req: MigrationRequest): MigrationResult {
    patched(MIGRATION_PATCH);
    const point = run.migrationPoint() as MigrationPoint;
    const toNodeId = targetNode(req, point.nodeId);
    this.accepted = { toVersion: req.toVersion, graph: req.graph, point, toNodeId };
    upsertSearchAttributes([{ key: versionKey, value: req.toVersion }]);
    return { fromVersion: run.args.version, toVersion: req.toVersion, atNodeId: point.nodeId, toNodeId, kind: point.kind };
  }
}

function targetNode(req: MigrationRequest, nodeId: string): string {
  return req.nodeMapping?.[nodeId] ?? nodeId;
}
