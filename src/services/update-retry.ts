/**
 * Sending a Temporal update again when the server says no workflow code saw it.
 */
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';

/** The server's failure type for an update delivered in a workflow task that did not answer it. */
const UNPROCESSED_UPDATE = 'UnprocessedUpdate';
const ATTEMPTS = 3;
const PAUSE_MS = 100;

/**
 * Runs `send` and, when the server rejects the update as unprocessed, sends it again (at most
 * three times). Safe because such an update never reached workflow code: it changed nothing.
 * Seen while the workflow task that received it ran a local activity.
 */
export async function sendUpdate<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const unprocessed = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === UNPROCESSED_UPDATE;
      if (!unprocessed || attempt >= ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * attempt));
    }
  }
}
