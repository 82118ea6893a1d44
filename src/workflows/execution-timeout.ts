/** `settings.timeoutMs`: a bound on a whole execution, across the runs it continues as. */
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import { NodeFailed } from './node-errors';

/** patched() id of the settings.timeoutMs timer (see withExecutionTimeout). */
const WORKFLOW_TIMEOUT_PATCH = 'weft-execution-timeout';

/** What the bound needs to know of the execution. */
export interface ExecutionClock {
  /** `settings.timeoutMs`; absent: no bound. */
  limitMs: number | undefined;
  /** When the execution (its first run) started, ISO. */
  startedAt: string;
  /** Whether this run continues an execution (it has only what is left of the time). */
  continued: boolean;
  /** The node running when the time ran out (the failure names it). */
  runningNodeId(): string | undefined;
}

/**
 * Bounds the whole walk by `settings.timeoutMs`: when it runs out, running nodes are cancelled
 * and the execution fails with WORKFLOW_TIMEOUT (and is recorded, unlike a Temporal run timeout).
 */
export async function withExecutionTimeout<T>(run: ExecutionClock, walk: () => Promise<T>): Promise<T> {
  const limit = run.limitMs;
  // Executions started before this bound existed have no timer in their history.
  if (!limit || !patched(WORKFLOW_TIMEOUT_PATCH)) return walk();
  // A continued run has only what is left of the execution's time.
  const ms = run.continued ? Math.max(1, limit - (Date.now() - Date.parse(run.startedAt))) : limit;
  const work = new CancellationScope();
  const clock = new CancellationScope();
  let timedOut = false;
  let runningAtTimeout: string | undefined;
  const alarm = clock
    .run(() => sleep(ms))
    .then(
      () => {
        timedOut = true;
        runningAtTimeout = run.runningNodeId();
        work.cancel();
      },
      () => undefined, // the walk finished first and stopped the clock
    );
  try {
    return await work.run(walk);
  } catch (err) {
    if (timedOut && isCancellation(err)) {
      throw new NodeFailed({ code: 'WORKFLOW_TIMEOUT', message: `the execution exceeded settings.timeoutMs (${limit} ms)`, nodeId: runningAtTimeout }, 1);
    }
    throw err;
  } finally {
    clock.cancel();
    await alarm;
  }
}
