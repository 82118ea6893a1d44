/**
 * The Node side of the installation header (src/workflows/installation-header.ts): the API stamps
 * every start with its database's installation id, and a worker refuses, at once and without
 * running it, an activity stamped with another installation's id.
 */
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { ScheduleClientInterceptor, WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { INSTALLATION_HEADER, WRONG_INSTALLATION } from '../workflows/installation-header';

/** Client interceptor: every execution the API starts carries the installation id. */
export function installationClientInterceptor(installationId: string): WorkflowClientInterceptor {
  const payload = defaultPayloadConverter.toPayload(installationId);
  const stamp = <T extends { headers: Record<string, unknown> }>(input: T): T => ({ ...input, headers: { ...input.headers, [INSTALLATION_HEADER]: payload } });
  return {
    start: (input, next) => next(stamp(input)),
    startWithDetails: (input, next) => next(stamp(input)),
    signalWithStart: (input, next) => next(stamp(input)),
  };
}

/** Schedule client interceptor: the runs a schedule trigger starts carry the installation id too. */
export function installationScheduleInterceptor(installationId: string): ScheduleClientInterceptor {
  const payload = defaultPayloadConverter.toPayload(installationId);
  return { create: (input, next) => next({ ...input, headers: { ...input.headers, [INSTALLATION_HEADER]: payload } }) };
}

/**
 * Worker interceptor: an activity of another installation fails with WRONG_INSTALLATION,
 * non-retryable, before it touches anything; the workflow schedules it again for its own
 * workers (installation-interceptors.ts). Executions without the header (started before it
 * existed, or by a raw Temporal client) run as before.
 */
export function installationActivityInterceptor(installationId: string): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const header = input.headers[INSTALLATION_HEADER];
        const owner = header ? defaultPayloadConverter.fromPayload<string>(header) : undefined;
        if (owner !== undefined && owner !== installationId) {
          throw ApplicationFailure.create({
            type: WRONG_INSTALLATION,
            message: `this execution belongs to Weft installation ${owner}; this worker serves installation ${installationId} (two installations share one Temporal task queue: give each its own WEFT_TASK_QUEUE or namespace)`,
            nonRetryable: true,
          });
        }
        return next(input);
      },
    },
  });
}
