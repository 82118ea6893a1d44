import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { finishExecution, getExecution, markExecutionRunning, updateExecutionStatus } from '../db/repositories/executions';
import { recordExecutionOperation } from '../db/repositories/execution-operations';
import { TERMINAL_EXECUTION_STATUSES } from '../db/schema';
import type { ExecutionOperationRecord } from '../shared/execution-operations';
import type { ExecutionFinishedRecord, ExecutionStartedRecord, ExecutionStatusRecord } from './types';

/**
 * Persistence of the execution summary: once when the interpreter starts and once when it ends
 * (never per node). Both are upserts, so a retry after a crash writes the same rows.
 */
export function createExecutionActivities(db: WeftDb) {
  return {
    /**
     * Records that the execution runs. When this creates its row (a start outside the API: a
     * SUBPROCESS child, the temporal CLI, or a worker quicker than the API's insert), the
     * `execution.started` entry is written here, in the same transaction; otherwise the API wrote it.
     */
    async recordExecutionStarted(rec: ExecutionStartedRecord): Promise<void> {
      await db.transaction(async (tx) => {
        const row = await markExecutionRunning(tx, {
          id: rec.executionId,
          definitionId: rec.definitionId,
          version: rec.version,
          input: rec.input,
          startedAt: new Date(rec.startedAt),
          temporalRunId: rec.runId,
          startedBy: rec.startedBy,
          ...(rec.site ? { siteId: rec.site.id, configSnapshot: { site: rec.site, values: rec.config ?? {} } } : {}),
        });
        if (!row.inserted) return;
        await appendAudit(tx, {
          actor: rec.startedBy ?? 'system',
          action: 'execution.started',
          resourceType: 'execution',
          resourceId: rec.executionId,
          workflowId: rec.definitionId,
          details: { definitionId: rec.definitionId, version: rec.version },
          after: { status: row.status, version: rec.version },
        });
      });
    },

    /**
     * Records a live status change worth keeping in the row (`escalated` by a state timeout, and
     * back to `running`), with an audit entry; a finished execution is left as it is.
     */
    async recordExecutionStatus(rec: ExecutionStatusRecord): Promise<void> {
      await db.transaction(async (tx) => {
        // Compared first so that a retried write adds no second audit entry.
        const before = await getExecution(tx, rec.executionId);
        if (!before || before.status === rec.status) return;
        const row = await updateExecutionStatus(tx, rec.executionId, rec.status);
        if (row?.status !== rec.status) return; // it finished meanwhile
        await appendAudit(tx, {
          actor: 'system',
          action: `execution.${rec.status}`,
          resourceType: 'execution',
          resourceId: rec.executionId,
          workflowId: row.definitionId,
          details: rec.details ?? {},
          before: { status: before.status },
          after: { status: row.status },
        });
      });
    },

    /** The audit record of an accepted operator action, once per operation id (a retry finds it written). */
    async recordExecutionOperation(rec: ExecutionOperationRecord): Promise<void> {
      await recordExecutionOperation(db, rec);
    },

    async recordExecutionFinished(rec: ExecutionFinishedRecord): Promise<void> {
      const completedAt = new Date(rec.completedAt);
      // One transaction: a retried write neither loses nor repeats the audit entry.
      await db.transaction(async (tx) => {
        const before = await getExecution(tx, rec.executionId);
        await finishExecution(tx, {
          id: rec.executionId,
          definitionId: rec.definitionId,
          version: rec.version,
          status: rec.status,
          output: rec.output ?? null,
          error: rec.error ?? null,
          completedAt,
          durationMs: completedAt.getTime() - new Date(rec.startedAt).getTime(),
          nodeResults: rec.nodeResults.map((n) => ({
            seq: n.seq,
            nodeId: n.nodeId,
            nodeType: n.nodeType,
            nodeName: n.nodeName ?? null,
            iteration: n.iteration,
            status: n.status,
            output: n.output ?? null,
            error: n.error ?? null,
            attempts: n.attempts,
            startedAt: new Date(n.startedAt),
            completedAt: n.endedAt ? new Date(n.endedAt) : null,
          })),
        });
        if (!before || !(TERMINAL_EXECUTION_STATUSES as readonly string[]).includes(before.status)) {
          await appendAudit(tx, {
            actor: 'system',
            action: `execution.${rec.status}`,
            resourceType: 'execution',
            resourceId: rec.executionId,
            workflowId: rec.definitionId,
            details: { definitionId: rec.definitionId, version: rec.version, durationMs: completedAt.getTime() - new Date(rec.startedAt).getTime() },
            before: before ? { status: before.status } : null,
            after: { status: rec.status, ...(rec.error ? { error: rec.error } : {}) },
          });
        }
      });
    },
  };
}
