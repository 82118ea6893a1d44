import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { NodeActivityRequest } from '../../graph/node-types';
import { isWeftError } from '../../graph/errors';
import { fromZodIssues } from '../../graph/zod-issues';
import type { ConnectorService } from '../../domain/connectors/service';
import { nodeFailure, nodeFailureOf } from '../node-failure';
import { NodeCallError } from '../../domain/node-call-error';
import { parseRendered } from '../operations/failures';
import type { NodeActivityResult } from '../types';
import { NODE_TYPE_OF_CONNECTOR } from '../../domain/connectors/registry';
import type { ConnectorRuntime } from '../../domain/connectors/runtime';

const RenderedConnectorNode = z.strictObject({
  connectorId: z.string().min(1).optional(),
  connector: z.string().min(1).optional(),
  operation: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});

function refuse(code: string, message: string) {
  return nodeFailure(code, message, { retryable: false });
}

/**
 * The connector nodes (SALESFORCE_CONNECTOR, SAP_CONNECTOR, NETSUITE_CONNECTOR, CUSTOM_API): the
 * workflow sends only the connector's id or name, the operation and its rendered params; the
 * credentials are loaded and decrypted here, for this call only, so they never reach workflow
 * history. Failures carry the driver's stable codes.
 */
export function createConnectorActivity(connectors: ConnectorService, runtime: ConnectorRuntime) {
  return async function runConnector(request: NodeActivityRequest): Promise<NodeActivityResult<unknown>> {
    const props = parseRendered(RenderedConnectorNode, request.properties, request.nodeType);
    let resolved: Awaited<ReturnType<ConnectorService['resolve']>>;
    try {
      resolved = await connectors.resolve(props, request.siteId);
    } catch (err) {
      throw isWeftError(err) ? refuse(err.code, err.message) : err;
    }
    const ref = props.connectorId ?? props.connector ?? '';
    if (!resolved) throw refuse('CONNECTOR_NOT_FOUND', `connector ${ref} does not exist`);
    const { row, driver, connector } = resolved;
    if (NODE_TYPE_OF_CONNECTOR[row.type] !== request.nodeType) {
      throw refuse(
        'CONNECTOR_TYPE_MISMATCH',
        `connector ${row.name} is a ${row.type} connector; a ${request.nodeType} node needs a ${request.nodeType} connector`,
      );
    }
    const operation = driver.operations[props.operation];
    if (!operation || !Object.prototype.hasOwnProperty.call(driver.operations, props.operation)) {
      throw refuse('INVALID_OPERATION', `${row.type} connectors have no operation "${props.operation}"; known: ${Object.keys(driver.operations).join(', ')}`);
    }
    const params = operation.params.safeParse(props.params);
    if (!params.success) {
      const problems = fromZodIssues(params.error.issues, ['params'])
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ');
      throw refuse('VALIDATION_ERROR', `${props.operation} params: ${problems}`);
    }
    const ctx = runtime.context(connector, { idempotencyKey: request.idempotencyKey, timeoutMs: request.timeoutMs });
    try {
      const output = await operation.run(ctx, params.data);
      return { output: output ?? null, attempt: Context.current().info.attempt };
    } catch (err) {
      if (err instanceof NodeCallError) throw nodeFailureOf(err);
      if (isWeftError(err)) throw refuse(err.code, err.message);
      throw err;
    }
  };
}
