import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventDelivery } from '../shared/events';
import type { OperationMeta } from '../shared/execution-operations';
import type { WorkflowDefinition } from '../graph/schema';
import type { AdvanceRequest, ExecutionStatus, StatusView, TraceEntry } from './types';

/** Live status: instance state, current node, step count, waiting triggers. */
export const statusQuery = defineQuery<StatusView>('status');
/** The node running now, or null between nodes and after the end. */
export const currentNodeQuery = defineQuery<{ nodeId: string; type: string; name?: string } | null>('currentNode');
/** Variables as they are now: defaults, then every assignment so far. */
export const variablesQuery = defineQuery<Record<string, unknown>>('variables');
/** Every node run so far, in order. */
export const traceQuery = defineQuery<TraceEntry[]>('trace');

/** Follows edges whose `trigger` matches; refused (and nothing changes) when none waits for it. */
export const advanceUpdate = defineUpdate<{ accepted: true; trigger: string }, [AdvanceRequest]>('advance');
/** The same as `advanceUpdate` for clients that only signal; a refused signal is recorded, not applied. */
export const advanceSignal = defineSignal<[AdvanceRequest]>('advance');

/** Moves a waiting or suspended instance to another version of its definition (see migration.ts). */
export interface MigrationRequest {
  toVersion: string;
  /** The target version's graph: the snapshot the instance goes on with. */
  graph: WorkflowDefinition;
  /** Where a node the instance is at has another id (or is gone) in the target version: old id → new id. */
  nodeMapping?: Record<string, string>;
}
export interface MigrationResult {
  fromVersion: string;
  toVersion: string;
  atNodeId: string;
  toNodeId: string;
  kind: 'trigger-wait' | 'between-nodes';
}
export const migrateUpdate = defineUpdate<MigrationResult, [MigrationRequest]>('migrate');

/** Stops the instance before its next node (a running activity or timer finishes first). */
export const suspendUpdate = defineUpdate<{ status: ExecutionStatus }, [{ reason?: string } & OperationMeta]>('suspend');
/** Lets a suspended instance go on where it stopped (a bare Temporal client may send no argument). */
export const resumeUpdate = defineUpdate<{ status: ExecutionStatus }, [OperationMeta]>('resume');
/**
 * Changes variables while the instance waits (a WAIT, a trigger, or suspended); values must
 * match declared types. Answers with all variables afterwards.
 */
export const setVariablesUpdate = defineUpdate<Record<string, unknown>, [{ variables: Record<string, unknown> } & OperationMeta]>('setVariables');
/**
 * An event for one EVENT_SUBSCRIBER run (`waitId`); deliveries for runs no longer waiting, and
 * repeats of an event already taken, are ignored.
 */
export const eventSignal = defineSignal<[EventDelivery]>('event');
