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

/** {@link counterStateMachine}'s next version: `finish` passes through `stamp` on the way to `done`. */
function stampingStateMachine(name: string) {
  const v1 = counterStateMachine(name, 10_000);
  return {
    ...v1,
    nodes: [...v1.nodes, { id: 'stamp', type: 'DATA_TRANSFORMATION', properties: { assign: { stamped: 'true' } } }],
    edges: [...v1.edges.filter((e) => e.trigger !== 'finish'), { source: 'idle', target: 'stamp', trigger: 'finish' }, { source: 'stamp', target: 'done' }],
  };
}

/** START → `nodes` in a chain (each node's edges given by `edges`) → END `end` with `output`. */
function graph(name: string, nodes: unknown[], edges: unknown[], output: Record<string, string>) {
  return { name, nodes: [{ id: 'start', type: 'START' }, ...nodes, { id: 'end', type: 'END', properties: { output } }], edges };
}

/**
 * An iteration's body: `fetch<s>` asks the echo service for `/echo/item/<item>`; `check<s>`
 * compares the answer it reads as `nodes.fetch<s>.output` with the item and, on a mismatch (an
 * output of a concurrent iteration), waits 1 ms. How outputs are scoped therefore shows in the
 * history's commands (timers), so replay notices when it changes.
 */
function echoBody(loop: string, s: string, serviceUrl: string) {
  const nodes = [
    { id: `fetch${s}`, type: 'API_CALL', properties: { url: `${serviceUrl}/echo/item/\${loop.item}` } },
    { id: `check${s}`, type: 'IF_THEN_ELSE', properties: { condition: `nodes.fetch${s}.output.body.path = "/echo/item/" & $string(loop.item)` } },
    { id: `mixed${s}`, type: 'WAIT', properties: { duration: '1ms' } },
  ];
  const edges = [
    { source: loop, sourcePort: 'body', target: `fetch${s}` },
    { source: `fetch${s}`, target: `check${s}` },
    { source: `check${s}`, sourcePort: 'true', target: loop },
    { source: `check${s}`, sourcePort: 'false', target: `mixed${s}` },
    { source: `mixed${s}`, target: loop },
  ];
  return { nodes, edges };
}

/**
 * Two LOOPs whose concurrent iterations each read their own API_CALL's output (see echoBody):
 * `each` runs 5 at once in the execution's history, `batched` 3 at once in child workflows of 3
 * iterations. Input: `{ items, more }`, arrays of numbers.
 */
export function concurrentLoops(name: string, serviceUrl: string) {
  const each = echoBody('each', '', serviceUrl);
  const batched = echoBody('batched', 'B', serviceUrl);
  return graph(
    name,
    [
      { id: 'each', type: 'LOOP', properties: { items: 'input.items', concurrency: 5, collect: 'nodes.fetch.output.body.path' } },
      ...each.nodes,
      { id: 'batched', type: 'LOOP', properties: { items: 'input.more', concurrency: 3, batchSize: 3, collect: 'nodes.fetchB.output.body.path' } },
      ...batched.nodes,
    ],
    [
      { source: 'start', target: 'each' },
      ...each.edges,
      { source: 'each', sourcePort: 'done', target: 'batched' },
      ...batched.edges,
      { source: 'batched', sourcePort: 'done', target: 'end' },
    ],
    {
      each: 'nodes.each.output.results',
      batched: 'nodes.batched.output.results',
      last: 'nodes.fetch.output.body.path',
      lastB: 'nodes.fetchB.output.body.path',
    },
  );
}

/**
 * A PARALLEL whose branches `eu` (answered slowly) and `us` both go through `quote`, which names
 * the region answers it sees; `check` waits 1 ms when `quote` saw both (the other branch's
 * output), so how outputs are scoped shows in the history's commands.
 */
export function parallelBranches(name: string, serviceUrl: string) {
  return graph(
    name,
    [
      { id: 'fan', type: 'PARALLEL', properties: { join: 'join' } },
      { id: 'eu', type: 'API_CALL', properties: { url: `${serviceUrl}/echo/slow/eu` } },
      { id: 'us', type: 'API_CALL', properties: { url: `${serviceUrl}/echo/us` } },
      { id: 'quote', type: 'API_CALL', properties: { url: `${serviceUrl}/echo/quote?from=\${nodes.eu.output.body.path & nodes.us.output.body.path}` } },
      { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: '$exists(nodes.eu) and $exists(nodes.us)' } },
      { id: 'mixed', type: 'WAIT', properties: { duration: '1ms' } },
      { id: 'join', type: 'DATA_TRANSFORMATION', properties: { assign: { joined: 'true' } } },
    ],
    [
      { source: 'start', target: 'fan' },
      { source: 'fan', target: 'eu' },
      { source: 'fan', target: 'us' },
      { source: 'eu', target: 'quote' },
      { source: 'us', target: 'quote' },
      { source: 'quote', target: 'check' },
      { source: 'check', sourcePort: 'true', target: 'mixed' },
      { source: 'check', sourcePort: 'false', target: 'join' },
      { source: 'mixed', target: 'join' },
      { source: 'join', target: 'end' },
    ],
    { fan: 'nodes.fan.output', quote: 'nodes.quote.output.body.path' },
  );
}

