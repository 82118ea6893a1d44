import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { findExecutionByIdempotencyKey, getExecution, getNodeResults, insertExecution, listExecutions } from '../db/repositories/executions';
import type { Execution as ExecutionRow } from '../db/schema';
import { WeftError } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';
import { statusQuery, traceQuery } from '../workflows/messages';
import { definitionIdKey, statusKey, versionKey } from '../workflows/search-attributes';
import { TERMINAL_STATUSES, type ExecutionInput, type ExecutionStatus, type NodeErrorInfo, type TraceEntry } from '../workflows/types';
import type { interpretGraph } from '../workflows/interpreter';
import type { DefinitionService } from './definitions';

/** An execution as the API shows it. */
export interface InstanceView {
  id: string;
  workflowId: string;
  version: string;
  status: ExecutionStatus;
  input: unknown;
  output: unknown;
  error: NodeErrorInfo | null;
  currentNodeId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

const TEMPORAL_TO_WEFT: Partial<Record<WorkflowExecutionStatusName, ExecutionStatus>> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'cancelled',
  TIMED_OUT: 'failed',
  CONTINUED_AS_NEW: 'running',
};

const QUERY_DEADLINE_MS = 3_000;

function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * The execution id for an Idempotency-Key: derived, so a repeat (even a concurrent one, or one
 * after the API lost its database row) lands on the same Temporal workflow id.
 */
export function idempotentExecutionId(definitionId: string, key: string): string {
  return `exec-${createHash('sha256').update(`${definitionId}\n${key}`).digest('hex').slice(0, 32)}`;
}

