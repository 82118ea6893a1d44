import { ChildWorkflowFailure, ParentClosePolicy, isCancellation, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import { evaluateExpression } from '../../graph/expressions';
import { parseNodeProperties, type SubprocessProperties } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import { describeNodeError, NodeFailed } from '../node-errors';
import { definitionIdKey, statusKey, versionKey } from '../search-attributes';
import type { ExecutionInput, ExecutionResult, NodeErrorInfo } from '../types';
import type { Frame, Walker } from '../walker';
import type { Step } from './step';

// Reading the child's snapshot is the one piece of I/O a SUBPROCESS needs.
const definitions = proxyActivities<WeftActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
});

export interface SubprocessOutcome {
  output: unknown;
  attempts: number;
}

function toPlain(value: unknown): unknown {
  const json = JSON.stringify(value ?? null);
  return json === undefined ? null : JSON.parse(json);
}

/**
 * Runs a SUBPROCESS node: the child is an `interpretGraph` execution of the named definition's
 * published snapshot, with its own id `<parent>:<node>:<iteration>[:<attempt>]`. With
 * `waitForCompletion: false` the child is started and abandoned to run on its own.
 */
export async function runSubprocess(
  walker: Walker & { assignVariables(values: Record<string, unknown>): void },
  node: GraphNode,
  props: SubprocessProperties,
  frame: Frame,
  iteration: number,
  parent: Pick<ExecutionInput, 'startedBy' | 'site'>,
): Promise<SubprocessOutcome> {
  const snapshot = await definitions.loadDefinitionSnapshot({ definitionId: props.workflowId, version: props.version });
  const ctx = walker.context(frame);
  const input: Record<string, unknown> = {};
  for (const [key, expr] of Object.entries(props.inputMapping)) input[key] = toPlain(evaluateExpression(expr, ctx));
  const args: ExecutionInput = {
    definitionId: snapshot.definitionId,
    version: snapshot.version,
    graph: snapshot.graph,
    input,
    startedBy: parent.startedBy,
    site: parent.site,
  };
  const attempts = props.failureHandling === 'retry' ? props.maxAttempts : 1;
  const baseId = `${workflowInfo().workflowId}:${node.id}:${iteration}`;

  for (let attempt = 1; ; attempt++) {
    const child = await startChild<(a: ExecutionInput) => Promise<ExecutionResult>>('interpretGraph', {
      workflowId: attempt === 1 ? baseId : `${baseId}:${attempt}`,
      args: [args],
      ...(props.timeoutMinutes ? { workflowExecutionTimeout: props.timeoutMinutes * 60_000 } : {}),
      parentClosePolicy: props.waitForCompletion ? ParentClosePolicy.TERMINATE : ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: definitionIdKey, value: snapshot.definitionId },
        { key: versionKey, value: snapshot.version },
        { key: statusKey, value: 'running' },
      ],
      staticSummary: `${node.id} → ${snapshot.definitionId}@${snapshot.version}`,
    });
    if (!props.waitForCompletion) return { output: { childId: child.workflowId, version: snapshot.version, started: true }, attempts: attempt };
    try {
      const result = await child.result();
      const output = { childId: child.workflowId, version: snapshot.version, output: result.output };
      const mapped: Record<string, unknown> = {};
      const outCtx = walker.context(frame, { output: result.output });
      for (const [name, expr] of Object.entries(props.outputMapping)) mapped[name] = toPlain(evaluateExpression(expr, outCtx));
      walker.assignVariables(mapped);
      return { output, attempts: attempt };
    } catch (err) {
      if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
      const described = describeNodeError(err, node.id) as { info: NodeErrorInfo };
      const info: NodeErrorInfo = { ...described.info, details: { childId: child.workflowId } };
      if (attempt < attempts) continue;
      if (props.failureHandling === 'continue') return { output: { childId: child.workflowId, version: snapshot.version, error: info }, attempts: attempt };
      throw new NodeFailed(info, attempt);
    }
  }
}

/** The SUBPROCESS step (schema: src/graph/nodes/subprocess.ts). */
export const subprocess: Step<'SUBPROCESS'> = async ({ host, node, props, iteration, frame }) =>
  runSubprocess(host, node, parseNodeProperties('SUBPROCESS', props), frame, iteration, host.args);
