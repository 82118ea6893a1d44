/**
 * Runs the expression engine inside Temporal's real workflow sandbox (webpack bundle, isolated
 * VM context, deterministic Date/Math.random), by replaying a one-task history of
 * sandbox-probe.workflow.ts. No Temporal server is involved.
 */
import { join } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';

// Built with the proto classes directly: historyFromJSON fails in this install ("type must be
// a Type": @temporalio/common and @temporalio/proto resolve different protobufjs copies).
const history = temporal.api.history.v1.History.fromObject({
  events: [
    {
      eventId: 1,
      eventTime: { seconds: 1_704_067_200 },
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'expressionProbe' },
        taskQueue: { name: 'probe' },
        input: { payloads: [] },
        workflowTaskTimeout: { seconds: 10 },
        originalExecutionRunId: 'run-1',
        firstExecutionRunId: 'run-1',
        attempt: 1,
        identity: 'test',
      },
    },
    {
      eventId: 2,
      eventTime: { seconds: 1_704_067_200 },
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      workflowTaskScheduledEventAttributes: { taskQueue: { name: 'probe' }, startToCloseTimeout: { seconds: 10 }, attempt: 1 },
    },
    {
      eventId: 3,
      eventTime: { seconds: 1_704_067_200 },
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      workflowTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'test', requestId: 'req-1' },
    },
    {
      eventId: 4,
      eventTime: { seconds: 1_704_067_200 },
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3, identity: 'test' },
    },
    {
      eventId: 5,
      eventTime: { seconds: 1_704_067_200 },
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
      workflowExecutionCompletedEventAttributes: { workflowTaskCompletedEventId: 4 },
    },
  ],
});

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

test('expressions evaluate, and are bounded, inside the workflow sandbox', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'sandbox-probe.workflow.ts'), logger: silent });
  await expect(Worker.runReplayHistory({ workflowBundle: { code } }, history, 'probe-1')).resolves.toBeUndefined();
}, 120_000);
