/**
 * A what-if over 1,000 recorded executions of a 30-node graph (issue 20): five API_CALLs to a
 * loopback service, twenty DATA_TRANSFORMATIONs, an IF and two ENDs. The executions are recorded
 * first through the API on a real worker and PostgreSQL (not timed); then version 2, which moves
 * the IF's threshold, is run over them. Prints the what-if's total time, executions per second,
 * and its workflow's history: runs (it continues as new), events of the largest run and in all,
 * and the largest run's size in bytes. Quick mode: 200 executions.
 *
 * Run: npm run bench -- what-if [--quick]
 */
import { temporal } from '@temporalio/proto';
import { benchMode, pool, runBench, saveReport } from './support/report';
import { publishDefinition, startWeftWorld } from './support/weft-world';

const mode = benchMode();
const EXECUTIONS = mode === 'quick' ? 200 : 1_000;
const GOAL_SECONDS = 60;

/** 30 nodes: start, five blocks of one API_CALL and four transformations, a final sum, the IF, two ENDs. */
function graph(url: string, threshold: number) {
  const chain: Array<Record<string, unknown>> = [{ id: 'start', type: 'START' }];
  for (let b = 0; b < 5; b++) {
    chain.push({
      id: `call${b}`,
      type: 'API_CALL',
      properties: { method: 'POST', url: `${url}/step/${b}`, body: { order: '${input.order}', acc: '${vars.acc}' } },
    });
    for (let k = 0; k < 4; k++) {
      chain.push({ id: `t${b}_${k}`, type: 'DATA_TRANSFORMATION', properties: { assign: { acc: `vars.acc + input.order % ${k + 2}` } } });
    }
  }
  chain.push({ id: 'final', type: 'DATA_TRANSFORMATION', properties: { assign: { total: 'vars.acc * 2' } } });
  const nodes = [
    ...chain,
    { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: `vars.total >= ${threshold}` } },
    { id: 'hi', type: 'END', properties: { output: { size: '"big"', total: 'vars.total' } } },
    { id: 'lo', type: 'END', properties: { output: { size: '"small"', total: 'vars.total' } } },
  ];
  const edges = chain.slice(1).map((n, i) => ({ source: chain[i]!.id as string, target: n.id as string }));
  edges.push({ source: 'final', target: 'big' });
  return {
    name: 'what-if-bench',
    variables: { acc: { type: 'number', value: 0 }, total: { type: 'number', value: 0 } },
    nodes,
    edges: [...edges, { source: 'big', sourcePort: 'true', target: 'hi' }, { source: 'big', sourcePort: 'false', target: 'lo' }],
  };
}

interface Report {
  status: string;
  progress: { processed: number; total: number };
  summary: { counts: Record<string, number> };
}

async function main(): Promise<void> {
  const world = await startWeftWorld({ database: 'postgresql' });
  try {
    const workflowId = await publishDefinition(world, graph(world.svc.url, 40));
    const orders = Array.from({ length: EXECUTIONS }, (_, i) => i);
    const ids: string[] = [];
    await pool(orders, 20, async (order) => {
      const started = await world.api<{ id: string }>('POST', `/workflows/${workflowId}/instances`, { input: { order } }, 202);
      ids.push(started.id);
    });
    for (;;) {
      const page = await world.api<{ total: number }>('GET', `/workflows/${workflowId}/instances?status=completed&limit=1`);
      if (page.total >= EXECUTIONS) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await world.api('PUT', `/workflows/${workflowId}`, { ...graph(world.svc.url, 44), version: '2.0.0' });
    const asked = world.svc.requests.length;

    const t0 = performance.now();
    const started = await world.api<{ id: string }>('POST', `/workflows/${workflowId}/versions/2.0.0/what-if`, { sample: { limit: EXECUTIONS } }, 202);
    let report: Report;
    for (;;) {
      report = await world.api<Report>('GET', `/what-if/${started.id}?limit=1`);
      if (report.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const totalMs = performance.now() - t0;
    if (report.status !== 'completed' || report.progress.processed !== EXECUTIONS) throw new Error(`what-if ended ${JSON.stringify(report)}`);
    if (world.svc.requests.length !== asked) throw new Error('the what-if sent requests to the service');

    const runs: Array<{ events: number; bytes: number }> = [];
    let runId: string | undefined;
    for (;;) {
      const history = await world.client.workflow.getHandle(started.id, runId).fetchHistory();
      runs.unshift({ events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length });
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    const seconds = totalMs / 1000;
    saveReport({
      bench: 'what-if',
      mode,
      params: { executions: EXECUTIONS, nodes: 30, sideEffectingNodes: 5, database: world.database },
      figures: [
        {
          key: 'total.seconds',
          label: `what-if over ${EXECUTIONS} executions: total`,
          value: seconds,
          unit: 's',
          ...(mode === 'full' ? { goal: { op: '<=' as const, value: GOAL_SECONDS } } : {}),
        },
        { key: 'executionsPerSecond', label: 'executions per second', value: EXECUTIONS / seconds, unit: '/s' },
        { key: 'history.runs', label: 'what-if workflow: runs (continue-as-new)', value: runs.length, unit: '' },
        { key: 'history.maxRun', label: 'what-if workflow: events of its largest run', value: Math.max(...runs.map((r) => r.events)), unit: 'events' },
        { key: 'history.maxRunBytes', label: 'what-if workflow: size of its largest run', value: Math.max(...runs.map((r) => r.bytes)), unit: 'bytes' },
        { key: 'history.total', label: 'what-if workflow: events in all runs', value: runs.reduce((a, r) => a + r.events, 0), unit: 'events' },
        { key: 'changed', label: 'executions whose path changed (threshold 40 → 44)', value: report.summary.counts.path_changed ?? 0, unit: '' },
      ],
      notes: ['each execution is simulated twice: the recorded version (to learn the requests it sent) and the candidate'],
    });
  } finally {
    await world.close();
  }
}

runBench(main);
