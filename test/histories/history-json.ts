import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.History;
const { History } = temporal.api.history.v1;

/**
 * History ⇄ JSON through @temporalio/proto's own codec. (The SDK's historyFromJSON/historyToJSON
 * fail in this install: @temporalio/common and @temporalio/proto load separate protobufjs copies.)
 */
export function historyToPlain(history: temporal.api.history.v1.IHistory): unknown {
  // fromObject hands a decoded message back unchanged and decodes a plain object.
  return History.toObject(History.fromObject(history as Record<string, unknown>), { longs: String, enums: String, bytes: String });
}

/**
 * Where a recorded file keeps the workflow id it ran under: replay must use the same one when the
 * workflow derives ids from it (an APPROVAL node's child). Files without it replay under any id.
 */
export const WORKFLOW_ID_KEY = 'weftWorkflowId';

export function historyFromPlain(plain: unknown): History {
  const { [WORKFLOW_ID_KEY]: _id, ...history } = plain as Record<string, unknown>;
  return History.fromObject(history);
}

/** The workflow id a recorded file ran under, if it says. */
export function recordedWorkflowId(plain: unknown): string | undefined {
  const id = (plain as Record<string, unknown>)[WORKFLOW_ID_KEY];
  return typeof id === 'string' ? id : undefined;
}
