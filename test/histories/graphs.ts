import type { Client } from '@temporalio/client';

/** A graph to record, and what moves it along while it runs (advances, decisions), if anything. */
export interface RecordedGraph {
  graph: unknown;
  input: unknown;
  drive?: (run: { client: Client; executionId: string }) => Promise<void>;
}

/**
 * A state machine that waits in `idle` for `tick` (carrying the next number, checked against the
 * count) or `finish`; a long-lived instance when ticked often, continued as new past `historyLimit`.
 */
export function counterStateMachine(name: string, historyLimit: number) {
  return {
    name,
    variables: { ticks: { type: 'number', value: 0 } },
    settings: { historyLimit },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'idle', type: 'DATA_TRANSFORMATION', properties: { assign: { shown: 'vars.ticks' } } },
      { id: 'count', type: 'DATA_TRANSFORMATION', properties: { assign: { ticks: 'vars.ticks + 1' } } },
      { id: 'done', type: 'END', properties: { output: { ticks: 'vars.ticks' } } },
    ],
    edges: [
      { source: 'start', target: 'idle' },
      { source: 'idle', target: 'count', trigger: 'tick', condition: 'event.data.n = vars.ticks + 1' },
      { source: 'count', target: 'idle' },
      { source: 'idle', target: 'done', trigger: 'finish' },
    ],
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the recorded execution did not get there in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The graphs whose recorded histories guard replay compatibility. Re-record only when adding a
 * history (`npm run histories:record`); existing files are the past that new code must replay.
 *
 * `timeout-setting-before-patch.json` is not listed here on purpose: it was recorded by the code
 * before `settings.timeoutMs` was enforced (a graph with timeoutMs 600000, a 100 ms WAIT and an
 * END doubling input.n) and proves the `weft-execution-timeout` patch keeps such runs replaying.
 * Re-recording it with today's code would lose exactly that.
 */
export function recordedGraphs(serviceUrl: string): Record<string, RecordedGraph> {
  return {
    'core-nodes': {
      input: { region: 'EU', items: [{ price: 60, qty: 2 }], orderId: 'SO-1' },
      graph: {
        name: 'core-nodes',
        variables: { threshold: { type: 'number', value: 100 } },
        nodes: [
          { id: 'start', type: 'START' },
          { id: 'total', type: 'DATA_TRANSFORMATION', properties: { assign: { total: '$sum(input.items.(price * qty))' } } },
          { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: 'vars.total > vars.threshold' } },
          { id: 'route', type: 'SWITCH', properties: { expression: 'input.region' } },
          { id: 'pause', type: 'WAIT', properties: { duration: '200ms' } },
          {
            id: 'notify',
            type: 'API_CALL',
            name: 'Notify ERP',
            properties: { method: 'POST', url: `${serviceUrl}/orders`, body: { id: '${input.orderId}', total: '${vars.total}' } },
          },
          { id: 'done', type: 'END', properties: { output: { total: 'vars.total', status: 'nodes.notify.output.status' } } },
          { id: 'small', type: 'END' },
        ],
        edges: [
          { source: 'start', target: 'total' },
          { source: 'total', target: 'big' },
          { source: 'big', sourcePort: 'true', target: 'route' },
          { source: 'big', sourcePort: 'false', target: 'small' },
          { source: 'route', sourcePort: 'EU', target: 'pause' },
          { source: 'route', sourcePort: 'default', target: 'small' },
          { source: 'pause', target: 'notify' },
          { source: 'notify', target: 'done' },
        ],
      },
    },
    'node-failure': {
      input: {},
      graph: {
        name: 'node-failure',
        nodes: [
          { id: 'start', type: 'START' },
          {
            id: 'missing',
            type: 'API_CALL',
            properties: { url: `${serviceUrl}/missing`, retry: { maxAttempts: 3, strategy: 'LINEAR', initialIntervalMs: 50 } },
          },
          { id: 'end', type: 'END' },
        ],
        edges: [
          { source: 'start', target: 'missing' },
          { source: 'missing', target: 'end' },
        ],
      },
    },
    // Continued as new twice or more (historyLimit 100): `<name>.run-1.json` is the first run, which
    // carries the `weft-continue-as-new` marker and ends with ContinueAsNew at a trigger wait.
    'state-machine-continued': {
      input: {},
      graph: counterStateMachine('state-machine-continued', 100),
      async drive({ client, executionId }) {
        const handle = client.workflow.getHandle(executionId);
        await until(async () => (await handle.query<{ awaitingTriggers: string[] }>('status')).awaitingTriggers.includes('tick'));
        for (let n = 1; n <= 30; n++) await handle.executeUpdate('advance', { args: [{ trigger: 'tick', data: { n } }] });
        await handle.executeUpdate('advance', { args: [{ trigger: 'finish' }] });
      },
    },
    // An APPROVAL node approved by `boss` through the `decide` update: the graph's history and the
    // child approvalWorkflow's (`<name>.child-1.json`).
    'approval-node': {
      input: { item: 'pump' },
      graph: {
        name: 'approval-node',
        nodes: [
          { id: 'start', type: 'START' },
          {
            id: 'gate',
            type: 'APPROVAL',
            properties: { title: 'Buy ${input.item}', chain: { steps: [{ id: 's', approvers: [{ type: 'user', identifier: 'boss' }] }] } },
          },
          { id: 'end', type: 'END', properties: { output: { status: 'nodes.gate.output.status' } } },
        ],
        edges: [
          { source: 'start', target: 'gate' },
          { source: 'gate', sourcePort: 'approved', target: 'end' },
        ],
      },
      async drive({ client, executionId }) {
        const approval = client.workflow.getHandle(`${executionId}:approval:gate:0`);
        await until(async () => {
          const state = await approval.query<{ pendingApprovers: string[] }>('approvalState').catch(() => undefined);
          return state?.pendingApprovers.includes('boss') ?? false;
        });
        await approval.executeUpdate('decide', { args: [{ userId: 'boss', action: 'approve', comments: 'ok' }] });
      },
    },
  };
}
