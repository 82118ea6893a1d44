/**
 * How a what-if answers a side-effecting node (SimulationSamples.recorded): from a recorded run
 * of the same node — the same iteration when re-running the recorded version, the same rendered
 * request when running the candidate — else from the stub given for the node, else the node
 * fails as unanswered and the walk goes on as the graph says a failure does.
 *
 * Pure TypeScript: workflow code, so no Node APIs here.
 */
import { jsonEqual } from '../../graph/json';
import { renderNodeRequest } from '../../graph/rendered-request';
import type { GraphNode } from '../../graph/schema';
import { NodeFailed } from '../node-errors';
import type { RecordedAnswers, RecordedNodeRun, SimulatedAnswer } from '../types';
import type { Frame } from '../walker';
import { toPlain, type NodeOutcome, type StepHost } from './step';

/** The code of a node no recorded run and no stub answers. */
export const UNANSWERED = 'WHAT_IF_UNANSWERED';

/** Answers one side-effecting node run from `recorded`, noting its request and where the answer came from. */
export function answerFromRecord(host: StepHost, recorded: RecordedAnswers, node: GraphNode, iteration: number, frame: Frame): NodeOutcome {
  const request = toPlain(renderNodeRequest(node, host.context(frame)));
  const note = (answeredBy: SimulatedAnswer['answeredBy']) => host.simulatedAnswers?.push({ nodeId: node.id, iteration, request, answeredBy });
  const run = findRun(recorded, node.id, iteration, request);
  if (run) {
    note('recorded');
    if (run.error) throw new NodeFailed({ ...run.error, nodeId: node.id }, 1);
    return { output: run.output ?? null, attempts: 1 };
  }
  if (Object.hasOwn(recorded.stubs, node.id)) {
    note('stub');
    return { output: recorded.stubs[node.id] ?? null, attempts: 1 };
  }
  note('unanswered');
  const why = recorded.match === 'iteration' ? `no recorded run of ${node.id} (iteration ${iteration})` : `no recorded run of ${node.id} sent this request`;
  throw new NodeFailed({ code: UNANSWERED, message: `${why}, and no stub answers it`, nodeId: node.id, details: { request } }, 1);
}

/** The recorded run that answers: by iteration, or the same request (the same iteration preferred). */
function findRun(recorded: RecordedAnswers, nodeId: string, iteration: number, request: unknown): RecordedNodeRun | undefined {
  const ofNode = recorded.runs.filter((r) => r.nodeId === nodeId);
  if (recorded.match === 'iteration') return ofNode.find((r) => r.iteration === iteration);
  const same = ofNode.filter((r) => r.request !== undefined && jsonEqual(r.request, request));
  return same.find((r) => r.iteration === iteration) ?? same[0];
}
