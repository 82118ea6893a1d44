/**
 * The Temporal Schedule behind each schedule trigger: one schedule per trigger, named
 * `weft-trigger-<triggerId>`, visible and pausable in the Temporal Web UI. Its action starts
 * `scheduledTriggerStart` (src/workflows/scheduled-start/), which starts the execution through
 * the same path as the API, so the schedule never holds a graph snapshot or configuration that
 * could go stale.
 */
import { isGrpcServiceError, ScheduleNotFoundError, type Client, type ScheduleSpec } from '@temporalio/client';
import type { Trigger } from '../db/schema';
import { ScheduleConfigSchema, type ScheduleConfig } from '../domain/trigger-config';
import { parseDuration } from '../graph/duration';
import { WeftError } from '../graph/errors';
import type { scheduledTriggerStart } from '../workflows/scheduled-start/workflow';

/** What the API shows of a trigger's schedule, as Temporal reports it now. */
export interface ScheduleState {
  scheduleId: string;
  paused: boolean;
  nextRunTimes: string[];
  recentRuns: Array<{ scheduledAt: string; takenAt: string; workflowId: string }>;
  /** Runs not taken because the previous one was still running (overlap `skip`). */
  skippedOverlaps: number;
}

/** The schedule id of a trigger. */
export function scheduleIdOf(triggerId: string): string {
  return `weft-trigger-${triggerId}`;
}

const INVALID_ARGUMENT = 3;

function specOf(config: ScheduleConfig): ScheduleSpec {
  if (config.cron) return { cronExpressions: [config.cron], timezone: config.timeZone };
  return {
    intervals: [{ every: parseDuration(config.interval as string), ...(config.offset ? { offset: parseDuration(config.offset) } : {}) }],
    timezone: config.timeZone,
  };
}

/** Creates, changes, pauses, describes and deletes the schedules of schedule triggers. */
export class TriggerSchedules {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  private options(trigger: Trigger) {
    const config = ScheduleConfigSchema.parse(trigger.config);
    const scheduleId = scheduleIdOf(trigger.id);
    return {
      spec: specOf(config),
      action: {
        type: 'startWorkflow' as const,
        workflowType: 'scheduledTriggerStart',
        args: [{ triggerId: trigger.id }] as Parameters<typeof scheduledTriggerStart>,
        taskQueue: this.taskQueue,
        // Temporal appends the scheduled time: each run has an id of its own, the start's idempotency key.
        workflowId: scheduleId,
        staticSummary: `trigger ${trigger.id} of ${trigger.definitionId}`,
      },
      policies: { overlap: config.overlap.toUpperCase() as Uppercase<ScheduleConfig['overlap']>, catchupWindow: parseDuration(config.catchupWindow) },
    };
  }

  /**
   * Creates the trigger's schedule, paused when the trigger is disabled.
   * @throws WeftError VALIDATION_ERROR at /config/cron when Temporal refuses the expression
   */
  async create(trigger: Trigger): Promise<void> {
    await this.refusedAsInvalid(() =>
      this.temporal.schedule.create({
        scheduleId: scheduleIdOf(trigger.id),
        ...this.options(trigger),
        state: { paused: !trigger.enabled, note: trigger.enabled ? undefined : 'trigger disabled' },
      }),
    );
  }

  /** Brings the schedule in line with the trigger (spec, policies, paused when disabled). */
  async update(trigger: Trigger): Promise<void> {
    const handle = this.temporal.schedule.getHandle(scheduleIdOf(trigger.id));
    const options = this.options(trigger);
    await this.refusedAsInvalid(() =>
      handle.update((previous) => ({
        ...previous,
        ...options,
        state: { ...previous.state, paused: !trigger.enabled, note: trigger.enabled ? 'trigger enabled' : 'trigger disabled' },
      })),
    );
  }

  /** Deletes the schedule; one already gone is fine. */
  async remove(triggerId: string): Promise<void> {
    try {
      await this.temporal.schedule.getHandle(scheduleIdOf(triggerId)).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }

  /** The schedule as Temporal has it now, or null when it does not exist. */
  async describe(triggerId: string): Promise<ScheduleState | null> {
    try {
      const d = await this.temporal.schedule.getHandle(scheduleIdOf(triggerId)).describe();
      return {
        scheduleId: d.scheduleId,
        paused: d.state.paused,
        nextRunTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
        recentRuns: d.info.recentActions.map((a) => ({
          scheduledAt: a.scheduledAt.toISOString(),
          takenAt: a.takenAt.toISOString(),
          workflowId: a.action.workflow.workflowId,
        })),
        skippedOverlaps: d.info.numActionsSkippedOverlap,
      };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
  }

  private async refusedAsInvalid<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      if (isGrpcServiceError(cause) && cause.code === INVALID_ARGUMENT) {
        throw new WeftError('VALIDATION_ERROR', 'Temporal refused the schedule', {
          issues: [{ path: '/config/cron', code: 'VALIDATION_ERROR', message: cause.details }],
        });
      }
      throw err;
    }
  }
}
