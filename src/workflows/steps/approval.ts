/**
 * The APPROVAL node: starts an `approvalWorkflow` child for the request and waits for its
 * outcome. The instance is `waiting` meanwhile, `escalated` once a step escalated.
 */
import { ChildWorkflowFailure, ParentClosePolicy, isCancellation, patched, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { ApprovalNodeProperties } from '../../graph/approval-chain';
import { parseNodeProperties } from '../../graph/node-types';
import { evaluateExpression } from '../../graph/expressions';
import type { GraphNode } from '../../graph/schema';
import { renderTemplate, renderTemplatesDeep } from '../../graph/templates';
import { approvalEscalatedSignal, type ApprovalInput, type ApprovalResult } from '../approval-types';
import { describeNodeError, NodeFailed } from '../node-errors';
import type { ExecutionInput, NodeErrorInfo } from '../types';
import { APPROVAL_STATE_TIMEOUT_PATCH, waitInState } from '../state-timeouts';
import type { Frame, Walker } from '../walker';
import type { Step, StepHost } from './step';

/** What the node needs from the interpreter. */
export interface ApprovalHost {
  context: Walker['context'];
  /** True when some edge leaves `nodeId` through `port`. */
  hasPort(nodeId: string, port: string): boolean;
  /** Shows the instance as escalated (status, search attribute, execution row) or no longer. */
  setEscalated(escalated: boolean, details: Record<string, unknown>): Promise<void>;
  /** Counts a wait in (the instance is `waiting` while any wait runs) and out. */
  enterWait(): void;
  leaveWait(): void;
  /** In a simulation: the sample output of the node (the decision to assume). */
  sample?(nodeId: string): unknown;
}

/** What the APPROVAL step needs of the run besides what every step has. */
export interface ApprovalStepHost extends StepHost {
  /** What an APPROVAL node needs of this run (one object per run). */
  approvalHost(): ApprovalHost;
}

export interface ApprovalNodeOutcome {
  output: unknown;
  port: string;
  attempts: number;
}

/** Children escalated per interpreter run (keyed by its host object: one per GraphRun). */
const escalatedByHost = new WeakMap<ApprovalHost, Set<string>>();

function plain(value: unknown): unknown {
  const json = JSON.stringify(value ?? null);
  return json === undefined ? null : JSON.parse(json);
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

/**
 * Runs an APPROVAL node. The child's id `<execution>:approval:<node>:<iteration>` is also the
 * request id, so a replay, a retry of the task or a look-up from the API all find the same one.
 * Ports: `approved`, `rejected`, `changes_requested` (only when such an edge exists: otherwise
 * the request waits for a resubmission), `expired`. An outcome without an edge fails the node
 * with APPROVAL_REJECTED / APPROVAL_EXPIRED; a cancelled request fails it with APPROVAL_CANCELLED.
 */
export async function runApprovalNode(
  host: ApprovalHost,
  node: GraphNode,
  props: ApprovalNodeProperties,
  frame: Frame,
  iteration: number,
  args: Pick<ExecutionInput, 'startedBy' | 'input'>,
): Promise<ApprovalNodeOutcome> {
  const ctx = host.context(frame);
  const requestedBy = props.requestedBy ? text(evaluateExpression(props.requestedBy, ctx)) : (args.startedBy ?? null);
  const executionId = workflowInfo().workflowId;
  const requestId = `${executionId}:approval:${node.id}:${iteration}`;
  if (host.sample) {
    const sample = (host.sample(node.id) ?? { status: 'approved' }) as { status?: string };
    const port = sample.status ?? 'approved';
    return { output: { requestId, ...sample }, port, attempts: 1 };
  }
  const input: ApprovalInput = {
    requestId,
    type: 'workflow_node',
    title: text(renderTemplate(props.title, ctx)),
    description: props.description === undefined ? null : text(renderTemplate(props.description, ctx)),
    data: plain(props.data === undefined ? null : renderTemplatesDeep(props.data, ctx)),
    requestedBy: requestedBy || null,
    ...(props.chain ? { chain: props.chain } : { policyId: props.policyId ?? null }),
    executionId,
    nodeId: node.id,
    exitOnChangesRequested: host.hasPort(node.id, 'changes_requested'),
  };

  let escalated = escalatedByHost.get(host);
  if (!escalated) {
    const set = new Set<string>();
    escalated = set;
    escalatedByHost.set(host, set);
    setHandler(approvalEscalatedSignal, async (e) => {
      set.add(e.requestId);
      await host.setEscalated(true, { requestId: e.requestId });
    });
  }

  host.enterWait();
  let result: ApprovalResult;
  try {
    const child = await startChild<(a: ApprovalInput) => Promise<ApprovalResult>>('approvalWorkflow', {
      workflowId: requestId,
      args: [input],
      // Cancelling the graph cancels its approval, which records `cancelled`.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `approval ${node.id}: ${input.title}`,
    });
    result = await child.result();
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ChildWorkflowFailure)) throw err;
    const described = describeNodeError(err, node.id) as { info: NodeErrorInfo };
    throw new NodeFailed({ ...described.info, details: { requestId } }, 1);
  } finally {
    const wasEscalated = escalated.delete(requestId);
    host.leaveWait();
    // Back from `escalated` when no other approval of this run is still escalated.
    if (wasEscalated && escalated.size === 0) await host.setEscalated(false, { requestId });
  }

  const output = {
    requestId,
    status: result.status,
    decisions: result.decisions,
    decidedAt: result.decidedAt,
    round: result.round,
    reason: result.reason,
    data: result.data,
  };
  switch (result.status) {
    case 'approved':
      return { output, port: 'approved', attempts: 1 };
    case 'changes_requested':
      return { output, port: 'changes_requested', attempts: 1 };
    case 'rejected':
    case 'expired':
      if (host.hasPort(node.id, result.status)) return { output, port: result.status, attempts: 1 };
      throw new NodeFailed(
        {
          code: result.status === 'rejected' ? 'APPROVAL_REJECTED' : 'APPROVAL_EXPIRED',
          message: `approval ${requestId} was ${result.status}: ${result.reason ?? ''}`,
          nodeId: node.id,
          details: output,
        },
        1,
      );
    default:
      throw new NodeFailed(
        { code: 'APPROVAL_CANCELLED', message: `approval ${requestId} was cancelled: ${result.reason ?? ''}`, nodeId: node.id, details: output },
        1,
      );
  }
}

/** The APPROVAL step (schema: src/graph/nodes/approval.ts and src/graph/approval-chain.ts). */
export const approval: Step<'APPROVAL', ApprovalStepHost> = async ({ host, node, props, iteration, frame }) => {
  const decide = () => runApprovalNode(host.approvalHost(), node, parseNodeProperties('APPROVAL', props), frame, iteration, host.args);
  // Executions recorded before APPROVAL waits took state timeouts start no timer there.
  const limited = !host.samples && host.stateTimeout(node.id) !== undefined && patched(APPROVAL_STATE_TIMEOUT_PATCH);
  return limited ? waitInState(host, node, decide) : decide();
};
