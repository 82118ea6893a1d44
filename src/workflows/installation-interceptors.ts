/**
 * Workflow interceptors that carry the installation header (see installation-header.ts) from
 * the start of an execution to everything it schedules, and hand an activity refused by a
 * worker of another installation back to the task queue until one of its own takes it.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  sleep,
  type ActivityInput,
  type Headers,
  type Payload,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { INSTALLATION_HEADER, WRONG_INSTALLATION } from './installation-header';

/** Longest pause before an activity refused as another installation's is scheduled again. */
const MAX_RESCHEDULE_DELAY_MS = 60_000;

/** Refusals in a row that are each followed by a one-second pause before the pauses grow. */
const PATIENT_REFUSALS = 10;

/** Whether an activity (or local activity) was refused by a worker of another installation. */
export function isWrongInstallation(err: unknown): boolean {
  // An activity's failure arrives wrapped in an ActivityFailure; a local activity's may not be.
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.type === WRONG_INSTALLATION;
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  let installation: Payload | undefined;
  let refusalsInARow = 0;
  const withHeader = <T extends { headers: Headers }>(input: T): T =>
    installation && !input.headers[INSTALLATION_HEADER] ? { ...input, headers: { ...input.headers, [INSTALLATION_HEADER]: installation } } : input;

  /**
   * The refusing worker failed the activity at once (never counted against the node's retries);
   * schedule the same call afresh after a pause that grows while only strangers answer.
   */
  const reschedule = async (input: ActivityInput): Promise<unknown> => {
    refusalsInARow++;
    // While the other installation's workers share the queue, about every other task goes to
    // them: a short pause then. Only a long run of refusals (no worker of ours?) backs off.
    const delay = Math.min(MAX_RESCHEDULE_DELAY_MS, refusalsInARow <= PATIENT_REFUSALS ? 1000 : 1000 * 2 ** (refusalsInARow - PATIENT_REFUSALS));
    log.warn('a worker of another Weft installation refused this activity; scheduling it again for our own workers', {
      activityType: input.activityType,
      delayMs: delay,
    });
    await sleep(delay);
    const options = input.options.activityId ? { ...input.options, activityId: `${input.options.activityId}~${refusalsInARow}` } : input.options;
    const call = proxyActivities(options)[input.activityType];
    if (!call) throw new Error(`no activity ${input.activityType}`);
    return call(...input.args);
  };

  return {
    inbound: [
      {
        async execute(input, next) {
          installation = input.headers[INSTALLATION_HEADER];
          return next(input);
        },
      },
    ],
    outbound: [
      {
        async scheduleActivity(input, next) {
          try {
            const result = await next(withHeader(input));
            refusalsInARow = 0;
            return result;
          } catch (err) {
            if (!isWrongInstallation(err)) throw err;
            return reschedule(input);
          }
        },
        // A local activity runs on whichever worker runs the workflow task, perhaps another
        // installation's: with the header, that worker refuses it (execution-record.ts then
        // schedules the same write as an ordinary activity, which finds its own workers).
        scheduleLocalActivity: (input, next) => next(withHeader(input)),
        startChildWorkflowExecution: (input, next) => next(withHeader(input)),
        continueAsNew: (input, next) => next(withHeader(input)),
      },
    ],
  };
};
