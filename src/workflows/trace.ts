/** The per-node trace of an execution (the `trace` query, the execution record): its latest entries. */
import type { GraphNode } from '../graph/schema';
import type { NodeProgressRun } from '../shared/node-progress';
import { nowIso } from './execution-record';
import type { TraceEntry } from './types';

/** Long loops must not grow state and the final record without bound: the latest runs are kept. */
const MAX_TRACE_ENTRIES = 2_000;

export class ExecutionTrace {
  readonly entries: TraceEntry[] = [];
  /** The number of the last entry, counted across batches and continued runs. */
  seq = 0;
  /**
   * What node activities have already carried of each entry (see {@link takeUnreported}): its
   * start, or its start and end. Workflow state, so replay carries the same runs again.
   */
  private readonly reported = new Map<number, 'started' | 'ended'>();

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

  /**
   * The entries whose start or end no node activity has carried yet, in trace order, marked as
   * carried now (the records they go to are idempotent, so carrying one twice costs nothing).
   */
  takeUnreported(): NodeProgressRun[] {
    const runs: NodeProgressRun[] = [];
    for (const e of this.entries) {
      const ended = e.status !== 'running';
      const seen = this.reported.get(e.seq);
      if (seen === 'ended' || (seen === 'started' && !ended)) continue;
      this.reported.set(e.seq, ended ? 'ended' : 'started');
      runs.push(progressRun(e));
    }
    // Entries that fell off the trace are never carried again: forget them.
    const first = this.entries[0]?.seq ?? this.seq + 1;
    if (this.reported.size > this.entries.length) for (const seq of this.reported.keys()) if (seq < first) this.reported.delete(seq);
    return runs;
  }

  /** Notes that the activity of entry `seq` recorded its end itself. */
  reportedEnd(seq: number): void {
    this.reported.set(seq, 'ended');
  }

  /** Takes over entries of a batch child or a previous run. */
  append(entries: TraceEntry[]): void {
    this.entries.push(...entries);
    if (this.entries.length > MAX_TRACE_ENTRIES) this.entries.splice(0, this.entries.length - MAX_TRACE_ENTRIES);
  }
}

/** An entry as a node activity carries it: without its output, which the final record writes. */
function progressRun(e: TraceEntry): NodeProgressRun {
  return {
    seq: e.seq,
    nodeId: e.nodeId,
    nodeType: e.nodeType,
    ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    iteration: e.iteration,
    status: e.status,
    attempts: e.attempts,
    startedAt: e.startedAt,
    ...(e.endedAt ? { endedAt: e.endedAt } : {}),
    ...(e.error ? { error: e.error } : {}),
  };
}
