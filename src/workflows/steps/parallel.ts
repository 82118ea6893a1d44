import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import { WeftError } from '../../graph/errors';
import { parseNodeProperties, type ParallelProperties } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import { describeNodeError, NodeFailed } from '../node-errors';
import type { NodeErrorInfo } from '../types';
import { handBack, innerFrame, lastOutputOf, type Frame, type Walker } from '../walker';
import type { Step } from './step';

type BranchStatus = 'running' | 'completed' | 'failed' | 'cancelled';

interface Branch {
  id: string;
  weight: number;
  scope: CancellationScope;
  status: BranchStatus;
  output?: unknown;
  error?: NodeErrorInfo;
}

export interface ParallelOutcome {
  output: {
    branches: Record<string, { status: BranchStatus; output?: unknown; error?: NodeErrorInfo }>;
    succeeded: number;
    failed: number;
    cancelled: number;
  };
  next: GraphNode;
}

function weightOf(branches: Branch[], status: BranchStatus): number {
  return branches.filter((b) => b.status === status).reduce((sum, b) => sum + b.weight, 0);
}

/** True when the wait strategy is met by the branches that succeeded. */
function satisfied(props: ParallelProperties, branches: Branch[]): boolean {
  const total = branches.reduce((sum, b) => sum + b.weight, 0);
  const ok = weightOf(branches, 'completed');
  if (props.waitStrategy === 'any') return ok > 0;
  if (props.waitStrategy === 'majority') return ok > total / 2;
  return ok === total;
}

/** True when waiting longer cannot change the outcome. */
function decided(props: ParallelProperties, branches: Branch[]): boolean {
  const pending = weightOf(branches, 'running');
  if (pending === 0) return true;
  if (props.failureStrategy === 'fail_fast' && branches.some((b) => b.status === 'failed')) return true;
  if (props.waitStrategy === 'all') return false;
  return satisfied(props, branches);
}

/**
 * Runs a PARALLEL node: each outgoing edge whose condition holds starts a branch that walks
 * until the `join` node. When the wait strategy is met (or can no longer change), branches still
 * running are cancelled — their timers and activities stop — and the walk continues at `join`.
 * @throws NodeFailed with the first branch error when the strategy is not met (`continue` never fails)
 */
export async function runParallel(walker: Walker, node: GraphNode, props: ParallelProperties, frame: Frame): Promise<ParallelOutcome> {
  const join = walker.node(props.join);
  if (!join) throw new WeftError('NODE_NOT_FOUND', `PARALLEL ${node.id}: join node ${props.join} does not exist`);
  const edges = walker.matchingEdges(node.id, undefined, frame);
  if (edges.length === 0) throw new WeftError('NO_MATCHING_BRANCH', `PARALLEL ${node.id}: no branch condition holds`);

  const branches: Branch[] = edges.map((e) => ({ id: e.target, weight: props.weights[e.target] ?? 1, scope: new CancellationScope(), status: 'running' }));
  // Each branch reads and writes outputs of its own; the join reads them all (see handBack below).
  const frames = branches.map(() => innerFrame(walker, frame));
  const runs = branches.map((branch, i) => {
    const start = walker.node(branch.id) as GraphNode;
    return branch.scope
      .run(() => walker.walkFrom(start, join.id, frames[i] as Frame))
      .then(
        (result) => {
          branch.status = 'completed';
          branch.output = lastOutputOf(result);
        },
        (err: unknown) => {
          if (isCancellation(err) && branch.status === 'cancelled') return; // we stopped it
          const described = describeNodeError(err, branch.id);
          if (!described || isCancellation(err)) throw err; // a bug, or the whole execution is being cancelled
          branch.status = 'failed';
          branch.error = described.info;
        },
      );
  });
  // A rejection here is a bug or an outer cancellation: let it end the wait below.
  const settledAll = Promise.all(runs);
  await Promise.race([condition(() => decided(props, branches)), settledAll]);
  for (const branch of branches) {
    if (branch.status === 'running') {
      branch.status = 'cancelled';
      branch.scope.cancel();
    }
  }
  try {
    await settledAll;
  } finally {
    // In branch (edge) order, not finishing order: a node several branches ran shows the last branch's output.
    const written = frames.map((f) => f.nodes?.written());
    handBack(walker, frame, written);
  }

  const failedBranch = branches.find((b) => b.status === 'failed');
  if (props.failureStrategy !== 'continue' && failedBranch?.error && !satisfied(props, branches)) {
    throw new NodeFailed({ ...failedBranch.error, details: { branch: failedBranch.id, parallel: node.id } }, 1);
  }
  if (props.failureStrategy !== 'continue' && !satisfied(props, branches)) {
    throw new NodeFailed({ code: 'PARALLEL_FAILED', message: `PARALLEL ${node.id}: the ${props.waitStrategy} strategy was not met`, nodeId: node.id }, 1);
  }
  const output: ParallelOutcome['output'] = { branches: {}, succeeded: 0, failed: 0, cancelled: 0 };
  for (const b of branches) {
    output.branches[b.id] = { status: b.status, ...(b.output !== undefined ? { output: b.output } : {}), ...(b.error ? { error: b.error } : {}) };
    if (b.status === 'completed') output.succeeded++;
    else if (b.status === 'failed') output.failed++;
    else if (b.status === 'cancelled') output.cancelled++;
  }
  return { output, next: join };
}

/** The PARALLEL step (schema: src/graph/nodes/parallel.ts): the walk goes on at the join. */
export const parallel: Step<'PARALLEL'> = async ({ host, node, props, frame }) => ({
  ...(await runParallel(host, node, parseNodeProperties('PARALLEL', props), frame)),
  attempts: 1,
});
