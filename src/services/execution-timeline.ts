/**
 * The lifecycle half of an instance's timeline (`GET /workflow-instances/{id}/timeline`): what
 * Temporal recorded in the histories of its runs. The node half is the trace (executions.ts).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { tsToDate } from '@temporalio/common/lib/time';

/** One entry of `GET /workflow-instances/{id}/timeline`. */
export interface TimelineEvent {
  at: string;
  type: string;
  nodeId?: string;
  nodeType?: string;
  name?: string;
  error?: unknown;
}

function timestampToIso(ts: Parameters<typeof tsToDate>[0]): string {
  return tsToDate(ts).toISOString();
}

/** Runs of one instance the timeline reads, newest first; each holds at most `settings.historyLimit` events. */
const MAX_TIMELINE_RUNS = 20;

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The lifecycle events of one run, and the run it continued, if any. */
function eventsOfRun(history: HistoryEvent[]): { events: TimelineEvent[]; continuedFrom: string | undefined } {
  const events: TimelineEvent[] = [];
  let continuedFrom: string | undefined;
  // Node times are workflow time, the start of the workflow task that ran them; an accepted
  // update is written when its task completes, so it takes its task's start time instead.
  let taskStartedAt: string | undefined;
  for (const e of history) {
    const at = e.eventTime ? timestampToIso(e.eventTime) : undefined;
    if (!at) continue;
    if (e.workflowTaskStartedEventAttributes) taskStartedAt = at;
    if (e.workflowExecutionStartedEventAttributes) {
      continuedFrom = e.workflowExecutionStartedEventAttributes.continuedExecutionRunId || undefined;
      if (!continuedFrom) events.push({ at, type: 'execution.started' });
    } else if (e.workflowExecutionSignaledEventAttributes)
      events.push({ at, type: 'signal', name: e.workflowExecutionSignaledEventAttributes.signalName ?? '' });
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      events.push({ at: taskStartedAt ?? at, type: 'update', name: e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? '' });
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) events.push({ at, type: 'execution.continued' });
    else if (e.workflowExecutionCompletedEventAttributes) events.push({ at, type: 'execution.completed' });
    else if (e.workflowExecutionFailedEventAttributes) events.push({ at, type: 'execution.failed' });
    else if (e.workflowExecutionCanceledEventAttributes) events.push({ at, type: 'execution.cancelled' });
    else if (e.workflowExecutionTerminatedEventAttributes) events.push({ at, type: 'execution.terminated' });
    else if (e.workflowExecutionTimedOutEventAttributes) events.push({ at, type: 'execution.timed_out' });
  }
  return { events, continuedFrom };
}

/**
 * What Temporal recorded, over every run of the instance: a long-lived one continues as new runs
 * (see src/workflows/continuation.ts), each started by the one before it, newest first here.
 */
export async function temporalEvents(temporal: Client, id: string): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let runId: string | undefined;
  for (let runs = 0; runs < MAX_TIMELINE_RUNS; runs++) {
    let history;
    try {
      history = await temporal.workflow.getHandle(id, runId).fetchHistory();
    } catch {
      break; // past the namespace's retention: the node trace is all there is
    }
    const run = eventsOfRun(history.events ?? []);
    events.push(...run.events);
    if (!run.continuedFrom) break;
    runId = run.continuedFrom;
  }
  return events;
}
