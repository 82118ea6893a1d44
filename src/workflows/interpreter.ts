/**
 * The one generic workflow, `interpretGraph`, and its dry run, `simulateGraph`: how an execution
 * starts and ends. The walk along the graph is graph-walk.ts; each node type's step is in
 * steps/<family>.ts.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { ApplicationFailure, ContinueAsNew, CancellationScope, allHandlersFinished, condition, isCancellation } from '@temporalio/workflow';
import { WeftError } from '../graph/errors';
import { validateDefinition } from '../graph/validate';
import { ErrorPolicies } from './steps/error-policies';
import { runLoopBatch } from './steps/loop-batches';
import { withExecutionTimeout } from './execution-timeout';
import { recordFinished, recordStarted } from './execution-record';
import { describeNodeError, NodeFailed } from './node-errors';
import type { ExecutionInput, ExecutionResult, NodeErrorInfo, SimulationReport, SimulationSamples } from './types';
import { GraphWalk } from './graph-walk';
import { holdsAdmission, releaseSlot, waitForSlot } from './admission';

/**
 * The one generic workflow: interprets any validated graph. Control nodes run here at no
 * history cost; each side-effecting node is exactly one activity.
 */
export async function interpretGraph(args: ExecutionInput): Promise<ExecutionResult> {
  if (args.loopBatch) return new GraphRun(args).runBatch(args.loopBatch);
  return new GraphRun(args).run();
}

/**
 * Runs a graph as a dry run: side-effecting nodes and SUBPROCESS answer from `samples`, WAIT
 * does not wait, and nothing is recorded — the world is not touched. Never fails: the report
 * says how the run ended.
 */
export async function simulateGraph(args: ExecutionInput, samples: SimulationSamples): Promise<SimulationReport> {
  return new GraphRun(args, samples).simulate();
}

/**
 * Runs a graph as a dry run inside the calling workflow (a what-if, what-if/workflow.ts): as
 * {@link simulateGraph}, without queries or updates of its own; the report lists how each
 * side-effecting node was answered.
 */
export function simulateEmbedded(args: ExecutionInput, samples: SimulationSamples): Promise<SimulationReport> {
  return new GraphRun(args, samples, true).simulate();
}

/**
 * The run of one execution: it checks the graph, records the execution's start and end, bounds
 * it by `settings.timeoutMs`, and turns a failure into the workflow's failure; the walk itself is
 * GraphWalk (graph-walk.ts).
 */
class GraphRun extends GraphWalk {
  async simulate(): Promise<SimulationReport> {
    const report = (status: SimulationReport['status'], output: unknown, error: NodeErrorInfo | null): SimulationReport => ({
      status,
      output,
      error,
      path: this.trace.map((t) => t.nodeId),
      trace: [...this.trace],
      ...(this.samples?.recorded ? { answers: [...this.simulatedAnswers] } : {}),
    });
    try {
      this.prepare();
      return report('completed', await this.walk(), null);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const described = err instanceof NodeFailed ? { info: err.info } : describeNodeError(err, this.running[0]?.id ?? '');
      if (!described) throw err;
      return report('failed', null, described.info);
    }
  }

  /** Checks the graph and sets the variables an execution starts with. */
  private prepare(): void {
    const checked = validateDefinition(this.graph);
    if (!checked.ok) {
      throw new WeftError('INVALID_WORKFLOW', 'the graph given to this execution is not valid', { issues: checked.issues });
    }
    this.policies = new ErrorPolicies(checked.definition);
    for (const [name, decl] of Object.entries(this.graph.variables ?? {})) this.vars[name] = decl.value ?? null;
    if (this.args.resume) {
      Object.assign(this.vars, this.args.resume.vars);
      Object.assign(this.nodeOutputs, this.args.resume.nodeOutputs);
    }
    if (this.args.continued) this.restore(this.args.continued);
  }

  async run(): Promise<ExecutionResult> {
    await recordStarted(this.args, this.startedAt);
    if (!holdsAdmission(this.args)) return this.runGraph();
    let continuing = false;
    try {
      return await this.runGraph(() => waitForSlot(this.args, (status) => this.controls.setStatus(status)));
    } catch (err) {
      // The next run carries on with the slot; every other end frees it.
      continuing = err instanceof ContinueAsNew;
      throw err;
    } finally {
      if (!continuing) await CancellationScope.nonCancellable(() => releaseSlot());
    }
  }

  /** Runs the graph (after `admit`, when the execution waits for a slot) and records how it ended. */
  private async runGraph(admit?: () => Promise<void>): Promise<ExecutionResult> {
    try {
      // Inside the try: an execution cancelled while queued is recorded cancelled.
      await admit?.();
      this.prepare();
      const output = await withExecutionTimeout(
        {
          limitMs: this.graph.settings?.timeoutMs,
          startedAt: this.startedAt,
          continued: Boolean(this.args.continued),
          runningNodeId: () => this.running[0]?.id,
        },
        () => this.walk(),
      );
      // Persist first: the `status` query must not say completed before the result is readable.
      await this.recordFinished('completed', output, null);
      this.controls.setStatus('completed');
      return { status: 'completed', output };
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      if (isCancellation(err)) {
        const reason = this.cancelledBy ?? { code: 'CANCELLED', message: 'cancelled' };
        await CancellationScope.nonCancellable(() => this.recordFinished('cancelled', null, reason));
        this.controls.setStatus('cancelled');
        throw err;
      }
      const described = err instanceof NodeFailed ? { info: err.info } : describeNodeError(err, this.running[0]?.id ?? '');
      if (!described) throw err;
      described.info = await this.saga.rollBack(this, described.info);
      this.error = described.info;
      await this.recordFinished('failed', null, described.info);
      this.controls.setStatus('failed');
      // The second detail is what a manual retry from the failed node starts from.
      const resumable = { fromNodeId: described.info.nodeId ?? null, vars: { ...this.vars }, nodeOutputs: { ...this.nodeOutputs } };
      throw ApplicationFailure.create({
        type: described.info.code,
        message: described.info.message,
        nonRetryable: true,
        details: [described.info, resumable],
      });
    }
  }

  private async recordFinished(status: 'completed' | 'failed' | 'cancelled', output: unknown, error: NodeErrorInfo | null): Promise<void> {
    // An action that let the run finish (a resume, an advance) is answered, and audited, first.
    // Handlers recorded before they could wait are always finished here: no await, same commands.
    if (!allHandlersFinished()) await condition(allHandlersFinished);
    return recordFinished(this.args, this.startedAt, this.trace, status, output, error);
  }

  /** A LOOP batch child (see loop-batches.ts): no execution record of its own. */
  runBatch(batch: NonNullable<ExecutionInput['loopBatch']>): Promise<ExecutionResult> {
    return runLoopBatch(
      this,
      batch,
      () => this.prepare(),
      (input) => {
        this.args.input = input;
      },
    );
  }
}
