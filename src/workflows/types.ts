import type { OperationMeta } from '../shared/execution-operations';
import type { WorkflowDefinition } from '../graph/schema';
import type { ExecutionSite } from '../graph/expressions';
import type { Frame } from './walker';
import type { AdmissionLimits } from '../shared/admission';

/** One completed run that can be undone. Plain JSON, so that it can be carried across a continue-as-new. */
export interface CompensableRun {
  nodeId: string;
  iteration: number;
  /** The node that undoes it. */
  compensation: string;
  output: unknown;
}

/**
 * The instance states of a running graph (the seeds' workflow-instance states). `pending` is
 * only seen before the worker picks the execution up; `queued` while it waits for a slot under
 * its workflow's limits (settings.maxConcurrentExecutions, maxStartsPerMinute).
 */
export type ExecutionStatus = 'pending' | 'queued' | 'running' | 'waiting' | 'suspended' | 'completed' | 'failed' | 'cancelled' | 'escalated';

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled'];

/** What the API hands the interpreter: an immutable snapshot of one version, never a reference. */
export interface ExecutionInput {
  definitionId: string;
  version: string;
  graph: WorkflowDefinition;
  input: unknown;
  startedBy?: string;
  /** Where the execution runs, when it was started at a site. */
  site?: ExecutionSite;
  /** The site's effective configuration (secrets left out), resolved once at start: `config.<key>`. */
  config?: Record<string, unknown>;
  /** A manual retry: start at `fromNodeId` with the state the failed execution had there. */
  resume?: ResumeState;
  /** Set only on a LOOP batch child: run just these iterations and hand the state back. */
  loopBatch?: LoopBatchInput;
  /** Set on a run that continues an execution whose history grew long (see continuation.ts). */
  continued?: ContinuedState;
  /** The workflow's limits: the execution waits, `queued`, for a slot before its first node (admission.ts). */
  admission?: AdmissionLimits;
}

/** What one run of an execution hands the next when it continues as new: plain JSON. */
export interface ContinuedState extends BatchState {
  /** The node the next run starts with, or, with `awaiting`, the state it waits in. */
  fromNodeId: string;
  /** Set when the run continued as it began to wait for `advance`: the port the state left by. */
  awaiting?: { port: string | null };
  /** Set when a migration moved a suspended instance: the next run starts suspended too. */
  suspended?: boolean;
  /** When the execution (its first run) started. */
  startedAt: string;
  trace: TraceEntry[];
  handlerRetries: Record<string, number>;
  /** Advances accepted but not yet taken. */
  pendingEvents: AdvanceRequest[];
  refusedEvents: Array<AdvanceRequest & { at: string; reason: string }>;
  lastFailure: (NodeErrorInfo & { failedNodeId: string }) | null;
  /** Completed runs that rollbackOnFailure would undo. */
  compensable: CompensableRun[];
}

/** What a failed execution carries so that it can be retried from the node that failed. */
export interface ResumeState {
  fromNodeId: string;
  vars: Record<string, unknown>;
  nodeOutputs: Record<string, { output: unknown }>;
  /** The execution this one retries. */
  retryOf: string;
}

/** A node failure as users see it: a stable code, a message, the node that failed. */
export interface NodeErrorInfo {
  code: string;
  message: string;
  nodeId?: string;
  details?: unknown;
}

/** One run of one node, as the `trace` query and `/history` report it. */
export interface TraceEntry {
  seq: number;
  nodeId: string;
  nodeType: string;
  nodeName?: string;
  /** How many times this node had run before, in this execution (loops, cycles). */
  iteration: number;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error?: NodeErrorInfo;
  attempts: number;
  startedAt: string;
  endedAt?: string;
}

