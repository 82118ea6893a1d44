/** Audit records of operator actions on executions, written once per operation id by the workflow or the API. */
import { sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../client';
import type { ExecutionOperationRecord } from '../../shared/execution-operations';
import { appendAudit } from './audit';
import { getExecution } from './executions';

/**
 * Writes the record of an accepted action unless one with its `operationId` exists: the
 * workflow's activity (retried, or after a worker crash) and the API's own check after the
 * answer both call it, and one record results.
 * @returns true when this call wrote it
 */
export async function recordExecutionOperation(db: WeftDb, r: ExecutionOperationRecord): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${r.operationId}))`);
    const written = await executeRows(
      tx,
      sql`select 1 from audit_log where resource_type = 'execution' and resource_id = ${r.executionId} and details->>'operationId' = ${r.operationId} limit 1`,
    );
    if (written.length > 0) return false;
    const row = await getExecution(tx, r.executionId);
    await appendAudit(tx, {
      actor: r.by,
      requestId: r.request?.requestId ?? null,
      clientIp: r.request?.clientIp ?? null,
      userAgent: r.request?.userAgent ?? null,
      action: `execution.${r.action}`,
      resourceType: 'execution',
      resourceId: r.executionId,
      workflowId: row?.definitionId ?? null,
      details: { ...(r.details ?? {}), operationId: r.operationId },
      before: r.before,
    });
    return true;
  });
}
