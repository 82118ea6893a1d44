/**
 * SALESFORCE_CONNECTOR, SAP_CONNECTOR, NETSUITE_CONNECTOR and CUSTOM_API: an operation of a
 * stored connector, as one activity (src/activities/connectors/).
 */
import { z } from 'zod';
import { commonSideEffectShape } from './side-effect';
import { renderedTemplates, spec } from './spec';

/**
 * SALESFORCE_CONNECTOR, SAP_CONNECTOR, NETSUITE_CONNECTOR, CUSTOM_API: runs `operation` of a
 * stored connector of the node's type, named by `connectorId` or by `connector` (its name),
 * with `params` (JSON whose strings are templates). Credentials stay in the connector.
 */
export const ConnectorNodePropertiesSchema = z
  .strictObject({
    connectorId: z.string().min(1).optional(),
    connector: z.string().min(1).optional(),
    operation: z.string().min(1),
    params: z.record(z.string(), z.unknown()).default({}),
    ...commonSideEffectShape,
  })
  .superRefine((p, ctx) => {
    if ((p.connectorId === undefined) === (p.connector === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['connectorId'], message: 'a connector node needs exactly one of "connectorId" or "connector" (its name)' });
    }
  });

export type ConnectorNodeProperties = z.output<typeof ConnectorNodePropertiesSchema>;

function connectorSpec<T extends 'SALESFORCE_CONNECTOR' | 'SAP_CONNECTOR' | 'NETSUITE_CONNECTOR' | 'CUSTOM_API'>(type: T) {
  return spec({
    type,
    propertiesSchema: ConnectorNodePropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'runConnector',
    expressionFields: renderedTemplates,
  });
}

/** The registry entries of this family (assembled in node-types.ts). */
export const connectorNodes = {
  SALESFORCE_CONNECTOR: connectorSpec('SALESFORCE_CONNECTOR'),
  SAP_CONNECTOR: connectorSpec('SAP_CONNECTOR'),
  NETSUITE_CONNECTOR: connectorSpec('NETSUITE_CONNECTOR'),
  CUSTOM_API: connectorSpec('CUSTOM_API'),
} as const;
