import { ApplicationFailure, ChildWorkflowFailure, executeChild, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import { WeftError } from '../../graph/errors';
import { parseNodeProperties, type LoopProperties } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import { runIterations, type LoopBatcher } from './loop';
import { describeNodeError, NodeFailed } from '../node-errors';
import type { BatchState, ExecutionInput, ExecutionResult, LoopBatchInput, LoopSlice, NodeErrorInfo, TraceEntry } from '../types';
import type { NodeOutputs } from '../node-scopes';
import type { Frame, Walker } from '../walker';

/**
 * patched() id of LOOP batches: executions recorded before them ran every iteration in their
 * own history, and must replay that way.
 */
export const LOOP_BATCH_PATCH = 'weft-loop-batches';

/** Temporal refuses payloads over 2 MB; a batch's input must stay clearly below. */
export const MAX_BATCH_INPUT_BYTES = 1_500_000;
/** What the batches of one LOOP may add to the parent's history in total (Temporal's limit: 50 MB). */
export const MAX_BATCHES_TOTAL_BYTES = 40_000_000;
/**
 * The collected results of a batched LOOP: they become the node's output, its trace entry and
 * the execution's record, each of which must fit a 2 MB payload.
 */
export const MAX_LOOP_RESULT_BYTES = 1_000_000;
/** An execution input larger than this is read by each batch from the database, not copied into its start. */
export const MAX_INLINE_INPUT_BYTES = 64_000;
/** Trace entries of a batch copied into the parent's trace (the batch's own run keeps them all). */
const TRACE_TAIL = 20;

// Reading a large execution input back is the one piece of I/O a batch adds.
const batchActivities = proxyActivities<WeftActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2, nonRetryableErrorTypes: ['EXECUTION_NOT_FOUND'] },
});

/** What a batch child returns: its results and the state that changed. */
export interface LoopBatchOutput {
  results: unknown[];
  /** True when a `while` condition turned false within the batch. */
  finished: boolean;
  /** Variables whose value changed. */
  vars: Record<string, unknown>;
  /** Outputs of the nodes that ran in the batch. */
  nodeOutputs: Record<string, { output: unknown }>;
  runsPerNode: Record<string, number>;
  steps: number;
  traceSeq: number;
  trace: TraceEntry[];
}

/** What batching needs from the interpreter besides walking. */
export interface BatchHost extends Walker {
  exportState(): BatchState;
  importState(state: Omit<BatchState, 'vars'> & { vars: Record<string, unknown> }, trace?: TraceEntry[]): void;
  traceTail(n: number): TraceEntry[];
}

function bytes(value: unknown): number {
  return JSON.stringify(value ?? null).length;
}

/**
 * The parent side: each `batchSize` iterations become one child workflow — the same
 * `interpretGraph` type told to run just that slice of the loop — started one after the other,
 * the state each one leaves (variables, node outputs, step count) carried into the next.
 * `loopRun` (how often this LOOP ran before) keeps the child ids unique across cycles.
 */
export function loopBatcher(host: BatchHost, args: ExecutionInput, loopRun: number): LoopBatcher {
  return {
    runBatches(node, props, frame, from, results) {
      // Called only when the loop is longer than a batch, so short loops record no marker.
      if (!patched(LOOP_BATCH_PATCH)) return undefined;
      const outputs = batchOutputs(host, frame, props, from.allItems !== undefined);
      return runBatches(host, args, loopRun, node, props, outputs, from, results).finally(() => outputs.close());
    },
  };
}

