/**
 * Runs the expression engine inside Temporal's real workflow sandbox (webpack bundle, isolated
 * VM context, deterministic Date/Math.random, the SDK's promise hook), by replaying one-task
 * histories of the workflows in sandbox-probe.workflow.ts. No Temporal server is involved.
 *
 * The sandbox is where evaluation speed matters: a workflow activation that runs longer than
 * the SDK's isolate timeout (5 s) fails its workflow task, which Temporal retries forever. The
 * test therefore checks that expressions hitting the limits fail with EXPRESSION_ERROR in
 * there, and prints how long they took (printed, never asserted: timings vary by machine).
 */
import { join } from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { TimedEvaluation } from './sandbox-probe.workflow';

const encoder = new TextEncoder();

/**
 * The history of a workflow that started with `args` and completed in its first task. Built
 * with the proto classes directly: historyFromJSON (@temporalio/common/lib/proto-utils) fails in
 * this install with "type must be a Type", because @temporalio/common and @temporalio/proto
 * resolve different copies of protobufjs.
 */
function historyOf(workflowType: string, args: unknown[]): temporal.api.history.v1.History {
  const payloads = args.map((arg) => ({ metadata: { encoding: encoder.encode('json/plain') }, data: encoder.encode(JSON.stringify(arg)) }));
  const at = { seconds: 1_704_067_200 };
  return temporal.api.history.v1.History.fromObject({
    events: [
      {
        eventId: 1,
        eventTime: at,
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        workflowExecutionStartedEventAttributes: {
          workflowType: { name: workflowType },
          taskQueue: { name: 'probe' },
          input: { payloads },
          workflowTaskTimeout: { seconds: 10 },
          originalExecutionRunId: 'run-1',
          firstExecutionRunId: 'run-1',
          attempt: 1,
          identity: 'test',
        },
      },
      {
        eventId: 2,
        eventTime: at,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
        workflowTaskScheduledEventAttributes: { taskQueue: { name: 'probe' }, startToCloseTimeout: { seconds: 10 }, attempt: 1 },
      },
      {
        eventId: 3,
        eventTime: at,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
        workflowTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'test', requestId: 'req-1' },
      },
      {
        eventId: 4,
        eventTime: at,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3, identity: 'test' },
      },
      {
        eventId: 5,
        eventTime: at,
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
        workflowExecutionCompletedEventAttributes: { workflowTaskCompletedEventId: 4 },
      },
    ],
  });
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const stepLimit = { code: 'EXPRESSION_ERROR', limit: 'maxSteps' };

/** Timed in the sandbox, each against `input.items` of `items` items. The first is the baseline. */
const timed: Array<TimedEvaluation & { label: string }> = [
  { label: 'baseline: 1', source: '1', items: 0, expected: { value: 1 } },
  { label: '$sum(input.items.(price*qty)) over 1,000 items', source: '$sum(input.items.(price*qty))', items: 1_000, expected: { value: 999_000 } },
  { label: 'endless tail recursion (50,000 steps)', source: '($f := function($x){ $f($x) }; $f(1))', items: 0, expected: stepLimit },
  {
    label: 'endless loop 90 levels deep (50,000 steps)',
    source: '($g := function($x){ $g($x) }; $f := function($n){ $n = 0 ? $g(1) : 1 + $f($n - 1) }; $f(29))',
    items: 0,
    expected: stepLimit,
  },
  { label: 'order-by over 5,000 items (50,000 steps)', source: 'input.items^(>price)', items: 5_000, expected: stepLimit },
  { label: 'order-by over 5,000 numbers (50,000 steps)', source: 'input.items.price^($)', items: 5_000, expected: stepLimit },
  {
    label: '$sort with a comparator over 5,000 items (50,000 steps)',
    source: '$sort(input.items, function($a, $b){ $a.price < $b.price })',
    items: 5_000,
    expected: stepLimit,
  },
];

test('expressions evaluate, and are bounded, inside the workflow sandbox', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'sandbox-probe.workflow.ts'), logger: silent });
  const histories: HistoryAndWorkflowId[] = [
    { workflowId: 'probe', history: historyOf('expressionProbe', []) },
    ...timed.map(({ label: _label, ...spec }, i) => ({ workflowId: `timed-${i}`, history: historyOf('timedEvaluation', [spec]) })),
  ];
  const errors: Record<string, string> = {};
  const millis: Record<string, number> = {};
  let last = performance.now();
  for await (const { workflowId, error } of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
    const now = performance.now();
    millis[workflowId] = now - last;
    last = now;
    if (error) errors[workflowId] = String(error);
  }
  expect(errors).toEqual({});
  expect(Object.keys(millis)).toHaveLength(histories.length);

  const baseline = millis['timed-0'] ?? 0;
  const lines = timed.map(({ label }, i) => `  ${label}: ${Math.max(0, (millis[`timed-${i}`] ?? 0) - baseline).toFixed(0)} ms`);
  console.log(`Evaluation time inside the workflow sandbox (replay time minus the ${baseline.toFixed(0)} ms of a trivial one):\n${lines.slice(1).join('\n')}`);
}, 120_000);
