/**
 * Starting executions under load. One run measures, at the same offered rate (open loop: a start
 * every 1/rate s whatever the answers), on the same dev server and worker:
 *  1. the ceiling: a plain Temporal client starting a trivial hand-written workflow;
 *  2. Weft: `POST /workflows/{id}/instances` of START → DATA_TRANSFORMATION → END;
 * each side's accepted starts per second, start latency p50/p99, and executions completed per
 * second (from the first start until the last execution has completed, read from Temporal's
 * visibility so both sides are counted alike).
 * Run: npm run bench -- api-starts [--quick] [rate] [seconds]
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { benchArgs, benchMode, percentile, runBench, saveReport, type Figure } from './support/report';
import { publishDefinition, startWeftWorld } from './support/weft-world';

const mode = benchMode();
const [rateArg, secondsArg] = benchArgs();
const RATE = Number(rateArg ?? 100);
const SECONDS = Number(secondsArg ?? (mode === 'quick' ? 15 : 60));
const MAX_IN_FLIGHT = 2_000;

interface LoadResult {
  accepted: number;
  refused: number;
  latencies: number[];
  /** Accepted starts per second over the time the starts took. */
  startRate: number;
  /** Executions completed per second, first start to last completion. */
  completedRate: number;
}

/** Offers `RATE` starts per second for `SECONDS`, then waits until every accepted one completed. */
async function offer(start: () => Promise<void>, completed: () => Promise<number>, baseline: number): Promise<LoadResult> {
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  let refused = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const sends: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= MAX_IN_FLIGHT) {
      refused++;
      continue;
    }
    inFlight++;
    const sent = performance.now();
    sends.push(
      start().then(
        () => {
          latencies.push(performance.now() - sent);
          inFlight--;
        },
        () => {
          refused++;
          inFlight--;
        },
      ),
    );
  }
  await Promise.all(sends);
  const startsDone = performance.now();
  for (;;) {
    if ((await completed()) - baseline >= latencies.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const allDone = performance.now();
  return {
    accepted: latencies.length,
    refused,
    latencies,
    startRate: latencies.length / ((startsDone - t0) / 1000),
    completedRate: latencies.length / ((allDone - t0) / 1000),
  };
}

function completedOf(client: Client, workflowType: string, taskQueue: string): () => Promise<number> {
  return async () => (await client.workflow.count(`WorkflowType="${workflowType}" AND TaskQueue="${taskQueue}" AND ExecutionStatus="Completed"`)).count;
}

async function main() {
  const world = await startWeftWorld();
  const { client, taskQueue } = world;
  try {
    const definitionId = await publishDefinition(world, {
      name: 'three-nodes',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'rate', type: 'DATA_TRANSFORMATION', properties: { assign: { big: 'input.amount > 100' } } },
        { id: 'end', type: 'END', properties: { output: { big: 'vars.big' } } },
      ],
      edges: [
        { source: 'start', target: 'rate' },
        { source: 'rate', target: 'end' },
      ],
      variables: { big: { type: 'boolean', value: false } },
    });
    const plainStart = async () => {
      await client.workflow.start('handWrittenTrivial', { taskQueue, workflowId: `trivial-${randomUUID()}`, args: [{ amount: 120 }] });
    };
    const weftStart = async () => {
      await world.api('POST', `/workflows/${definitionId}/instances`, { input: { amount: 120 } }, 202);
    };
    // Warm-up, then the ceiling first and Weft second (the order the issue reads them in).
    for (let i = 0; i < 20; i++) await Promise.all([plainStart(), weftStart()]);
    const plainDone = completedOf(client, 'handWrittenTrivial', taskQueue);
    const weftDone = completedOf(client, 'interpretGraph', taskQueue);
    await new Promise((r) => setTimeout(r, 3000));
    const plain = await offer(plainStart, plainDone, await plainDone());
    const weft = await offer(weftStart, weftDone, await weftDone());

    const figures: Figure[] = [
      { key: 'plain.startRate', label: `plain client: starts accepted per second (offered ${RATE}/s)`, value: plain.startRate, unit: '/s' },
      { key: 'plain.p50', label: '  plain client start p50', value: percentile(plain.latencies, 50), unit: 'ms' },
      { key: 'plain.p99', label: '  plain client start p99', value: percentile(plain.latencies, 99), unit: 'ms' },
      { key: 'plain.completedRate', label: '  hand-written executions completed per second', value: plain.completedRate, unit: '/s' },
      { key: 'weft.startRate', label: `Weft API: starts accepted per second (offered ${RATE}/s)`, value: weft.startRate, unit: '/s' },
      { key: 'weft.p50', label: '  Weft start p50', value: percentile(weft.latencies, 50), unit: 'ms' },
      { key: 'weft.p99', label: '  Weft start p99', value: percentile(weft.latencies, 99), unit: 'ms', goal: { op: '<=', value: 50 } },
      { key: 'weft.completedRate', label: '  Weft executions completed per second', value: weft.completedRate, unit: '/s' },
      { key: 'ratio.startRate', label: 'start throughput Weft/plain', value: weft.startRate / plain.startRate, unit: 'x', goal: { op: '>=', value: 0.9 } },
      {
        key: 'ratio.p99',
        label: 'start p99 Weft/plain',
        value: percentile(weft.latencies, 99) / percentile(plain.latencies, 99),
        unit: 'x',
        goal: { op: '<=', value: 1.2 },
      },
      {
        key: 'ratio.completedRate',
        label: 'executions completed per second Weft/hand-written',
        value: weft.completedRate / plain.completedRate,
        unit: 'x',
        goal: { op: '>=', value: 0.9 },
      },
      { key: 'weft.refused', label: 'Weft starts refused or failed', value: weft.refused, unit: '' },
    ];
    saveReport({
      bench: 'api-starts',
      mode,
      params: { rate: RATE, seconds: SECONDS, database: world.database, process: 'API and worker in one process, as npm start' },
      figures,
    });
  } finally {
    await world.close();
  }
}

runBench(main);
