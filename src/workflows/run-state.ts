/**
 * The state of an execution that LOOP batch children hand back and a run that continues as new
 * hands on (see loop-batches.ts, continuation.ts): variables, node outputs, runs per node, the
 * step count, the trace, and what error handling has spent. Plain objects, not Maps: it crosses
 * payloads as JSON.
 */
import { NodeScope, type NodeOutputs } from './node-scopes';
import { ExecutionTrace } from './trace';
import type { BatchState, NodeErrorInfo, TraceEntry } from './types';
import type { Frame } from './walker';

export class RunState {
  protected vars: Record<string, unknown> = {};
  protected readonly nodeOutputs: NodeOutputs = {};
  /** The execution's own node outputs, which walks outside any iteration or branch read and write. */
  protected readonly rootScope = NodeScope.root(this.nodeOutputs);
  protected readonly traces = new ExecutionTrace();
  /** The trace entries (the latest; see trace.ts). */
  get trace(): TraceEntry[] {
    return this.traces.entries;
  }
  // Plain objects, not Maps: this state must survive a future continue-as-new as JSON.
  protected readonly runsPerNode: Record<string, number> = {};
  /** ERROR_HANDLER retries spent per node, reset when the node succeeds. */
  readonly handlerRetries: Record<string, number> = {};
  lastFailure: (NodeErrorInfo & { failedNodeId: string }) | null = null;
  steps = 0;

  exportState(): BatchState {
    return { vars: this.vars, nodeOutputs: this.nodeOutputs, runsPerNode: this.runsPerNode, steps: this.steps, traceSeq: this.traces.seq };
  }

  importState(state: BatchState, trace: TraceEntry[] = []): void {
    Object.assign(this.vars, state.vars);
    Object.assign(this.nodeOutputs, state.nodeOutputs);
    Object.assign(this.runsPerNode, state.runsPerNode);
    this.steps = state.steps;
    this.traces.seq = state.traceSeq;
    this.traces.append(trace);
  }

  traceTail(n: number): TraceEntry[] {
    return this.trace.slice(-n);
  }

  assignVariables(values: Record<string, unknown>): void {
    Object.assign(this.vars, values);
  }

  variables(): Record<string, unknown> {
    return this.vars;
  }

  scopeOf(frame: Frame): NodeScope {
    return frame.nodes ?? this.rootScope;
  }

  setNodeOutput(nodeId: string, output: unknown): void {
    this.nodeOutputs[nodeId] = { output };
  }

  recordStateTimeout(nodeId: string, output: Record<string, unknown>): void {
    this.traces.stateTimeout(nodeId, output);
  }
}