/** Starting, reading and cancelling executions: Temporal for live state, the database for finished ones. */
export class ExecutionService {
  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly definitions: DefinitionService,
  ) {}

  /**
   * Starts an execution of the active (or the named, published) version with a snapshot of its graph.
   * @returns the instance and whether it already existed for this Idempotency-Key
   */
  async start(
    definitionId: string,
    req: { input?: unknown; version?: string },
    idempotencyKey: string | undefined,
    actor: string,
  ): Promise<{ id: string; status: ExecutionStatus; replayed: boolean }> {
    if (idempotencyKey) {
      const existing = await findExecutionByIdempotencyKey(this.db, definitionId, idempotencyKey);
      if (existing) return { id: existing.id, status: existing.status as ExecutionStatus, replayed: true };
    }
    const version = await this.definitions.runnableVersion(definitionId, req.version);
    const id = idempotencyKey ? idempotentExecutionId(definitionId, idempotencyKey) : `exec-${randomUUID()}`;
    const args: ExecutionInput = {
      definitionId,
      version: version.version,
      graph: version.graph as WorkflowDefinition,
      input: req.input ?? null,
      startedBy: actor,
    };
    let replayed = false;
    try {
      await this.temporal.workflow.start<typeof interpretGraph>('interpretGraph', {
        workflowId: id,
        taskQueue: this.taskQueue,
        args: [args],
        typedSearchAttributes: [
          { key: definitionIdKey, value: definitionId },
          { key: versionKey, value: version.version },
          { key: statusKey, value: 'running' },
        ],
        // With a key, the id must never run twice, even after the first run has finished.
        workflowIdReusePolicy: idempotencyKey ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
        staticSummary: `${definitionId}@${version.version}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !idempotencyKey) throw err;
      replayed = true;
    }
    const row = await insertExecution(this.db, {
      id,
      definitionId,
      version: version.version,
      status: 'pending',
      input: req.input ?? null,
      idempotencyKey: idempotencyKey ?? null,
      startedBy: actor,
      startedAt: new Date(),
    });
    if (!replayed) {
      await appendAudit(this.db, {
        actor,
        action: 'execution.started',
        resourceType: 'execution',
        resourceId: id,
        details: { definitionId, version: version.version },
      });
    }
    return { id, status: row.status as ExecutionStatus, replayed };
  }

  /** @throws WeftError INSTANCE_NOT_FOUND */
  async get(id: string): Promise<InstanceView> {
    const row = await getExecution(this.db, id);
    if (row && isTerminal(row.status)) return this.fromRow(row, null);
    const live = await this.liveStatus(id);
    if (!row && !live) throw new WeftError('INSTANCE_NOT_FOUND', `workflow instance ${id} does not exist`);
    if (!row) {
      // Started outside the API (another service, the temporal CLI): Temporal is all we know.
      return {
        id,
        workflowId: live?.definitionId ?? '',
        version: live?.version ?? '',
        status: live?.status ?? 'running',
        input: null,
        output: null,
        error: live?.error ?? null,
        currentNodeId: live?.currentNodeId ?? null,
        startedAt: null,
        completedAt: null,
        durationMs: null,
      };
    }
    const view = this.fromRow(row, live?.currentNodeId ?? null);
    if (live) {
      view.status = live.status;
      view.error = live.error ?? view.error;
    }
    return view;
  }

  /** The per-node trace: stored rows once finished, the live `trace` query while running. */
  async history(id: string): Promise<{ id: string; status: ExecutionStatus; nodes: TraceEntry[] | Array<Record<string, unknown>> }> {
    const instance = await this.get(id);
    if (isTerminal(instance.status)) {
      const rows = await getNodeResults(this.db, id);
      if (rows.length > 0 || instance.status !== 'cancelled') {
        return {
          id,
          status: instance.status,
          nodes: rows.map((r) => ({
            seq: r.seq,
            nodeId: r.nodeId,
            nodeType: r.nodeType,
            nodeName: r.nodeName ?? undefined,
            status: r.status,
            output: r.output,
            error: r.error ?? undefined,
            attempts: r.attempts,
            startedAt: r.startedAt?.toISOString(),
            endedAt: r.completedAt?.toISOString(),
          })),
        };
      }
    }
    try {
      const handle = this.temporal.workflow.getHandle(id);
      return { id, status: instance.status, nodes: await this.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(traceQuery)) };
    } catch {
      return { id, status: instance.status, nodes: [] };
    }
  }

  /** Requests cancellation; the interpreter records `cancelled` and stops at its next await. */
  async cancel(id: string, actor: string): Promise<{ id: string; status: 'cancelling' }> {
    const instance = await this.get(id);
    if (isTerminal(instance.status)) throw new WeftError('INSTANCE_NOT_RUNNING', `workflow instance ${id} is already ${instance.status}`);
    await this.temporal.workflow.getHandle(id).cancel();
    await appendAudit(this.db, { actor, action: 'execution.cancel_requested', resourceType: 'execution', resourceId: id });
    return { id, status: 'cancelling' };
  }

  async list(query: { definitionId?: string; status?: ExecutionStatus; limit: number; offset: number }) {
    const page = await listExecutions(this.db, query);
    return { total: page.total, items: page.items.map((r) => this.fromRow(r, null)) };
  }

  private fromRow(row: ExecutionRow, currentNodeId: string | null): InstanceView {
    return {
      id: row.id,
      workflowId: row.definitionId,
      version: row.version,
      status: row.status as ExecutionStatus,
      input: row.input ?? null,
      output: row.output ?? null,
      error: (row.error as NodeErrorInfo | null) ?? null,
      currentNodeId,
      startedAt: row.startedAt?.toISOString() ?? null,
      completedAt: row.completedAt?.toISOString() ?? null,
      durationMs: row.durationMs ?? null,
    };
  }

  /** Status from the running workflow (query), or from Temporal's record when no worker answers. */
  private async liveStatus(
    id: string,
  ): Promise<{ status: ExecutionStatus; currentNodeId: string | null; error: NodeErrorInfo | null; definitionId?: string; version?: string } | undefined> {
    const handle = this.temporal.workflow.getHandle(id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    const definitionId = description.typedSearchAttributes.get(definitionIdKey);
    const version = description.typedSearchAttributes.get(versionKey);
    const temporalStatus = TEMPORAL_TO_WEFT[description.status.name] ?? 'running';
    if (description.status.name !== 'RUNNING') return { status: temporalStatus, currentNodeId: null, error: null, definitionId, version };
    try {
      // A query waits for a worker; a bounded wait keeps GET fast while no worker runs.
      const s = await this.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));
      return { status: s.status, currentNodeId: s.currentNodeId, error: s.error, definitionId, version };
    } catch {
      // No worker to answer (yet): Temporal knows it runs; the search attribute knows more.
      const status = (description.typedSearchAttributes.get(statusKey) as ExecutionStatus | undefined) ?? 'pending';
      return { status, currentNodeId: null, error: null, definitionId, version };
    }
  }
}
