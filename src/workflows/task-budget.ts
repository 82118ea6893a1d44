import { CancellationScope, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../activities';

// A local activity hands control back to the worker and resumes in a new activation without a
// round trip to the server; a 1 ms timer did the same but the dev server fired it ~0.75 s late.
const { taskBreak } = proxyLocalActivities<WeftActivities>({ startToCloseTimeout: '10s' });

/**
 * patched() id of the pauses: executions recorded before them ran any number of node runs in
 * one workflow task, and must replay without the pauses.
 */
export const TASK_BUDGET_PATCH = 'weft-step-pauses';

/**
 * Node runs one sandbox activation may make before the execution pauses. Control nodes
 * await nothing, so a LOOP or a cycle of them runs in one task until an activity or timer comes;
 * past the worker's isolateExecutionTimeout (5 s) Node aborts the task inside the sandbox's
 * microtask queue, which kills the whole worker process ("async hook stack has become
 * corrupted"). A node run costs about 1–2 ms on a loaded 2-core machine (the SDK captures a stack
 * trace per promise), so 500 keep a task near a second: a margin of several times even on a
 * loaded machine (the SDK does not let a worker raise its 5 s limit).
 */
export const STEPS_PER_TASK = 500;

/**
 * Counts node runs across all walks of one execution and, every {@link STEPS_PER_TASK}, makes
 * them all wait for one shared no-op local activity, which ends the sandbox's activation (the
 * 5 s limit is per activation).
 */
export class TaskBudget {
  private spent = 0;
  private pause: Promise<void> | undefined;
  /** History length of the task being counted: it grows with every new task. */
  private task = -1;

  /** Call before each node run; a promise to await when the task must end first. */
  step(): Promise<void> | undefined {
    // Node runs before an activity or timer ended the task cost this task nothing.
    const task = workflowInfo().historyLength;
    if (task !== this.task && !this.pause) {
      this.task = task;
      this.spent = 0;
    }
    // A walk that arrives during a pause runs its node in the next task: it counts there.
    this.spent++;
    if (this.pause) return waitFor(this.pause);
    if (this.spent <= STEPS_PER_TASK) return undefined;
    this.spent = 1; // this node is the first of the next task
    if (!patched(TASK_BUDGET_PATCH)) return undefined;
    // Shared by walks in different scopes: cancelling one of them must not cancel the others' wait.
    this.pause = CancellationScope.nonCancellable(() => taskBreak()).finally(() => {
      this.pause = undefined;
      // The new task already counts the node that waited for it.
      this.task = workflowInfo().historyLength;
    });
    return waitFor(this.pause);
  }
}

/** Waits for the shared pause, or until the caller's own scope is cancelled. */
function waitFor(pause: Promise<void>): Promise<void> {
  const scope = CancellationScope.current();
  return scope.cancellable ? Promise.race([pause, scope.cancelRequested]) : pause;
}
