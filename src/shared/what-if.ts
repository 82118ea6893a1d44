/**
 * The contract between the what-if workflow (src/workflows/what-if/) and the activities that load
 * recorded executions and store what became of them (src/activities/what-if.ts). Types only, so
 * workflow code may import them; every shape survives the JSON payload converter.
 */
import type { ExecutionSite } from '../graph/expressions';

/** What became of one recorded execution under the candidate version. */
export const WHAT_IF_CATEGORIES = ['same', 'output_changed', 'path_changed', 'now_fails', 'now_succeeds', 'unanswered'] as const;
export type WhatIfCategory = (typeof WHAT_IF_CATEGORIES)[number];

/** Which recorded executions a what-if runs (newest first). */
export interface WhatIfSample {
  /** Only executions recorded from this version. */
  fromVersion?: string;
  /** Only executions started at this site. */
  site?: string;
  /** ISO 8601 instants bounding when they started. */
  since?: string;
  until?: string;
  /** Only executions that ended so; both when absent. */
  status?: 'completed' | 'failed';
  limit: number;
}

/** A node failure as recorded or simulated. */
export interface WhatIfError {
  code: string;
  message: string;
  nodeId?: string;
  details?: unknown;
}

/** What every run of a what-if (each continued run too) starts from. */
export interface WhatIfPlan {
  definitionId: string;
  version: string;
  /** The candidate version's graph. */
  graph: unknown;
  stubs: Record<string, unknown>;
  total: number;
}

/** One recorded node run a simulation can be answered from. */
export interface RecordedRun {
  nodeId: string;
  nodeType: string;
  iteration: number;
  output: unknown;
  error: WhatIfError | null;
}

/** One recorded execution, as much of it as re-running it takes. */
export interface RecordedExecution {
  ordinal: number;
  executionId: string;
  version: string;
  input: unknown;
  startedAt: string;
  /** The site and configuration snapshot recorded at its start, when it started at a site. */
  site?: ExecutionSite;
  config?: Record<string, unknown>;
  /** Its side-effecting and APPROVAL node runs, in the order they ran. */
  runs: RecordedRun[];
}

/** The next executions to run, with the graphs of the versions they were recorded from. */
export interface WhatIfBatch {
  executions: RecordedExecution[];
  graphs: Record<string, unknown>;
}

/** One node run of a simulation. */
export interface SimulatedNodeRun {
  nodeId: string;
  iteration: number;
  status: string;
  output?: unknown;
  error?: WhatIfError;
}

/** How one execution ran under the candidate version, in simulation. */
export interface SimulatedRun {
  status: 'completed' | 'failed';
  output: unknown;
  error: WhatIfError | null;
  path: string[];
  nodes: SimulatedNodeRun[];
  /** Side-effecting nodes no recorded run (same node, same request) and no stub answered. */
  unanswered: string[];
  /** Nodes answered by a stub. */
  stubbed: string[];
}

/** What the workflow hands the store activity for one execution. */
export interface WhatIfOutcome {
  ordinal: number;
  executionId: string;
  now: SimulatedRun;
}

/** Totals of a what-if: per category, and the nodes behind the most differences. */
export interface WhatIfSummary {
  total: number;
  processed: number;
  counts: Record<WhatIfCategory, number>;
  /** Share of the processed executions per category, 0..1. */
  shares: Record<WhatIfCategory, number>;
  /** Share of processed executions that are not `same`, 0..100. */
  changedPercentage: number;
  topNodes: Array<{ nodeId: string; executions: number }>;
}

/** A rollout's what-if gate (docs/what-if.md): the rollout starts only when the what-if passes. */
export interface WhatIfGate {
  /** The what-if the rollout runs (created with the rollout, started by it). */
  whatIfId: string;
  /** The most executions, in percent of those run, whose outcome may differ (any category but `same`). */
  maxChangedPercentage: number;
  /** Whether executions that completed and now fail may pass (default false). */
  allowNowFails: boolean;
}

/** The gate's verdict: passed, or why not and which executions broke it. */
export interface WhatIfVerdict {
  passed: boolean;
  /** Why it did not pass, in a sentence naming the executions; null when it passed. */
  reason: string | null;
  breaking: Array<{ executionId: string; category: WhatIfCategory }>;
  summary: WhatIfSummary;
}
