/**
 * Operator actions on a running execution (suspend, resume, advance, setVariables) and their
 * audit record, which the interpreter writes through an activity before it answers the update or
 * takes the signal (src/workflows/controls.ts): an accepted action always has its record, a
 * refused one none, whoever sent it (the API, the temporal CLI, another service).
 */
import type { ActionRequestContext } from './rollouts';

/** Who sent an action, added to its update or signal argument; a bare Temporal client sends none. */
export interface OperationMeta {
  /** The user (the API's token subject); absent for a bare Temporal client. */
  by?: string;
  /** The API request it came with. */
  request?: ActionRequestContext;
  /** Chosen by the API so that its own check after the answer finds the record; otherwise the workflow's. */
  operationId?: string;
}

/** One accepted action's audit record (written once per `operationId`). */
export interface ExecutionOperationRecord {
  executionId: string;
  operationId: string;
  /** `suspended`, `resumed`, `advanced`, `data_updated`: the audit action is `execution.<action>`. */
  action: string;
  /** The audit actor: the user, or `temporal` for a bare Temporal client. */
  by: string;
  request?: ActionRequestContext;
  details: Record<string, unknown> | null;
  /** The execution as the action found it. */
  before: { status: string; currentNodeId: string | null };
}
