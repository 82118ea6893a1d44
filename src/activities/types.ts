/**
 * Shapes that cross the workflow/activity boundary. Types only, so workflow code may import
 * them; everything here must survive the JSON payload converter (no Date, Map or class).
 */

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Sent as `Idempotency-Key` so a retried call is recognisable by the server it reaches. */
  idempotencyKey: string;
  /** API_CALL `connectorId`: a custom_api connector whose base URL and auth the call borrows (secrets added in the activity). */
  connectorId?: string;
}

export interface HttpResponseOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

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
