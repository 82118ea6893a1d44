/**
 * The step registry: for every node type of src/graph/node-types.ts, the code that runs it. Each
 * family's step is in ./<family>.ts, its schema in src/graph/nodes/<family>.ts.
 */
import { WeftError } from '../../graph/errors';
import { isSideEffectNode, isSupportedNodeType, type SupportedNodeType } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import type { Frame } from '../walker';
import { apiCall } from './api-call';
import { approval, type ApprovalStepHost } from './approval';
import { ifThenElse, switchStep } from './branching';
import { customApi, netsuiteConnector, salesforceConnector, sapConnector } from './connectors';
import { dataTransformation } from './data-transformation';
import { errorHandler, fallbackPath, retryLogic } from './error-handling';
import { eventPublisher, eventSubscriber, type EventStepHost } from './events';
import { loop, type LoopStepHost } from './loop';
import { notification } from './notification';
import { equipmentOperation, materialConsume, qualityCheck } from './operations';
import { parallel } from './parallel';
import { end, start } from './start-end';
import { sampled, type NodeOutcome, type StepRegistry, type StepRun } from './step';
import { subprocess } from './subprocess';
import { answerFromRecord } from './recorded-answers';
import { validation } from './validation';
import { wait } from './wait';

export type { NodeOutcome } from './step';

/** What the run must offer so that every registered step can run on it. */
export interface AllStepsHost extends ApprovalStepHost, EventStepHost, LoopStepHost {}

const STEPS: StepRegistry<AllStepsHost> = {
  START: start,
  END: end,
  DATA_TRANSFORMATION: dataTransformation,
  VALIDATION: validation,
  IF_THEN_ELSE: ifThenElse,
  SWITCH: switchStep,
  WAIT: wait,
  LOOP: loop,
  PARALLEL: parallel,
  SUBPROCESS: subprocess,
  ERROR_HANDLER: errorHandler,
  RETRY_LOGIC: retryLogic,
  FALLBACK_PATH: fallbackPath,
  API_CALL: apiCall,
  QUALITY_CHECK: qualityCheck,
  MATERIAL_CONSUME: materialConsume,
  EQUIPMENT_OPERATION: equipmentOperation,
  EVENT_SUBSCRIBER: eventSubscriber,
  EVENT_PUBLISHER: eventPublisher,
  SALESFORCE_CONNECTOR: salesforceConnector,
  SAP_CONNECTOR: sapConnector,
  NETSUITE_CONNECTOR: netsuiteConnector,
  CUSTOM_API: customApi,
  NOTIFICATION: notification,
  APPROVAL: approval,
};

/** A step that may be given a node of any type. */
type AnyStep = (run: StepRun<SupportedNodeType, AllStepsHost>) => Promise<NodeOutcome>;

/** In a simulation every side effect, and SUBPROCESS, answers from the samples. */
const sampledStep: AnyStep = async ({ host, node, iteration, frame }) =>
  host.samples?.recorded ? answerFromRecord(host, host.samples.recorded, node, iteration, frame) : sampled(host, node);

const notExecutable: AnyStep = async ({ node }) => {
  // Unreachable after validation; a clear node error rather than a stuck workflow task.
  throw new WeftError('INVALID_NODE_TYPE', `node type ${node.type} is not executable by this Weft version`);
};

/**
 * Runs one node: its type's step. Not async itself, so that the walk awaits the step's own
 * promise (see Step).
 */
export function runStep(host: AllStepsHost, node: GraphNode, iteration: number, frame: Frame): Promise<NodeOutcome> {
  const props = (node.properties ?? {}) as Record<string, unknown>;
  const run = { host, node: node as StepRun<SupportedNodeType>['node'], props, iteration, frame };
  if (host.samples && (isSideEffectNode(node.type) || node.type === 'SUBPROCESS')) return sampledStep(run);
  if (!isSupportedNodeType(node.type)) return notExecutable(run);
  return (STEPS[node.type] as AnyStep)(run);
}
