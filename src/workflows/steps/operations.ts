/**
 * QUALITY_CHECK, MATERIAL_CONSUME and EQUIPMENT_OPERATION (schemas: src/graph/nodes/operations.ts;
 * activities: src/activities/operations/): each the one activity its spec names.
 */
import { activityStep } from './side-effect';

export const qualityCheck = activityStep<'QUALITY_CHECK'>();
export const materialConsume = activityStep<'MATERIAL_CONSUME'>();
export const equipmentOperation = activityStep<'EQUIPMENT_OPERATION'>();
