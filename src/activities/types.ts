/**
 * Shapes that cross the workflow/activity boundary. Types only, so workflow code may import
 * them; everything here must survive the JSON payload converter (no Date, Map or class).
 */

import type { ExecutionSite } from '../graph/expressions';

// The HTTP shapes are shared with the HTTP client in domain/http.
export type { HttpRequestSpec, HttpResponseOutput } from '../shared/http';

/** Every node activity answers with its output and the attempt that produced it. */
export interface NodeActivityResult<T> {
  output: T;
  attempt: number;
}

/** Details carried by a node activity's ApplicationFailure (index 0 of `details`). */
export interface NodeFailureDetails {
  attempt: number;
  status?: number;
}

export interface ExecutionStartedRecord {
  executionId: string;
  runId: string;
  definitionId: string;
  version: string;
  input: unknown;
  startedAt: string;
  startedBy?: string;
  /** Set when started at a site: the site and its configuration as the execution sees it. */
  site?: ExecutionSite;
  config?: Record<string, unknown>;
}

export interface NodeResultRecord {
  seq: number;
  nodeId: string;
  nodeType: string;
  nodeName?: string;
  iteration: number;
  status: string;
  output?: unknown;
  error?: unknown;
  attempts: number;
  startedAt: string;
  endedAt?: string;
}

/** A live status change of an execution (see recordExecutionStatus). */
export interface ExecutionStatusRecord {
  executionId: string;
  status: 'running' | 'escalated';
  /** Kept in the audit entry (which state timed out, who takes over). */
  details?: Record<string, unknown>;
}

export interface ExecutionFinishedRecord {
  executionId: string;
  definitionId: string;
  version: string;
  status: 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error?: unknown;
  startedAt: string;
  completedAt: string;
  nodeResults: NodeResultRecord[];
}
