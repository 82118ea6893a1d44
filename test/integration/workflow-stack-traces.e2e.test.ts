/**
 * The SDK takes a stack trace for every promise a workflow creates, to answer the __stack_trace
 * query (temporalio/sdk-typescript#1587: most of an activation's CPU; bench/interpreter-overhead.ts
 * measures it). Weft carries a patch that leaves it out unless WEFT_WORKFLOW_STACK_TRACES=on.
 * Without the patch the first worker below answers the query with stacks: this test fails.
 */
import { publishGraph, startInstance, startTestWeft, type TestWeft } from '../support/harness';

const waiting = {
  name: 'waits-a-minute',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'pause', type: 'WAIT', properties: { duration: '1m' } },
    { id: 'end', type: 'END' },
  ],
  edges: [
    { source: 'start', target: 'pause' },
    { source: 'pause', target: 'end' },
  ],
};

async function stackTraceOfWaitingExecution(t: TestWeft): Promise<string> {
  const id = await startInstance(t, await publishGraph(t, waiting));
  const handle = t.temporal.workflow.getHandle(id);
  try {
    // Once the status query names the WAIT node, the interpreter is parked in its timer.
    const status = () => handle.query<{ currentNodeId: string | null }>('status').catch(() => undefined);
    for (let i = 0; i < 100 && (await status())?.currentNodeId !== 'pause'; i++) await new Promise((r) => setTimeout(r, 100));
    return await handle.query<string>('__stack_trace');
  } finally {
    await handle.cancel();
  }
}

test('by default a worker keeps no per-promise stack traces: the query says they are off', async () => {
  const t = await startTestWeft();
  try {
    await expect(stackTraceOfWaitingExecution(t)).rejects.toThrow(/stack traces are not enabled/);
  } finally {
    await t.stop();
  }
});

test('WEFT_WORKFLOW_STACK_TRACES=on brings the Web UI stack trace back', async () => {
  const t = await startTestWeft({ env: { WEFT_WORKFLOW_STACK_TRACES: 'on' } });
  try {
    // The interpreter is waiting in its WAIT step's timer.
    expect(await stackTraceOfWaitingExecution(t)).toMatch(/at /);
  } finally {
    await t.stop();
  }
});
