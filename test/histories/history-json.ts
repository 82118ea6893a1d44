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

export function historyFromPlain(plain: unknown): History {
  return History.fromObject(plain as Record<string, unknown>);
}
