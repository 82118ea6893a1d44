/**
 * A rollout's what-if gate (docs/what-if.md): before the first site is touched, the what-if
 * created with the rollout runs as a child workflow over recorded executions of the workflow,
 * and the rollout starts only if its verdict passes; otherwise the refusal names the executions
 * that broke the gate. Rollouts recorded before the gate existed replay without it.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { ChildWorkflowFailure, ParentClosePolicy, executeChild, patched } from '@temporalio/workflow';
import type { WhatIfGate } from '../../shared/what-if';
import type { whatIfWorkflow } from '../what-if/workflow';
import { acts } from './base';

/** patched() id of the gate. */
export const WHAT_IF_GATE_PATCH = 'weft-rollout-what-if-gate';

/** Whether this rollout has a what-if gate still to pass (false for histories from before the gate). */
export function whatIfGateDue(gate: WhatIfGate | undefined, passed: boolean | undefined): gate is WhatIfGate {
  return gate !== undefined && !passed && patched(WHAT_IF_GATE_PATCH);
}

/**
 * Runs the what-if and judges it. @returns null when it passed, else why the start is refused
 * (naming the executions that broke the gate)
 */
export async function passWhatIfGate(gate: WhatIfGate): Promise<string | null> {
  try {
    await executeChild<typeof whatIfWorkflow>('whatIfWorkflow', {
      workflowId: gate.whatIfId,
      args: [{ whatIfId: gate.whatIfId }],
      // A rollout that ends (aborted, terminated) stops its what-if too.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `what-if gate of a rollout`,
    });
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    return `the what-if ${gate.whatIfId} could not run: ${err.cause?.message ?? err.message}`;
  }
  const verdict = await acts.judgeWhatIfGate(gate);
  return verdict.passed ? null : verdict.reason;
}
