/**
 * The walk of one execution along its graph: from node to node by edges and ports (waiting for
 * `advance` where only triggered edges remain), each node run by its step (steps/<family>.ts) and
 * traced, frames for LOOP iterations and PARALLEL branches, the step limit, suspension, and
 * continuing as new when the history grows long. How an execution starts and ends (recording,
 * its time limit, failure, simulation) is interpreter.ts.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { condition, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import { WeftError } from '../graph/errors';
import { evaluateBoolean, type ExpressionContext } from '../graph/expressions';
import type { RetryLogicProperties } from '../graph/node-types';
import type { GraphEdge, GraphNode, WorkflowDefinition } from '../graph/schema';
import type { NodeProgress } from '../shared/node-progress';
import { candidateEdges, hasPort, indexEdges, type EdgeIndex } from './edges';
import { ErrorPolicies } from './steps/error-policies';
import type { LoopBatcher } from './steps/loop';
import { loopBatcher, type BatchHost } from './steps/loop-batches';
import { runStep, type AllStepsHost, type NodeOutcome } from './steps';
import type { ApprovalHost } from './steps/approval';
import { recover, type RecoveryHost } from './steps/error-handling';
import type { SideEffectProps } from './steps/side-effect';
import { toPlain } from './steps/step';
import { TaskBudget } from './task-budget';
import { ExecutionControls, firstMatching, triggersOf, type ControlledRun } from './controls';
import { RunState } from './run-state';
import { nowIso, recordStatus } from './execution-record';
import { NODE_SCOPES_PATCH } from './node-scopes';
import { lastOutputOf, type Frame, type WalkResult } from './walker';
import { describeNodeError, NodeFailed } from './node-errors';
import { CompensationLog } from './compensation';
import { continueExecution, historyIsLong, traceToCarry } from './continuation';
import { stateTimeoutFor, waitInState } from './state-timeouts';
import { MigrationRequested, Migrations, type AcceptedMigration, type MigratableRun, type MigrationPoint } from './migration';
import type { StateTimeout } from '../graph/state-timeout-schema';
import type { ContinuedState, ExecutionInput, NodeErrorInfo, SimulatedAnswer, SimulationSamples } from './types';

const DEFAULT_MAX_STEPS = 10_000;

/** One execution's walk; the run (interpreter.ts) starts and ends it. */
export class GraphWalk extends RunState implements AllStepsHost, BatchHost, RecoveryHost, ControlledRun, MigratableRun {
  /** Whether iterations and branches get outputs of their own: decided once, at the first that runs. */
  private scopedOutputs: boolean | undefined;
  /** Nodes running now: one, or several while PARALLEL branches or LOOP iterations run. */
  readonly running: GraphNode[] = [];
  // Built after validation (GraphRun.prepare, interpreter.ts): a malformed graph must fail the execution, not the task.
  policies = new ErrorPolicies({ name: '', nodes: [], edges: [], variables: {}, settings: { maxSteps: DEFAULT_MAX_STEPS } });
  private waits = 0;
  /** Ends a workflow task every so many node runs (see task-budget.ts). */
  private readonly budget = new TaskBudget();
  /** Status, suspension and the messages that change them (controls.ts). */
  protected readonly controls = new ExecutionControls();
  /** The `migrate` update (migration.ts) and where the walk may be moved now. */
  private readonly migrations = new Migrations();
  private migratable: MigrationPoint | undefined;
  error: NodeErrorInfo | null = null;
  readonly startedAt: string;
  protected readonly graph: WorkflowDefinition;
  private readonly edges: EdgeIndex;
  private readonly nodesById: Record<string, GraphNode> = {};
  protected readonly saga: CompensationLog;
  /** Set when a state timeout's cancel rule ends the execution (see state-timeouts.ts). */
  cancelledBy: NodeErrorInfo | null = null;
  /** The frame of the execution's own walk: only between its nodes may the run continue as new. */
  private readonly topFrame: Frame = {};
  /** Whether some state waits for `advance` (see continuation.ts: where a long run continues). */
  private readonly waitsForTriggers: boolean;

  /** In a what-if: how each side-effecting node run was answered (steps/recorded-answers.ts). */
  readonly simulatedAnswers: SimulatedAnswer[] = [];