async function runBatches(
  host: BatchHost,
  args: ExecutionInput,
  loopRun: number,
  node: GraphNode,
  props: LoopProperties,
  outputs: BatchOutputs,
  from: Omit<LoopSlice, 'limit'> & { allItems?: unknown[] },
  results: unknown[],
): Promise<void> {
  // The input lives in the execution's record: a large one is read back by each batch instead.
  const inputFrom = bytes(args.input) > MAX_INLINE_INPUT_BYTES ? (args.loopBatch?.inputFrom ?? workflowInfo().workflowId) : undefined;
  const base: ExecutionInput = {
    definitionId: args.definitionId,
    version: args.version,
    graph: args.graph,
    input: inputFrom ? null : args.input,
    startedBy: args.startedBy,
    site: args.site,
    config: args.config,
  };
  const prefix = `${workflowInfo().workflowId}:${node.id}:${loopRun}:batch`;
  let resultBytes = bytes(results);
  let offset = from.offset;
  let first = true;
  for (;;) {
    const items = from.allItems?.slice(offset, offset + props.batchSize);
    if (items && items.length === 0) return;
    const slice: LoopSlice = { offset, limit: props.batchSize, count: from.count, ...(items ? { items } : {}) };
    const state = { ...host.exportState(), nodeOutputs: outputs.startFrom() };
    const loopBatch: LoopBatchInput = { loopNodeId: node.id, frame: outputs.frame, slice, ...withoutInput(state, inputFrom, args), ...outputs.flag };
    const input: ExecutionInput = { ...base, loopBatch };
    const inputBytes = bytes(input);
    if (inputBytes > MAX_BATCH_INPUT_BYTES) {
      throw new WeftError(
        'LOOP_BATCH_TOO_LARGE',
        `LOOP ${node.id}: a batch needs ${inputBytes} bytes of input (graph, input, variables, node outputs, items); at most ${MAX_BATCH_INPUT_BYTES}`,
        {
          details: { inputBytes, limit: MAX_BATCH_INPUT_BYTES },
        },
      );
    }
    if (first && from.allItems) {
      // Each batch carries the execution's state: refuse up front rather than fail at batch 90.
      const batches = Math.ceil((from.allItems.length - offset) / props.batchSize);
      const projected = (inputBytes - bytes(items)) * batches + bytes(from.allItems);
      if (projected > MAX_BATCHES_TOTAL_BYTES) {
        throw new WeftError(
          'LOOP_BATCH_TOO_LARGE',
          `LOOP ${node.id}: ${batches} batches would copy ${projected} bytes of state into the history; at most ${MAX_BATCHES_TOTAL_BYTES} (raise batchSize or keep less in variables)`,
          {
            details: { projectedBytes: projected, batches, limit: MAX_BATCHES_TOTAL_BYTES },
          },
        );
      }
    }
    first = false;
    let out: LoopBatchOutput;
    try {
      const result = await executeChild<(a: ExecutionInput) => Promise<ExecutionResult>>('interpretGraph', {
        workflowId: `${prefix}:${offset}`,
        args: [input],
        staticSummary: `LOOP ${node.id}: iterations ${offset}–${offset + (items?.length ?? props.batchSize) - 1}`,
      });
      out = result.output as LoopBatchOutput;
    } catch (err) {
      throw batchFailure(err, node.id);
    }
    host.importState({ ...out, nodeOutputs: {} }, out.trace);
    outputs.handBack(out.nodeOutputs);
    for (const r of out.results) results.push(r);
    resultBytes += bytes(out.results);
    if (resultBytes > MAX_LOOP_RESULT_BYTES) throw resultsTooLarge(node.id, resultBytes);
    offset += out.results.length;
    if (!items && out.finished) return;
  }
}

/** Which node outputs the batches of one LOOP start from, and where those they hand back go. */
interface BatchOutputs {
  /** The LOOP's frame as JSON (a NodeScope is none: the batch reads its outputs from its state). */
  frame: Frame;
  flag: Pick<LoopBatchInput, 'scopedOutputs'>;
  startFrom(): NodeOutputs;
  handBack(outputs: NodeOutputs): void;
  /** After the last batch (or a failed one). */
  close(): void;
}

/**
 * The outputs of the scope the LOOP runs in (node-scopes.ts), as within one history: batches of
 * a sequential loop see those of the batches before; batches of a concurrent one all start from
 * the outputs the LOOP started with, and theirs reach the LOOP's scope, in item order, after the
 * last batch.
 */
function batchOutputs(host: BatchHost, frame: Frame, props: LoopProperties, itemsLoop: boolean): BatchOutputs {
  const scope = host.scopeOf(frame);
  const scoped = host.scopesOutputs();
  const held: NodeOutputs | undefined = scoped && itemsLoop && props.concurrency > 1 ? {} : undefined;
  const startOutputs = held ? { ...scope.outputs } : undefined;
  const { nodes: _nodes, ...plainFrame } = frame;
  return {
    frame: plainFrame,
    flag: scoped ? { scopedOutputs: true } : {},
    startFrom: () => startOutputs ?? scope.outputs,
    handBack(outputs) {
      if (held) Object.assign(held, outputs);
      else scope.absorb(outputs);
    },
    close() {
      if (held) scope.absorb(held);
    },
  };
}

