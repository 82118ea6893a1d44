/**
 * Histories stay bounded (DESIGN rule 5): a long-lived execution, such as a state machine advanced
 * thousands of times, must not grow one Temporal history towards its limits (50,000 events, 50 MB).
 * At the top level, with nothing else running, an execution whose run has reached
 * `settings.historyLimit` events (or whose history Temporal says is large) continues as a new run
 * of the same workflow id (where: {@link ContinuePoint}), carrying its state forward
 * (ContinuedState). Callers by workflow id (API, queries, updates, the result) follow it.
 */
import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { ContinuedState, ExecutionInput, ExecutionResult, TraceEntry } from './types';

/** Executions recorded before continue-as-new existed never check, so they replay unchanged. */
export const CONTINUE_AS_NEW_PATCH = 'weft-continue-as-new';

export const DEFAULT_HISTORY_LIMIT = 10_000;

/** Trace entries a run hands the next: the latest, so the continuation's input stays small. */
export const CONTINUED_TRACE_ENTRIES = 500;

/**
 * Where a run continues as new. An instance that waits for `advance` continues when it starts
 * waiting, so that the next run is waiting from its first moment and accepts an advance sent
 * during the switch; elsewhere that advance would be refused as arriving between two states.
 * Before a top-level node it continues only when it has no such wait or ran far past the limit.
 */
export type ContinuePoint = 'trigger-wait' | 'between-nodes';

/** Whether this run's history is long enough to continue as new at `point`. */
export function historyIsLong(limit: number | undefined, point: ContinuePoint, waitsForTriggers: boolean): boolean {
  const info = workflowInfo();
  const events = limit ?? DEFAULT_HISTORY_LIMIT;
  const long = point === 'trigger-wait' || !waitsForTriggers ? info.continueAsNewSuggested || info.historyLength >= events : info.historyLength >= 2 * events;
  if (!long) return false;
  // Only now, so that executions which never get this long carry no patch marker.
  return patched(CONTINUE_AS_NEW_PATCH);
}

/** Ends this run and starts the next with `state`, once every update or signal handler has finished. */
export async function continueExecution(args: ExecutionInput, state: ContinuedState): Promise<never> {
  await condition(allHandlersFinished);
  // A retry-from-failed starts where it failed once; the next run starts where this one stopped.
  const { resume: _resume, ...rest } = args;
  return continueAsNew<(input: ExecutionInput) => Promise<ExecutionResult>>({ ...rest, continued: state });
}

/** The latest trace entries, for the next run. */
export function traceToCarry(trace: TraceEntry[]): TraceEntry[] {
  return trace.slice(-CONTINUED_TRACE_ENTRIES);
}
