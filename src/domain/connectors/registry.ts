/**
 * Connector type → driver. One line per vendor; the runtime, the API and the node activity
 * find drivers only here.
 */
import type { ConnectorType } from '../../db/schema';
import { customApiDriver } from './custom-api';
import type { ConnectorDriver } from './driver';
import { netsuiteDriver } from './netsuite';
import { salesforceDriver } from './salesforce';
import { sapDriver } from './sap';

const DRIVERS: Partial<Record<ConnectorType, ConnectorDriver>> = {
  salesforce: salesforceDriver,
  sap: sapDriver,
  netsuite: netsuiteDriver,
  custom_api: customApiDriver,
};

/** The driver of a connector type, or undefined while that vendor is not implemented. */
export function driverOf(type: ConnectorType): ConnectorDriver | undefined {
  return DRIVERS[type];
}

/** The node type that runs connectors of each type (a node may only use a connector of its own type). */
export const NODE_TYPE_OF_CONNECTOR: Record<ConnectorType, string> = {
  salesforce: 'SALESFORCE_CONNECTOR',
  sap: 'SAP_CONNECTOR',
  netsuite: 'NETSUITE_CONNECTOR',
  custom_api: 'CUSTOM_API',
};
