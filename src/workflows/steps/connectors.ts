/**
 * SALESFORCE_CONNECTOR, SAP_CONNECTOR, NETSUITE_CONNECTOR and CUSTOM_API (schema:
 * src/graph/nodes/connectors.ts; activity: src/activities/connectors/): the runConnector activity.
 */
import { activityStep } from './side-effect';

export const salesforceConnector = activityStep<'SALESFORCE_CONNECTOR'>();
export const sapConnector = activityStep<'SAP_CONNECTOR'>();
export const netsuiteConnector = activityStep<'NETSUITE_CONNECTOR'>();
export const customApi = activityStep<'CUSTOM_API'>();