/** The state a batch starts from; a START node's output is the input, so it stays out with it. */
function withoutInput(state: BatchState, inputFrom: string | undefined, args: ExecutionInput): Pick<LoopBatchInput, 'state' | 'inputFrom' | 'inputNodes'> {
  if (!inputFrom) return { state };
  const inputNodes = args.graph.nodes.filter((n) => n.type === 'START' && state.nodeOutputs[n.id]).map((n) => n.id);
  const nodeOutputs = { ...state.nodeOutputs };
  for (const id of inputNodes) delete nodeOutputs[id];
  return { state: { ...state, nodeOutputs }, inputFrom, inputNodes };
}

function resultsTooLarge(nodeId: string, size: number): WeftError {
  return new WeftError(
    'LOOP_RESULTS_TOO_LARGE',
    `LOOP ${nodeId}: the collected results exceed ${MAX_LOOP_RESULT_BYTES} bytes (${size}); collect a smaller value per iteration`,
    {
      details: { bytes: size, limit: MAX_LOOP_RESULT_BYTES },
    },
  );
}

/** A failed batch fails the LOOP with the failing body node's own code and node id. */
function batchFailure(err: unknown, loopNodeId: string): unknown {
  if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) return err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.details?.[0]) return new NodeFailed(cause.details[0] as NodeErrorInfo, 1);
  const described = describeNodeError(err, loopNodeId);
  return described ? new NodeFailed(described.info, described.attempts) : err;
}

/**
 * The child side: runs one slice of the loop in this (batch) workflow and returns what changed.
 * A node failure fails the batch with the node's code; the original error rides in the details.
 */
export async function runLoopBatch(host: BatchHost, batch: LoopBatchInput, prepare: () => void, setInput: (input: unknown) => void): Promise<ExecutionResult> {
  try {
    const loaded = batch.inputFrom ? await batchActivities.loadExecutionInput({ executionId: batch.inputFrom }) : undefined;
    if (batch.inputFrom) setInput(loaded);
    prepare();
    host.importState(batch.state);
    if (batch.inputNodes?.length)
      host.importState({ ...batch.state, vars: {}, nodeOutputs: Object.fromEntries(batch.inputNodes.map((id) => [id, { output: loaded ?? null }])) });
    const node = host.node(batch.loopNodeId);
    if (!node || node.type !== 'LOOP') throw new WeftError('NODE_NOT_FOUND', `loop batch: ${batch.loopNodeId} is not a LOOP of this graph`);
    const props = parseNodeProperties('LOOP', node.properties ?? {});
    const results: unknown[] = [];
    const finished = await runIterations(host, node, props, batch.frame, batch.slice, results);
    const size = bytes(results);
    if (size > MAX_LOOP_RESULT_BYTES) throw resultsTooLarge(node.id, size);
    const after = host.exportState();
    const vars: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(after.vars)) {
      if (!(name in batch.state.vars) || JSON.stringify(value) !== JSON.stringify(batch.state.vars[name])) vars[name] = value;
    }
    // A node ran in the batch iff its run count moved: only those outputs travel back.
    const nodeOutputs: Record<string, { output: unknown }> = {};
    for (const [id, runs] of Object.entries(after.runsPerNode)) {
      if (runs !== batch.state.runsPerNode[id] && after.nodeOutputs[id]) nodeOutputs[id] = after.nodeOutputs[id];
    }
    const output: LoopBatchOutput = {
      results,
      finished,
      vars,
      nodeOutputs,
      runsPerNode: after.runsPerNode,
      steps: after.steps,
      traceSeq: after.traceSeq,
      trace: host.traceTail(TRACE_TAIL),
    };
    return { status: 'completed', output };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const described = describeNodeError(err, batch.loopNodeId);
    if (!described) throw err;
    throw ApplicationFailure.create({ type: described.info.code, message: described.info.message, nonRetryable: true, details: [described.info] });
  }
}
