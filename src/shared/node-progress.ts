/**
 * Node runs a side-effecting node's activity records as it starts and ends, so that live
 * execution events show them while the execution runs (docs/analytics.md#live-execution-events).
 * The interpreter adds it to the activity's input (an input addition: replay-safe); the worker's
 * activity interceptor (src/activities/node-progress.ts) takes it off before the activity runs.
 */

/** One node run as the interpreter traced it, without its output (the final record writes that). */
export interface NodeProgressRun {
  /** The run's place in the execution's trace: the key of its `node_results` row. */
  seq: number;
  nodeId: string;
  nodeType: string;
  nodeName?: string;
  iteration: number;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  attempts: number;
  startedAt: string;
  endedAt?: string;
  error?: unknown;
}

/** What a node's activity records: its own run and the runs traced since the previous activity. */
export interface NodeProgress {
  executionId: string;
  definitionId: string;
  /** `seq` of the node this activity runs; its end is recorded when the activity succeeds. */
  own: number;
  /** The runs to record now, the activity's own (running) among them, in trace order. */
  runs: NodeProgressRun[];
}

/** What an activity input carries it in (types only: workflow code imports this file). */
export interface WithNodeProgress {
  nodeProgress?: NodeProgress;
}
