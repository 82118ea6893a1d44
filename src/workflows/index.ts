// The workflow bundle's entry: only deterministic code is reachable from here.
export { interpretGraph, simulateGraph } from './interpreter';
export { approvalWorkflow } from './approval';
export { rolloutWorkflow } from './rollout/rollout';
export { rollbackWorkflow } from './rollback/workflow';
export { whatIfWorkflow } from './what-if/workflow';
export { scheduledTriggerStart } from './scheduled-start/workflow';
