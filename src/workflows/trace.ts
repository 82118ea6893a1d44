/** The per-node trace of an execution (the `trace` query, the execution record): its latest entries. */
import type { GraphNode } from '../graph/schema';
import { nowIso } from './execution-record';
import type { TraceEntry } from './types';

/** Long loops must not grow state and the final record without bound: the latest runs are kept. */
const MAX_TRACE_ENTRIES = 2_000;

export class ExecutionTrace {
  readonly entries: TraceEntry[] = [];
  /** The number of the last entry, counted across batches and continued runs. */
  seq = 0;

  /** Adds the entry of a node run starting now; the caller completes it. */
  begin(node: GraphNode, iteration: number): TraceEntry {
    const entry: TraceEntry = {
      seq: ++this.seq,
      nodeId: node.id,
      nodeType: node.type,
      ...(node.name ? { nodeName: node.name } : {}),
      iteration,
      status: 'running',
      attempts: 0,
      startedAt: nowIso(),
    };
    this.entries.push(entry);
    if (this.entries.length > MAX_TRACE_ENTRIES) this.entries.shift();
    return entry;
  }

  /** Adds a fired state-timeout rule. */
  stateTimeout(nodeId: string, output: Record<string, unknown>): void {
    const at = nowIso();
    this.entries.push({
      seq: ++this.seq,
      nodeId,
      nodeType: 'STATE_TIMEOUT',
      iteration: 0,
      status: 'completed',
      output,
      attempts: 1,
      startedAt: at,
      endedAt: at,
    });
    if (this.entries.length > MAX_TRACE_ENTRIES) this.entries.shift();
  }

  /** Takes over entries of a batch child or a previous run. */
  append(entries: TraceEntry[]): void {
    this.entries.push(...entries);
    if (this.entries.length > MAX_TRACE_ENTRIES) this.entries.splice(0, this.entries.length - MAX_TRACE_ENTRIES);
  }
}
