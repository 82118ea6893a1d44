/**
 * Node runs recorded while an execution runs (src/activities/node-progress.ts): each write
 * upserts the runs' rows and appends one `execution.progress` audit entry listing the node events
 * it announces — the entry live execution events are read from. A run's start and end are each
 * announced once, whoever writes them again (a retried activity, the execution's final record).
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { executions, nodeResults, TERMINAL_EXECUTION_STATUSES } from '../schema';
import { appendAudit } from './audit';
import type { NodeProgressRun } from '../../shared/node-progress';

/** The audit action of a progress entry. */
export const PROGRESS_ACTION = 'execution.progress';

/** A node event as a progress entry lists it (and the stream shows it). */
export interface AnnouncedNodeEvent {
  event: 'node.started' | 'node.completed' | 'node.failed' | 'node.cancelled';
  nodeSeq: number;
  nodeId: string;
  nodeType: string;
  nodeName: string | null;
  iteration: number;
  at: string;
  durationMs?: number | null;
  attempts?: number;
  error?: unknown;
}

/**
 * Records `runs` of execution `executionId` and announces what is new of them. Nothing is
 * written for an execution without a row or already finished (its final record holds the runs).
 *
 * @returns the events announced (none when everything was announced before)
 */
export async function recordNodeProgress(db: WeftDb, executionId: string, runs: readonly NodeProgressRun[]): Promise<AnnouncedNodeEvent[]> {
  if (runs.length === 0) return [];
  return db.transaction(async (tx) => {
    // The final record takes the same row lock: a late write after it finds the execution ended.
    const [execution] = await tx
      .select({ status: executions.status, definitionId: executions.definitionId })
      .from(executions)
      .where(eq(executions.id, executionId))
      .for('update');
    if (!execution || (TERMINAL_EXECUTION_STATUSES as readonly string[]).includes(execution.status)) return [];
    const existing = new Map(
      (
        await tx
          .select()
          .from(nodeResults)
          .where(
            and(
              eq(nodeResults.executionId, executionId),
              inArray(
                nodeResults.seq,
                runs.map((r) => r.seq),
              ),
            ),
          )
      ).map((r) => [r.seq, r]),
    );
    const events: AnnouncedNodeEvent[] = [];
    const startedSeqs: number[] = [];
    const endedSeqs: number[] = [];
    for (const run of runs) {
      const row = existing.get(run.seq);
      if (row && (row.nodeId !== run.nodeId || row.iteration !== run.iteration)) continue; // not this run's row
      const ended = run.status !== 'running';
      const node = { nodeSeq: run.seq, nodeId: run.nodeId, nodeType: run.nodeType, nodeName: run.nodeName ?? null, iteration: run.iteration };
      if (!row) {
        await tx.insert(nodeResults).values({
          executionId,
          seq: run.seq,
          nodeId: run.nodeId,
          nodeType: run.nodeType,
          nodeName: run.nodeName ?? null,
          iteration: run.iteration,
          status: run.status,
          error: run.error ?? null,
          attempts: run.attempts,
          startedAt: new Date(run.startedAt),
          completedAt: run.endedAt ? new Date(run.endedAt) : null,
        });
      } else if (ended && row.status === 'running') {
        await tx
          .update(nodeResults)
          .set({ status: run.status, error: run.error ?? null, attempts: run.attempts, completedAt: run.endedAt ? new Date(run.endedAt) : null })
          .where(and(eq(nodeResults.executionId, executionId), eq(nodeResults.seq, run.seq)));
      }
      if ((row?.startedEventSeq ?? null) === null) {
        events.push({ event: 'node.started', ...node, at: run.startedAt });
        startedSeqs.push(run.seq);
      }
      if (ended && (row?.endedEventSeq ?? null) === null) {
        events.push({
          event: `node.${run.status}` as AnnouncedNodeEvent['event'],
          ...node,
          at: run.endedAt ?? run.startedAt,
          durationMs: run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : null,
          attempts: run.attempts,
          ...(run.error ? { error: run.error } : {}),
        });
        endedSeqs.push(run.seq);
      }
    }
    if (events.length === 0) return [];
    const entry = await appendAudit(tx, {
      actor: 'system',
      action: PROGRESS_ACTION,
      resourceType: 'execution',
      resourceId: executionId,
      workflowId: execution.definitionId,
      details: { nodes: events },
    });
    const mark = async (column: 'startedEventSeq' | 'endedEventSeq', seqs: number[]) => {
      if (seqs.length === 0) return;
      await tx
        .update(nodeResults)
        .set({ [column]: entry.seq })
        .where(and(eq(nodeResults.executionId, executionId), inArray(nodeResults.seq, seqs)));
    };
    await mark('startedEventSeq', startedSeqs);
    await mark('endedEventSeq', endedSeqs);
    return events;
  });
}