  /**
   * @param embedded a simulation run inside another workflow (a what-if): it installs no
   *   queries or updates of its own, the host workflow's are what callers see.
   */
  constructor(
    readonly args: ExecutionInput,
    readonly samples?: SimulationSamples,
    embedded = false,
  ) {
    super();
    this.startedAt = args.continued?.startedAt ?? samples?.execution?.startedAt ?? nowIso();
    this.graph = args.graph;
    this.edges = indexEdges(args.graph);
    this.waitsForTriggers = args.graph.edges.some((e) => e.trigger !== undefined);
    for (const node of args.graph.nodes ?? []) this.nodesById[node.id] = node;
    this.saga = new CompensationLog(args.graph.settings?.rollbackOnFailure === true);
    const awaiting = args.continued?.awaiting;
    if (awaiting) {
      // Before the first await: an advance sent during the switch reaches this run's validator
      // in its first activation. The status search attribute came along from the previous run.
      const edges = candidateEdges(this.edges, args.continued?.fromNodeId as string, awaiting.port ?? undefined);
      this.controls.awaitingTriggers = triggersOf(edges);
      this.controls.status = 'waiting';
    }
    if (args.continued?.suspended) this.controls.restoreSuspension();
    if (embedded) return;
    this.controls.install(this);
    this.migrations.install(this);
  }

  migrationPoint(): MigrationPoint | undefined {
    return this.migratable;
  }

  pendingAdvances(): number {
    return this.controls.pendingEvents.length;
  }

  /**
   * Where a migration can take the walk: the execution's own walk (not a branch, an iteration or
   * a LOOP batch), with nothing running or waiting besides `point`.
   */
  private boundary(frame: Frame, point: MigrationPoint): MigrationPoint | undefined {
    const alone = frame === this.topFrame && this.running.length === 0 && this.waits === 0;
    return alone && !this.samples && !this.args.loopBatch ? point : undefined;
  }

  /** Continues as new with the accepted migration's graph and version, from the node it names. */
  private migrate(): Promise<never> {
    const { graph, toVersion, toNodeId, point } = this.migrations.accepted as AcceptedMigration;
    const where = {
      ...(point.kind === 'trigger-wait' ? { awaiting: { port: point.port ?? null } } : {}),
      ...(this.controls.suspended ? { suspended: true } : {}),
    };
    return continueExecution({ ...this.args, graph, version: toVersion }, { ...this.handOn(toNodeId), ...where });
  }

  /** Waits while suspended; a migration accepted meanwhile moves the (still suspended) instance to its version. */
  private async whileSuspended(node: GraphNode, frame: Frame): Promise<void> {
    this.migratable = this.boundary(frame, { nodeId: node.id, kind: 'between-nodes' });
    try {
      await condition(() => !this.controls.suspended || (this.migratable !== undefined && this.migrations.accepted !== undefined));
    } finally {
      this.migratable = undefined;
    }
    if (this.controls.suspended) await this.migrate();
  }

  /** Takes over the state the previous run of this execution handed on (see continuation.ts). */
  protected restore(state: ContinuedState): void {
    this.importState(state, state.trace);
    Object.assign(this.handlerRetries, state.handlerRetries);
    this.controls.pendingEvents.push(...state.pendingEvents);
    this.controls.refusedEvents.push(...state.refusedEvents);
    this.lastFailure = state.lastFailure;
    this.saga.importRuns(state.compensable);
  }

  private handOn(fromNodeId: string): ContinuedState {
    return {
      fromNodeId,
      startedAt: this.startedAt,
      ...this.exportState(),
      trace: traceToCarry(this.trace),
      handlerRetries: this.handlerRetries,
      pendingEvents: this.controls.pendingEvents,
      refusedEvents: this.controls.refusedEvents,
      lastFailure: this.lastFailure,
      compensable: this.saga.exportRuns(),
    };
  }

  /** At the top level, with nothing running or waiting, a long run continues as new (see continuation.ts). */
  private async continueIfLong(node: GraphNode, frame: Frame, awaiting?: ContinuedState['awaiting']): Promise<void> {
    // Suspended: the operator's resume goes to this run (it is suspended only in this one).
    if (frame !== this.topFrame || this.samples || this.controls.suspended || this.running.length > 0 || this.waits > 0) return;
    const point = awaiting ? 'trigger-wait' : 'between-nodes';
    if (historyIsLong(this.graph.settings?.historyLimit, point, this.waitsForTriggers)) {
      await continueExecution(this.args, { ...this.handOn(node.id), ...(awaiting ? { awaiting } : {}) });
    }
  }

  context(frame: Frame = {}, extra?: Record<string, unknown>): ExpressionContext {
    const info = workflowInfo();
    return {
      input: this.args.input ?? null,
      vars: this.vars,
      nodes: frame.nodes?.outputs ?? this.nodeOutputs,
      execution: {
        id: this.samples?.execution?.id ?? info.workflowId,
        workflowId: this.args.definitionId,
        version: this.args.version,
        startedAt: this.startedAt,
        ...(this.args.site ? { site: this.args.site } : {}),
      },
      ...(this.args.config ? { config: this.args.config } : {}),
      ...(frame.loop ? { loop: frame.loop } : {}),
      ...frame.scope,
      ...extra,
    };
  }

