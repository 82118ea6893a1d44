/**
 * One recorded execution re-run in simulation, twice: first the version it was recorded from,
 * answered node run by node run from its record, to learn the request each side-effecting node
 * sent; then the candidate version, whose side-effecting nodes answer from the recorded run of
 * the same node with the same request (steps/recorded-answers.ts). Both runs see the execution's
 * own input, site and configuration snapshot, id and start time; neither touches the world.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import type { WorkflowDefinition } from '../../graph/schema';
import type { RecordedExecution, RecordedRun, SimulatedRun, WhatIfError } from '../../shared/what-if';
import { simulateEmbedded } from '../interpreter';
import type { ExecutionInput, RecordedNodeRun, SimulationReport, SimulationSamples } from '../types';

/** What replaying one execution yields: how it ran now, and how many node runs that took (both runs). */
export interface Replayed {
  now: SimulatedRun;
  nodeRuns: number;
}

/** Replays `rec` under `candidate`; `recordedGraph` is the graph of the version it was recorded from (absent when that version is gone). */
export async function replayExecution(
  rec: RecordedExecution,
  definitionId: string,
  candidate: { version: string; graph: unknown; stubs: Record<string, unknown> },
  recordedGraph: unknown,
): Promise<Replayed> {
  const base = (version: string, graph: unknown): ExecutionInput => ({
    definitionId,
    version,
    graph: graph as WorkflowDefinition,
    input: rec.input,
    ...(rec.site ? { site: rec.site } : {}),
    ...(rec.config ? { config: rec.config } : {}),
  });
  const samples = (runs: RecordedNodeRun[], match: 'iteration' | 'request', stubs: Record<string, unknown>): SimulationSamples => ({
    outputs: decisions(rec.runs, stubs),
    errors: {},
    recorded: { match, runs, stubs },
    execution: { id: rec.executionId, startedAt: rec.startedAt },
  });
  const recordedRuns = rec.runs.map(toNodeRun);
  let thenRuns = 0;
  if (recordedGraph !== undefined) {
    const then = await simulateEmbedded(base(rec.version, recordedGraph), samples(recordedRuns, 'iteration', {}));
    thenRuns = then.trace.length;
    // The request each recorded run was sent with, as the recorded version renders it.
    for (const answer of then.answers ?? []) {
      const run = recordedRuns.find((r) => r.nodeId === answer.nodeId && r.iteration === answer.iteration);
      if (run) run.request = answer.request;
    }
  }
  const now = await simulateEmbedded(base(candidate.version, candidate.graph), samples(recordedRuns, 'request', candidate.stubs));
  return { now: simulatedRun(now), nodeRuns: thenRuns + now.trace.length };
}

/** What each APPROVAL decided when recorded (a stub for the node overrides it). */
function decisions(runs: RecordedRun[], stubs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of runs) if (run.nodeType === 'APPROVAL' && run.output !== null && run.output !== undefined) out[run.nodeId] = run.output;
  for (const [nodeId, stub] of Object.entries(stubs)) out[nodeId] = stub;
  return out;
}

function toNodeRun(run: RecordedRun): RecordedNodeRun {
  return { nodeId: run.nodeId, iteration: run.iteration, output: run.output, ...(run.error ? { error: run.error } : {}) };
}

function simulatedRun(report: SimulationReport): SimulatedRun {
  const answers = report.answers ?? [];
  return {
    status: report.status,
    output: report.output,
    error: report.error as WhatIfError | null,
    path: report.path,
    nodes: report.trace.map((t) => ({
      nodeId: t.nodeId,
      iteration: t.iteration,
      status: t.status,
      ...(t.output !== undefined ? { output: t.output } : {}),
      ...(t.error ? { error: t.error } : {}),
    })),
    unanswered: [...new Set(answers.filter((a) => a.answeredBy === 'unanswered').map((a) => a.nodeId))],
    stubbed: [...new Set(answers.filter((a) => a.answeredBy === 'stub').map((a) => a.nodeId))],
  };
}