/** Sample answers for a simulation: side-effecting nodes return these instead of acting. */
export interface SimulationSamples {
  /** Output per node id (null when absent). */
  outputs: Record<string, unknown>;
  /** Nodes that should fail, with the code and message they fail with. */
  errors: Record<string, { code: string; message?: string }>;
  /** A what-if: side-effecting nodes answer from these recorded runs instead of `outputs` (see steps/recorded-answers.ts). */
  recorded?: RecordedAnswers;
  /** The recorded execution the run stands in for: `execution.id` and `execution.startedAt` are its own. */
  execution?: { id: string; startedAt: string };
}

/** One recorded run of a side-effecting node: what it answered (and, once known, what it was asked). */
export interface RecordedNodeRun {
  nodeId: string;
  iteration: number;
  /** The rendered request (graph/rendered-request.ts); absent before it is known. */
  request?: unknown;
  output: unknown;
  /** Set when the run failed: the simulated node fails the same way. */
  error?: NodeErrorInfo | null;
}

/**
 * How a what-if answers side-effecting nodes. `iteration`: the recorded run of the same node and
 * iteration (re-running the version that was recorded, to learn the requests it sent);
 * `request`: a recorded run of the same node whose request is the same, else `stubs[nodeId]`,
 * else the node fails as unanswered.
 */
export interface RecordedAnswers {
  match: 'iteration' | 'request';
  runs: RecordedNodeRun[];
  stubs: Record<string, unknown>;
}

/** How one side-effecting node run of a what-if was answered, and the request it rendered. */
export interface SimulatedAnswer {
  nodeId: string;
  iteration: number;
  request: unknown;
  answeredBy: 'recorded' | 'stub' | 'unanswered';
}

/** What a simulation reports: the outcome, the path taken and the per-node trace. */
export interface SimulationReport {
  status: 'completed' | 'failed';
  output: unknown;
  error: NodeErrorInfo | null;
  path: string[];
  trace: TraceEntry[];
  /** In a what-if: every side-effecting node run, its rendered request and where its answer came from. */
  answers?: SimulatedAnswer[];
}

export interface ExecutionResult {
  status: 'completed';
  output: unknown;
}

export interface StatusView {
  status: ExecutionStatus;
  currentNodeId: string | null;
  /** Every node running now (several inside PARALLEL branches or concurrent LOOP iterations). */
  currentNodeIds: string[];
  steps: number;
  startedAt: string;
  error: NodeErrorInfo | null;
  /** Triggers the instance is waiting for (edges with `trigger`), if any. */
  awaitingTriggers: string[];
  /** Advances that arrived as signals the instance was not waiting for: recorded, not applied. */
  refusedEvents: Array<AdvanceRequest & { at: string; reason: string }>;
}

/** Sent by `advance`: an event that edges with a matching `trigger` wait for. */
export interface AdvanceRequest extends OperationMeta {
  trigger: string;
  data?: unknown;
}

/** A run of consecutive LOOP iterations: `[offset, offset + limit)` of the whole loop. */
export interface LoopSlice {
  offset: number;
  limit: number;
  /** The items of this slice (an `items` loop); absent for a `while` loop. */
  items?: unknown[];
  /** The whole loop's item count (`loop.count`); null for `while`. */
  count: number | null;
}

/** The interpreter state a LOOP batch child (steps/loop-batches.ts) starts from and hands back; a continued run carries it too. */
export interface BatchState {
  vars: Record<string, unknown>;
  nodeOutputs: Record<string, { output: unknown }>;
  runsPerNode: Record<string, number>;
  steps: number;
  traceSeq: number;
}

/** What a batch child is given (ExecutionInput.loopBatch). */
export interface LoopBatchInput {
  loopNodeId: string;
  frame: Frame;
  slice: LoopSlice;
  state: BatchState;
  /** Set when the execution's input was too large to copy: the execution whose recorded input to read. */
  inputFrom?: string;
  /** START nodes whose output (the input itself) was left out of `state` with it. */
  inputNodes?: string[];
  /** Set when the execution gives iterations node outputs of their own (node-scopes.ts): the batch does too. */
  scopedOutputs?: boolean;
}
