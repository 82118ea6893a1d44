/**
 * What a step is: the code that runs one node of one type inside the interpreter's walk. Each
 * family of node types has its step in steps/<family>.ts, named as its schema in
 * src/graph/nodes/<family>.ts; steps/index.ts registers them by type.
 *
 * This file names no family: a family that needs more of the run than {@link StepHost} declares
 * that in its own file (ApprovalStepHost, LoopStepHost, EventStepHost), and steps/index.ts puts
 * the hosts together, so the family files and this one never import each other in a circle.
 */
import type { RetryLogicProperties, SupportedNodeType } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import type { NodeProgress } from '../../shared/node-progress';
import { NodeFailed } from '../node-errors';
import type { StateTimeoutHost } from '../state-timeouts';
import type { ExecutionInput, NodeErrorInfo, SimulatedAnswer, SimulationSamples } from '../types';
import type { Frame, Walker } from '../walker';

/** What a node run ends with. */
export interface NodeOutcome {
  output: unknown;
  /** The port the node chose (IF_THEN_ELSE, SWITCH); undefined for single-exit nodes. */
  port?: string;
  attempts: number;
  /** Where to go on instead of following an edge (PARALLEL continues at its join). */
  next?: GraphNode;
}

/** What every step may use of the interpreter's run: walking (Walker), state timeouts, variables, waits. */
export interface StepHost extends Walker, StateTimeoutHost {
  readonly args: ExecutionInput;
  /** Set in a dry run (simulateGraph): side effects answer from these samples. */
  readonly samples?: SimulationSamples;
  /** In a what-if: where each side-effecting node run's answer came from (steps/recorded-answers.ts). */
  readonly simulatedAnswers?: SimulatedAnswer[];
  /** The failure a FALLBACK_PATH was entered for. */
  readonly lastFailure: (NodeErrorInfo & { failedNodeId: string }) | null;
  /** The execution's variables (the object itself: END copies it). */
  variables(): Record<string, unknown>;
  /** Sets variables (DATA_TRANSFORMATION, a SUBPROCESS's outputMapping). */
  assignVariables(values: Record<string, unknown>): void;
  /** True when some edge leaves `nodeId` through `port`. */
  hasPort(nodeId: string, port: string): boolean;
  /** Counts a wait in (the instance is `waiting` while any wait runs) and out. */
  enterWait(): void;
  leaveWait(): void;
  /** The RETRY_LOGIC policy guarding `nodeId`, if any. */
  retryFor(nodeId: string): RetryLogicProperties | undefined;
  /**
   * What the activity of this node run records as it starts (its run, and the runs traced since
   * the previous activity); undefined where nothing is recorded live (simulations, LOOP batches).
   */
  nodeProgress(node: GraphNode, iteration: number): NodeProgress | undefined;
  /** The activity of trace entry `seq` succeeded: it recorded the node's end itself. */
  nodeEndRecorded(seq: number): void;
}

/** One run of one node, as its step receives it; `H` is what the step uses of the run. */
export interface StepRun<T extends SupportedNodeType, H extends StepHost = StepHost> {
  host: H;
  node: GraphNode & { type: T };
  /** The node's properties as the graph gives them (validated, defaults not applied). */
  props: Record<string, unknown>;
  /** How often this node ran before in this execution. */
  iteration: number;
  frame: Frame;
}

/**
 * The step of node type `T`. Always async: the walk awaits each step the way it awaited the one
 * `execute` method steps were cut from, so recorded histories replay with the same commands.
 */
export type Step<T extends SupportedNodeType, H extends StepHost = StepHost> = (run: StepRun<T, H>) => Promise<NodeOutcome>;

/**
 * One step per node type, and only for types with a schema: a type added to the registry of
 * src/graph/node-types.ts without a step here, or a step for a type without a schema, does not
 * compile. `H` is the run every step is given: it must offer what each family's step asks for.
 */
export type StepRegistry<H extends StepHost> = { [T in SupportedNodeType]: Step<T, H> };

/** JSONata can yield sequences with extra fields or lambdas; state and payloads hold plain JSON only. */
export function toPlain(value: unknown): unknown {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  return json === undefined ? null : JSON.parse(json);
}

/** A simulated side effect: the sample output, or the sample error as a node failure. */
export function sampled(host: StepHost, node: GraphNode): NodeOutcome {
  const error = host.samples?.errors[node.id];
  if (error) throw new NodeFailed({ code: error.code, message: error.message ?? `simulated ${error.code}`, nodeId: node.id }, 1);
  return { output: host.samples?.outputs[node.id] ?? null, attempts: 1 };
}
