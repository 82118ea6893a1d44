/**
 * One what-if as one Temporal workflow (id = what-if id, docs/what-if.md): the sampled recorded
 * executions in batches — an activity loads a batch, each execution is re-run here in simulation
 * (replay.ts), an activity compares and stores the batch — then the summary. The stored results
 * are the progress: a worker that dies mid-batch leaves the batch to be run again, and storing is
 * idempotent, so every execution is reported once. The history stays bounded: the run continues
 * as new between batches once it grows long.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { ApplicationFailure, ContinueAsNew, continueAsNew, isCancellation, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import type { WhatIfOutcome, WhatIfPlan, WhatIfSummary } from '../../shared/what-if';
import { replayExecution } from './replay';

/** Executions per batch: one load and one store activity each. */
export const WHAT_IF_BATCH = 25;
/** Node runs simulated in one sandbox activation before it pauses (the worker aborts an activation past 5 s; see task-budget.ts). */
const NODE_RUNS_PER_TASK = 300;
/** Past this many events, or this many bytes, the next batch runs in a new run. */
const HISTORY_EVENTS = 400;
const HISTORY_BYTES = 4 * 1024 * 1024;

const acts = proxyActivities<WeftActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2, nonRetryableErrorTypes: ['NOT_FOUND', 'VERSION_NOT_FOUND'] },
});
const { taskBreak } = proxyLocalActivities<WeftActivities>({ startToCloseTimeout: '10s' });

/** What a what-if starts (or continues) with. */
export interface WhatIfWorkflowInput {
  whatIfId: string;
  /** Where a continued run goes on: the sample's executions before it are stored. */
  offset?: number;
}

/** Runs one what-if to its end; answers its summary. */
export async function whatIfWorkflow(input: WhatIfWorkflowInput): Promise<WhatIfSummary> {
  const { whatIfId } = input;
  try {
    const plan = await acts.loadWhatIfPlan(whatIfId);
    for (let offset = input.offset ?? 0; offset < plan.total; offset += WHAT_IF_BATCH) {
      if (offset > (input.offset ?? 0) && historyIsLong()) await continueAsNew<typeof whatIfWorkflow>({ whatIfId, offset });
      await runBatch(whatIfId, plan, offset);
    }
    return await acts.finishWhatIf({ whatIfId, status: 'completed' });
  } catch (err) {
    if (isCancellation(err) || err instanceof ContinueAsNew || !(err instanceof Error)) throw err;
    const error = { code: err instanceof ApplicationFailure && err.type ? err.type : 'WHAT_IF_FAILED', message: err.message };
    await acts.finishWhatIf({ whatIfId, status: 'failed', error });
    throw ApplicationFailure.nonRetryable(error.message, error.code);
  }
}

async function runBatch(whatIfId: string, plan: WhatIfPlan, offset: number): Promise<void> {
  const batch = await acts.loadWhatIfBatch({ whatIfId, offset, limit: WHAT_IF_BATCH });
  const outcomes: WhatIfOutcome[] = [];
  let nodeRuns = 0;
  for (const rec of batch.executions) {
    if (nodeRuns > NODE_RUNS_PER_TASK) {
      await taskBreak();
      nodeRuns = 0;
    }
    const replayed = await replayExecution(rec, plan.definitionId, plan, batch.graphs[rec.version]);
    nodeRuns += replayed.nodeRuns;
    outcomes.push({ ordinal: rec.ordinal, executionId: rec.executionId, now: replayed.now });
  }
  await acts.storeWhatIfOutcomes({ whatIfId, outcomes });
}

function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS || info.historySize > HISTORY_BYTES;
}