  /**
   * Shows the instance as waiting in `state` while `work` runs (EVENT_SUBSCRIBER), under the
   * state's time limit; several may wait at once.
   */
  async whileWaiting<T>(state: GraphNode, work: () => Promise<T>): Promise<T> {
    this.enterWait();
    try {
      return await waitInState(this, state, work);
    } finally {
      this.leaveWait();
    }
  }

  hasPort(nodeId: string, port: string): boolean {
    return hasPort(this.edges, nodeId, port);
  }

  enterWait(): void {
    this.waits++;
    this.controls.setStatus('waiting');
  }

  leaveWait(): void {
    if (--this.waits === 0) this.controls.setStatus('running');
  }

  retryFor(nodeId: string): RetryLogicProperties | undefined {
    return this.policies.retryFor(nodeId);
  }

  loopBatcher(loopRun: number): LoopBatcher {
    return loopBatcher(this, this.args, loopRun);
  }

  node(id: string): GraphNode | undefined {
    return this.nodesById[id];
  }

  /** Runs one node by name, outside the walk: a compensation or a state-timeout notification. */
  async runDetached(node: GraphNode, frame: Frame): Promise<unknown> {
    return (await this.runNode(node, frame)).output;
  }

  scopesOutputs(): boolean {
    // A LOOP batch does what the execution that started it does (it has no history of that decision).
    this.scopedOutputs ??= this.args.loopBatch ? this.args.loopBatch.scopedOutputs === true : patched(NODE_SCOPES_PATCH);
    return this.scopedOutputs;
  }

  stateTimeout(nodeId: string): StateTimeout | undefined {
    return stateTimeoutFor(this.graph.settings?.stateTimeouts, nodeId);
  }

  async setEscalated(escalated: boolean, details: Record<string, unknown>): Promise<void> {
    // Row first: whoever sees `escalated` in the status can also find it in the list.
    await recordStatus(escalated ? 'escalated' : 'running', details);
    if (escalated) this.controls.setStatus('escalated');
    else if (this.controls.status === 'escalated') this.controls.setStatus('running');
  }

  matchingEdges(nodeId: string, port: string | undefined, frame: Frame): GraphEdge[] {
    const ctx = this.context(frame);
    return candidateEdges(this.edges, nodeId, port).filter((e) => !e.trigger && (!e.condition || evaluateBoolean(e.condition, ctx)));
  }

  protected async walk(): Promise<unknown> {
    const resume = this.args.continued ?? this.args.resume;
    const start = resume ? this.nodesById[resume.fromNodeId] : this.graph.nodes.find((n) => n.type === 'START');
    if (!start) throw new WeftError('NODE_NOT_FOUND', resume ? `cannot start from ${resume.fromNodeId}: no such node` : 'no START node');
    const awaiting = this.args.continued?.awaiting;
    // A run continued at a trigger wait waits on: the state itself already ran.
    const first = awaiting ? await this.follow(start, awaiting.port ?? undefined, this.topFrame) : start;
    return lastOutputOf(await this.walkFrom(first, undefined, this.topFrame));
  }

  async walkFrom(start: GraphNode, stopAt: string | undefined, frame: Frame): Promise<WalkResult> {
    const maxSteps = this.graph.settings?.maxSteps ?? DEFAULT_MAX_STEPS;
    let node: GraphNode = start;
    let lastOutput: unknown = null;
    for (;;) {
      if (node.id === stopAt) return { kind: 'reached', lastOutput };
      // A suspended instance starts no new node until it is resumed (or cancelled).
      if (this.controls.suspended) await this.whileSuspended(node, frame);
      await this.continueIfLong(node, frame);
      const pause = this.budget.step();
      if (pause) await pause;
      if (this.steps >= maxSteps) {
        throw new WeftError('STEP_LIMIT_EXCEEDED', `more than ${maxSteps} node runs (settings.maxSteps)`, { details: { nodeId: node.id } });
      }
      this.steps++;
      let outcome: NodeOutcome;
      try {
        outcome = await this.runNode(node, frame);
        delete this.handlerRetries[node.id];
      } catch (err) {
        if (!(err instanceof NodeFailed)) throw err;
        const recovery = await recover(this, node, err, frame);
        if (recovery.kind === 'retry') continue;
        if (recovery.kind === 'jump') {
          node = recovery.to;
          continue;
        }
        outcome = recovery.outcome;
      }
      if (node.type === 'END') return { kind: 'end', output: outcome.output };
      lastOutput = outcome.output;
      node = outcome.next ?? (await this.follow(node, outcome.port, frame));
    }
  }

  nodeProgress(node: GraphNode, iteration: number): NodeProgress | undefined {
    // A simulation's runs are nobody's execution; a LOOP batch child's are its parent's, carried back at its end.
    if (this.samples || this.args.loopBatch) return undefined;
    const own = [...this.trace].reverse().find((e) => e.nodeId === node.id && e.iteration === iteration && e.status === 'running');
    if (!own) return undefined;
    return { executionId: workflowInfo().workflowId, definitionId: this.args.definitionId, own: own.seq, runs: this.traces.takeUnreported() };
  }

