/**
 * Compensation (saga): with `settings.rollbackOnFailure`, every completed run of a node that
 * declares `compensation` is remembered; when the execution fails for good, the compensating
 * nodes run alone, newest completion first. Each sees the output of the run it undoes as
 * `nodes.<id>.output` and as `compensating.output`.
 *
 * No patched() marker: an execution without rollbackOnFailure, or without a completed node
 * that declares `compensation`, issues no command here. Before this module `compensation` was
 * refused by the strict property schemas, so no recorded history can hold such a node.
 */
import { isCancellation } from '@temporalio/workflow';
import type { GraphNode } from '../graph/schema';
import { isPlainObject } from '../graph/json';
import { NodeFailed } from './node-errors';
import type { CompensableRun, NodeErrorInfo } from './types';
import type { Frame } from './walker';

/** What `compensating` is in the expression context of a compensation node. */
export interface CompensatingContext {
  nodeId: string;
  iteration: number;
  output: unknown;
  /** The failure that made the execution roll back. */
  error: NodeErrorInfo;
}

/** What the interpreter gives the saga: a way to run one node alone and to set a node's output. */
export interface CompensationHost {
  node(id: string): GraphNode | undefined;
  /** Runs one node alone, outside the walk; throws NodeFailed when it fails for good. */
  runDetached(node: GraphNode, frame: Frame): Promise<unknown>;
  setNodeOutput(nodeId: string, output: unknown): void;
}

/** The runs an execution would undo, newest last. */
export class CompensationLog {
  private readonly runs: CompensableRun[] = [];
  private rollingBack = false;

  constructor(private readonly enabled: boolean) {}

  /** The runs to undo, for the next run of a continued execution. */
  exportRuns(): CompensableRun[] {
    return [...this.runs];
  }

  /** Takes the runs a previous run of the execution would have undone. */
  importRuns(runs: CompensableRun[]): void {
    this.runs.push(...runs);
  }

  /** Notes a completed node run; ignored unless rollbackOnFailure is on and the node declares a compensation. */
  completed(node: GraphNode, iteration: number, output: unknown): void {
    const compensation = (node.properties as { compensation?: unknown } | undefined)?.compensation;
    // Compensations that complete during the rollback are not themselves undone.
    if (!this.enabled || this.rollingBack || typeof compensation !== 'string') return;
    this.runs.push({ nodeId: node.id, iteration, compensation, output });
  }

  /**
   * Undoes the remembered runs in reverse order. A failing compensation is recorded (its trace
   * entry says failed) and the next one still runs. Returns `failure` with `details.compensation`
   * listing what was compensated and what could not be; the failure itself is kept.
   */
  async rollBack(host: CompensationHost, failure: NodeErrorInfo): Promise<NodeErrorInfo> {
    if (!this.enabled || this.runs.length === 0) return failure;
    this.rollingBack = true;
    const compensated: Array<{ nodeId: string; iteration: number; by: string }> = [];
    const failed: Array<{ nodeId: string; iteration: number; by: string; error: NodeErrorInfo }> = [];
    for (const run of [...this.runs].reverse()) {
      const node = host.node(run.compensation) as GraphNode; // validated to exist
      host.setNodeOutput(run.nodeId, run.output);
      const compensating: CompensatingContext = { nodeId: run.nodeId, iteration: run.iteration, output: run.output, error: failure };
      try {
        await host.runDetached(node, { scope: { compensating } });
        compensated.push({ nodeId: run.nodeId, iteration: run.iteration, by: node.id });
      } catch (err) {
        if (isCancellation(err) || !(err instanceof NodeFailed)) throw err;
        failed.push({ nodeId: run.nodeId, iteration: run.iteration, by: node.id, error: err.info });
      }
    }
    this.runs.length = 0;
    const base = failure.details === undefined ? {} : isPlainObject(failure.details) ? failure.details : { cause: failure.details };
    return { ...failure, details: { ...base, compensation: { compensated, failed } } };
  }
}