/** A WAIT `until` an instant long past (ISO text), then one until epoch milliseconds a minute ago. */
export function pastWaits(name: string) {
  return graph(
    name,
    [
      { id: 'pause', type: 'WAIT', properties: { until: '"2001-01-01T00:00:00Z"' } },
      { id: 'again', type: 'WAIT', properties: { until: '$millis() - 60000' } },
    ],
    [
      { source: 'start', target: 'pause' },
      { source: 'pause', target: 'again' },
      { source: 'again', target: 'end' },
    ],
    { pause: 'nodes.pause.output', again: 'nodes.again.output' },
  );
}

/** The input of {@link concurrentLoops} in the recorded histories and the tests. */
export const ECHO_INPUT = { items: [5, 3, 8, 1, 9, 2, 7, 4, 6, 0], more: [11, 12, 13, 14, 15, 16] };

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
 *
 * Likewise recorded by the code before issue 13's fixes and not listed, each with its graph here:
 * `loop-concurrent-before-patch.json` (and its batches `.child-1`/`.child-2`; {@link concurrentLoops}
 * over {@link ECHO_INPUT}) and `parallel-branches-before-patch.json` ({@link parallelBranches}),
 * whose iterations and branches shared node outputs — their `check` nodes saw other items' answers
 * and took the 1 ms timers — prove `weft-node-output-scopes`; `wait-past-until-before-patch.json`
 * ({@link pastWaits}), two WAITs that each started a timer for a past instant, proves
 * `weft-wait-past-until`. The same graphs recorded by today's code are listed below.
 */
export function recordedGraphs(serviceUrl: string): Record<string, RecordedGraph> {
  const graphs = everyRecordedGraph(serviceUrl);
  return {
    ...graphs,
    // Recorded once the execution's row went through local activities (`weft-local-bookkeeping`);
    // the same graph above, recorded before, proves the patch.
    'core-nodes-local-bookkeeping': renamed(graphs['core-nodes'] as RecordedGraph, 'core-nodes-local-bookkeeping'),
  };
}

function renamed(recorded: RecordedGraph, name: string): RecordedGraph {
  return { ...recorded, graph: { ...(recorded.graph as Record<string, unknown>), name } };
}

function everyRecordedGraph(serviceUrl: string): Record<string, RecordedGraph> {
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
    // Operator actions audited by the workflow (`weft-operation-audit`): suspend, setVariables and
    // resume as updates with a sender, an advance signal without one, then the finishing advance.
    'operator-actions': {
      input: {},
      graph: counterStateMachine('operator-actions', 10_000),
      async drive({ client, executionId }) {
        const handle = client.workflow.getHandle(executionId);
        await until(async () => (await handle.query<{ awaitingTriggers: string[] }>('status')).awaitingTriggers.includes('tick'));
        await handle.executeUpdate('suspend', { args: [{ reason: 'look', by: 'recorder', operationId: 'op-recorded-1' }] });
        await handle.executeUpdate('setVariables', { args: [{ variables: { note: 'seen' }, by: 'recorder' }] });
        await handle.executeUpdate('resume');
        await handle.signal('advance', { trigger: 'tick', data: { n: 1 } });
        await until(async () => (await handle.query<{ awaitingTriggers: string[] }>('status')).awaitingTriggers.includes('tick'));
        await handle.executeUpdate('advance', { args: [{ trigger: 'finish', by: 'recorder' }] });
      },
    },
    // Moved by the `migrate` update (`weft-instance-migration`) to a version that stamps on `finish`:
    // `<name>.run-1.json` is version 1.0.0 up to the update and its ContinueAsNew, the last run 1.1.0.
    'state-machine-migrated': {
      input: {},
      graph: counterStateMachine('state-machine-migrated', 10_000),
      async drive({ client, executionId }) {
        const handle = client.workflow.getHandle(executionId);
        const waitingForTick = async () => (await handle.query<{ awaitingTriggers: string[] }>('status')).awaitingTriggers.includes('tick');
        await until(waitingForTick);
        await handle.executeUpdate('advance', { args: [{ trigger: 'tick', data: { n: 1 } }] });
        await until(waitingForTick);
        await handle.executeUpdate('migrate', { args: [{ toVersion: '1.1.0', graph: stampingStateMachine('state-machine-migrated') }] });
        await until(waitingForTick);
        await handle.executeUpdate('advance', { args: [{ trigger: 'tick', data: { n: 2 } }] });
        await handle.executeUpdate('advance', { args: [{ trigger: 'finish' }] });
      },
    },
    // Scoped node outputs (`weft-node-output-scopes`): no `mixed` timer; the batches' starts carry `scopedOutputs`.
    'loop-concurrent': { input: ECHO_INPUT, graph: concurrentLoops('loop-concurrent', serviceUrl) },
    'parallel-branches': { input: {}, graph: parallelBranches('parallel-branches', serviceUrl) },
    // No timer for a past `until` (`weft-wait-past-until`).
    'wait-past-until': { input: {}, graph: pastWaits('wait-past-until') },
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
    // Per-workflow limits (`weft-admission`): queued, a slot acquired before the first node, released at the end.
    'limited-execution': {
      input: { n: 1 },
      graph: {
        name: 'limited-execution',
        settings: { maxConcurrentExecutions: 1, maxStartsPerMinute: 10 },
        nodes: [
          { id: 'start', type: 'START' },
          { id: 'end', type: 'END', properties: { output: { n: 'input.n' } } },
        ],
        edges: [{ source: 'start', target: 'end' }],
      },
    },
  };
}