  nodeEndRecorded(seq: number): void {
    this.traces.reportedEnd(seq);
  }

  async runNode(node: GraphNode, frame: Frame): Promise<NodeOutcome> {
    const iteration = this.runsPerNode[node.id] ?? 0;
    this.runsPerNode[node.id] = iteration + 1;
    const entry = this.traces.begin(node, iteration);
    this.running.push(node);
    try {
      const outcome = await this.execute(node, iteration, frame);
      const output = toPlain(outcome.output);
      Object.assign(entry, { status: 'completed', output, attempts: outcome.attempts, endedAt: nowIso() });
      this.scopeOf(frame).set(node.id, output);
      this.saga.completed(node, iteration, output);
      return { ...outcome, output };
    } catch (err) {
      if (isCancellation(err)) {
        Object.assign(entry, { status: 'cancelled', error: { code: 'CANCELLED', message: 'cancelled', nodeId: node.id }, endedAt: nowIso() });
        throw err;
      }
      const described = describeNodeError(err, node.id);
      if (!described) throw err;
      Object.assign(entry, { status: 'failed', error: described.info, attempts: described.attempts, endedAt: nowIso() });
      if ((node.properties as SideEffectProps | undefined)?.continueOnError) {
        // The failure becomes the node's output, so later nodes can look at `nodes.<id>.output.error`.
        const output = { error: described.info };
        this.scopeOf(frame).set(node.id, output);
        return { output, attempts: described.attempts };
      }
      throw new NodeFailed(described.info, described.attempts);
    } finally {
      this.running.splice(this.running.indexOf(node), 1);
    }
  }

  /** The node's step (steps/<family>.ts), awaited as the one execute method it was cut from was. */
  private execute(node: GraphNode, iteration: number, frame: Frame): Promise<NodeOutcome> {
    return runStep(this, node, iteration, frame);
  }

  /** What an APPROVAL node needs of this run (one object per run: it keys the node's bookkeeping). */
  private approvalHostOf: ApprovalHost | undefined;
  approvalHost(): ApprovalHost {
    this.approvalHostOf ??= {
      context: (frame, extra) => this.context(frame, extra),
      hasPort: (nodeId, port) => this.hasPort(nodeId, port),
      setEscalated: (escalated, details) => this.setEscalated(escalated, details),
      enterWait: () => this.enterWait(),
      leaveWait: () => this.leaveWait(),
      ...(this.samples ? { sample: (nodeId: string) => this.samples?.outputs[nodeId] } : {}),
    };
    return this.approvalHostOf;
  }

  /** Picks the one edge to follow, waiting for an `advance` when only triggered edges remain. */
  private async follow(node: GraphNode, port: string | undefined, frame: Frame): Promise<GraphNode> {
    const candidates = candidateEdges(this.edges, node.id, port);
    const triggered = candidates.filter((e) => e.trigger);
    const chosen =
      firstMatching(
        candidates.filter((e) => !e.trigger),
        this.context(frame),
      ) ?? (await this.awaitTrigger(node, triggered, port, frame));
    if (!chosen) {
      const where = port === undefined ? node.id : `${node.id} (port ${port})`;
      throw new NodeFailed({ code: 'NO_MATCHING_BRANCH', message: `no edge from ${where} matches`, nodeId: node.id }, 1);
    }
    const target = this.nodesById[chosen.target];
    if (!target) throw new WeftError('NODE_NOT_FOUND', `edge target ${chosen.target} does not exist`);
    return target;
  }

  private async awaitTrigger(state: GraphNode, edges: GraphEdge[], port: string | undefined, frame: Frame): Promise<GraphEdge | undefined> {
    if (edges.length === 0) return undefined;
    if (this.samples) {
      throw new WeftError('SIMULATION_WAITING', `here the instance would wait for ${triggersOf(edges).join(', ')} (advance); a simulation stops`);
    }
    await this.continueIfLong(state, frame, { port: port ?? null });
    this.controls.awaitingTriggers = triggersOf(edges);
    this.controls.setStatus('waiting');
    this.migratable = this.boundary(frame, { nodeId: state.id, kind: 'trigger-wait', port: port ?? null });
    try {
      return await waitInState(this, state, () =>
        this.controls.nextMatchingEvent(
          edges,
          (matching, event) => firstMatching(matching, this.context({}, { event: { trigger: event.trigger, data: event.data ?? null } })),
          () => this.migratable !== undefined && this.migrations.accepted !== undefined,
        ),
      );
    } catch (err) {
      if (err instanceof MigrationRequested) return this.migrate();
      throw err;
    } finally {
      this.migratable = undefined;
    }
  }
}
