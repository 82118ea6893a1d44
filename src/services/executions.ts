import { createHash, randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { recordExecutionOperation } from '../db/repositories/execution-operations';
import type { OperationMeta } from '../shared/execution-operations';
import { getSiteVersion } from '../db/repositories/rollouts';
import { findExecutionByIdempotencyKey, getExecution, getNodeResults, insertExecutionIfAbsent, listExecutions } from '../db/repositories/executions';
import { WeftError, type ErrorCode } from '../graph/errors';
import { callerScopedKey, requireSameBody, sameBody } from '../domain/idempotency';
import { updateRefusal } from './update-refusal';
import type { WorkflowDefinition } from '../graph/schema';
import { advanceUpdate, resumeUpdate, setVariablesUpdate, suspendUpdate, traceQuery } from '../workflows/messages';
import { definitionIdKey, siteKey, statusKey, versionKey } from '../workflows/search-attributes';
import type { ConfigSnapshot, ExecutionStatus as StoredStatus } from '../db/schema';
import { siteStart, type SiteStart, type SiteStartSource } from './site-starts';
import { admissionLimits, dropAdmission } from '../domain/admission';
import { queueStart } from './admission-starts';
import { TERMINAL_STATUSES, type AdvanceRequest, type ExecutionInput, type ExecutionStatus, type ResumeState, type TraceEntry } from '../workflows/types';
import type { interpretGraph } from '../workflows/interpreter';
import type { DefinitionService } from './definitions';
import { temporalEvents, type TimelineEvent } from './execution-timeline';
import { instanceFromRow, liveStatus, traceEntryFromRow, unrecordedInstance, type InstanceView } from './execution-views';
import { pageFromRows, timedKey, timedPosition } from '../domain/pages';

export type { InstanceView } from './execution-views';

const QUERY_DEADLINE_MS = 3_000;

function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Whether a stored start answers the same request body (input, version when named, site). */
function sameStart(existing: { input: unknown; version: string; siteId: string | null }, req: { input?: unknown; version?: string; site?: string }): boolean {
  return sameBody(existing.input, req.input) && (req.version === undefined || req.version === existing.version) && (req.site ?? null) === existing.siteId;
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
    /** Site configuration for starts at a site; without it, such starts are refused. */
    private readonly sites?: SiteStartSource,
  ) {}

  /**
   * Starts an execution of the named (published) version, else of the version a rollout deployed
   * at the site, else of the active version, with a snapshot of its graph and, at a site, the site's configuration resolved now (site-starts.ts).
   * With `keyIdentifiesStart` the key alone names the start (a webhook delivery id, an event id, a
   * schedule's firing): a repeat answers the same execution even when its input differs (a
   * delivery signed again carries another timestamp); otherwise a key reused with another body is
   * refused, as the IETF Idempotency-Key draft says.
   * @returns the instance and whether it already existed for this Idempotency-Key
   * @throws WeftError SITE_NOT_FOUND, CONFIG_INVALID, IDEMPOTENCY_KEY_REUSED, and those of DefinitionService.runnableVersion
   */
  async start(
    definitionId: string,
    req: { input?: unknown; version?: string; site?: string; onLimit?: 'queue' | 'reject' },
    idempotencyKey: string | undefined,
    ctx: AuditContext,
    opts: { keyIdentifiesStart?: boolean } = {},
  ): Promise<{ id: string; status: ExecutionStatus; replayed: boolean }> {
    const scopedKey = idempotencyKey === undefined ? undefined : callerScopedKey(ctx.actor, idempotencyKey);
    if (scopedKey && idempotencyKey !== undefined) {
      const existing = await findExecutionByIdempotencyKey(this.db, definitionId, scopedKey);
      if (existing && !opts.keyIdentifiesStart) requireSameBody(idempotencyKey, sameStart(existing, req), `the start of ${existing.id}`);
      if (existing) return { id: existing.id, status: existing.status as ExecutionStatus, replayed: true };
    }
    const [version, atSite] = await Promise.all([
      this.versionAt(definitionId, req.version, req.site),
      req.site === undefined ? undefined : this.siteStart(req.site),
    ]);
    const id = scopedKey ? idempotentExecutionId(definitionId, scopedKey) : `exec-${randomUUID()}`;
    const args: ExecutionInput = {
      definitionId,
      version: version.version,
      graph: version.graph as WorkflowDefinition,
      input: req.input ?? null,
      startedBy: ctx.actor,
      ...(atSite ? { site: atSite.site, config: atSite.config } : {}),
    };
    return this.launchLimited(id, args, scopedKey, ctx, atSite?.snapshot, req.onLimit);
  }

  /**
   * Launches under the workflow's limits when its graph has any (settings.maxConcurrentExecutions,
   * maxStartsPerMinute): queued before it starts, so that the queue's order is the order of the
   * starts, or refused (`reject`). See domain/admission.ts.
   * @throws WeftError WORKFLOW_LIMIT_REACHED
   */
  private async launchLimited(
    id: string,
    args: ExecutionInput,
    idempotencyKey: string | undefined,
    ctx: AuditContext,
    configSnapshot: ConfigSnapshot | undefined,
    onLimit: 'queue' | 'reject' = 'queue',
  ): Promise<{ id: string; status: ExecutionStatus; replayed: boolean }> {
    const limits = admissionLimits(args.graph.settings);
    if (!limits) return this.launch(id, args, idempotencyKey, ctx, configSnapshot);
    args.admission = limits;
    await queueStart(this.db, { definitionId: args.definitionId, executionId: id, limits }, onLimit);
    try {
      return await this.launch(id, args, idempotencyKey, ctx, configSnapshot);
    } catch (err) {
      await dropAdmission(this.db, id);
      throw err;
    }
  }

  /**
   * The version a start runs: the one named; else, at a site a rollout moved, the site's own
   * version (site_versions); else the active one.
   */
  private async versionAt(definitionId: string, version: string | undefined, siteId: string | undefined) {
    const deployed = version === undefined && siteId !== undefined ? await getSiteVersion(this.db, definitionId, siteId) : undefined;
    return this.definitions.runnableVersion(definitionId, version ?? deployed);
  }

  /**
   * Starts the interpreter for `args` under `id` and records the execution row and, in the same
   * transaction, its `execution.started` entry. The worker records a start too when its row comes
   * first (recordExecutionStarted); whichever inserts the row writes the one entry.
   */
  private siteStart(siteId: string): Promise<SiteStart> {
    if (!this.sites) throw new WeftError('INVALID_REQUEST', 'starts at a site are not available here');
    return siteStart(this.sites, siteId);
  }

  private async launch(
    id: string,
    args: ExecutionInput,
    idempotencyKey: string | undefined,
    ctx: AuditContext,
    configSnapshot?: ConfigSnapshot,
  ): Promise<{ id: string; status: ExecutionStatus; replayed: boolean }> {
    let replayed = false;
    try {
      await this.temporal.workflow.start<typeof interpretGraph>('interpretGraph', {
        workflowId: id,
        taskQueue: this.taskQueue,
        args: [args],
        typedSearchAttributes: [
          { key: definitionIdKey, value: args.definitionId },
          { key: versionKey, value: args.version },
          { key: statusKey, value: 'running' },
          ...(args.site ? [{ key: siteKey, value: args.site.id }] : []),
        ],
        // With a key, the id must never run twice, even after the first run has finished.
        workflowIdReusePolicy: idempotencyKey ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
        staticSummary: `${args.definitionId}@${args.version}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !idempotencyKey) throw err;
      replayed = true;
    }
    const row = await this.db.transaction(async (tx) => {
      const { execution, created } = await insertExecutionIfAbsent(tx, {
        id,
        definitionId: args.definitionId,
        version: args.version,
        status: 'pending',
        input: args.input ?? null,
        idempotencyKey: idempotencyKey ?? null,
        startedBy: ctx.actor,
        startedAt: new Date(),
        siteId: args.site?.id ?? null,
        configSnapshot: configSnapshot ?? null,
      });
      if (created && !replayed) {
        const details = {
          definitionId: args.definitionId,
          version: args.version,
          ...(args.site ? { site: args.site.id } : {}),
          ...(args.resume ? { retryOf: args.resume.retryOf } : {}),
        };
        await appendAudit(tx, {
          ...ctx,
          action: 'execution.started',
          resourceType: 'execution',
          resourceId: id,
          workflowId: args.definitionId,
          details,
          after: { status: execution.status, version: args.version },
        });
      }
      return execution;
    });
    return { id, status: row.status as ExecutionStatus, replayed };
  }

  /** @throws WeftError INSTANCE_NOT_FOUND */
  async get(id: string): Promise<InstanceView> {
    const row = await getExecution(this.db, id);
    if (row && isTerminal(row.status)) return instanceFromRow(row, null);
    const live = await liveStatus(this.temporal, id, QUERY_DEADLINE_MS);
    if (row && live && isTerminal(live.status)) {
      // It finished between the two reads; the interpreter stores the result before it ends.
      const fresh = await getExecution(this.db, id);
      if (fresh && isTerminal(fresh.status)) return instanceFromRow(fresh, null);
    }
    if (!row && !live) throw new WeftError('INSTANCE_NOT_FOUND', `workflow instance ${id} does not exist`);
    if (!row) {
      // Started outside the API (another service, the temporal CLI): Temporal is all we know.
      return unrecordedInstance(id, live);
    }
    const view = instanceFromRow(row, live?.currentNodeId ?? null);
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
          nodes: rows.map(traceEntryFromRow),
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
  async cancel(id: string, ctx: AuditContext): Promise<{ id: string; status: 'cancelling' }> {
    const instance = await this.get(id);
    if (isTerminal(instance.status)) throw new WeftError('INSTANCE_NOT_RUNNING', `workflow instance ${id} is already ${instance.status}`);
    await this.temporal.workflow.getHandle(id).cancel();
    await this.audit(ctx, instance, 'cancel_requested', { status: 'cancelling' });
    return { id, status: 'cancelling' };
  }

  /** Stops the instance before its next node. @throws WeftError INSTANCE_NOT_RUNNING, INVALID_TRANSITION */
  suspend(id: string, reason: string | undefined, ctx: AuditContext) {
    return this.operate(id, ctx, 'suspended', (h, meta) => h.executeUpdate(suspendUpdate, { args: [{ reason, ...meta }] }), { reason: reason ?? null });
  }

  /** @throws WeftError INSTANCE_NOT_RUNNING, INVALID_TRANSITION */
  resume(id: string, ctx: AuditContext) {
    return this.operate(id, ctx, 'resumed', (h, meta) => h.executeUpdate(resumeUpdate, { args: [meta] }));
  }

  /** Follows the edges waiting for `trigger`. @throws WeftError INSTANCE_NOT_RUNNING, INVALID_TRANSITION */
  advance(id: string, req: AdvanceRequest, ctx: AuditContext) {
    return this.operate(id, ctx, 'advanced', (h, meta) => h.executeUpdate(advanceUpdate, { args: [{ ...req, ...meta }] }), { trigger: req.trigger });
  }

  /** Changes variables while the instance waits. @throws WeftError INSTANCE_NOT_WAITING, INVALID_VARIABLE_TYPE */
  updateData(id: string, variables: Record<string, unknown>, ctx: AuditContext) {
    return this.operate(id, ctx, 'data_updated', (h, meta) => h.executeUpdate(setVariablesUpdate, { args: [{ variables, ...meta }] }), {
      names: Object.keys(variables),
    });
  }

  /**
   * Runs a failed execution again as a new instance: from the node that failed with the
   * variables and node outputs it had there, or from the start with the same input.
   * @throws WeftError INSTANCE_NOT_FAILED
   */
  async retry(id: string, from: 'failed' | 'start', ctx: AuditContext): Promise<{ id: string; status: ExecutionStatus; retryOf: string }> {
    const instance = await this.get(id);
    if (instance.status !== 'failed') throw new WeftError('INSTANCE_NOT_FAILED', `only failed instances can be retried; ${id} is ${instance.status}`);
    const version = await this.definitions.version(instance.workflowId, instance.version);
    // A retry runs where the failed one ran, with the configuration it had (not today's).
    const snapshot = (await getExecution(this.db, id))?.configSnapshot ?? undefined;
    const args: ExecutionInput = {
      definitionId: instance.workflowId,
      version: version.version,
      graph: version.graph as WorkflowDefinition,
      input: instance.input,
      startedBy: ctx.actor,
      ...(snapshot?.site ? { site: snapshot.site, config: snapshot.values } : {}),
    };
    if (from === 'failed') args.resume = { ...(await this.resumeStateOf(id)), retryOf: id };
    const started = await this.launchLimited(`exec-${randomUUID()}`, args, undefined, ctx, snapshot);
    return { id: started.id, status: started.status, retryOf: id };
  }

  /** Lifecycle and node events in time order: the node trace plus what Temporal recorded. */
  async timeline(id: string): Promise<{ id: string; status: ExecutionStatus; events: TimelineEvent[] }> {
    const { status, nodes } = await this.history(id);
    // Lifecycle events first: on equal times, an update was handled before the nodes of its task ran.
    const events: TimelineEvent[] = await temporalEvents(this.temporal, id);
    for (const n of nodes as TraceEntry[]) {
      if (n.startedAt) events.push({ at: n.startedAt, type: 'node.started', nodeId: n.nodeId, nodeType: n.nodeType });
      if (n.endedAt) events.push({ at: n.endedAt, type: `node.${n.status}`, nodeId: n.nodeId, nodeType: n.nodeType, ...(n.error ? { error: n.error } : {}) });
    }
    events.sort((a, b) => a.at.localeCompare(b.at));
    return { id, status, events };
  }

  /** Executions most recently started first, a cursor page (or at `offset`). @throws WeftError INVALID_REQUEST for a foreign cursor */
  async list(query: {
    definitionId?: string;
    siteId?: string;
    status?: StoredStatus;
    startedFrom?: Date;
    startedBefore?: Date;
    limit: number;
    offset?: number;
    cursor?: string;
  }) {
    const after = timedPosition('instances', query.cursor);
    const rows = await listExecutions(this.db, { ...query, limit: query.limit + 1, ...(after ? { after } : {}) });
    const page = pageFromRows(
      rows.items,
      query.limit,
      'instances',
      timedKey(
        (r) => r.startedAt,
        (r) => r.id,
      ),
    );
    return { items: page.items.map((r) => instanceFromRow(r, null)), nextCursor: page.nextCursor, total: rows.total };
  }

  /**
   * Sends one operator update to a running instance, turning refusals into WeftErrors with their
   * code. The workflow audits an accepted action before it answers (OPERATION_AUDIT_PATCH, under
   * the operation id chosen here); an execution recorded before that patch does not, so the
   * record is then written here, once Temporal accepted the action — the same call finds the
   * workflow's record and writes nothing. A refused action has no record.
   */
  private async operate<T>(
    id: string,
    ctx: AuditContext,
    action: string,
    send: (h: WorkflowHandle, meta: OperationMeta) => Promise<T>,
    details?: Record<string, unknown>,
  ): Promise<T> {
    const operationId = `op-${randomUUID()}`;
    const request = { requestId: ctx.requestId ?? null, clientIp: ctx.clientIp ?? null, userAgent: ctx.userAgent ?? null };
    const { instance, result } = await this.sendToRunning(id, 'INVALID_TRANSITION', (h) => send(h, { by: ctx.actor, request, operationId }));
    await recordExecutionOperation(this.db, {
      executionId: instance.id,
      operationId,
      action,
      by: ctx.actor,
      request,
      details: details ?? null,
      before: { status: instance.status, currentNodeId: instance.currentNodeId },
    });
    return result;
  }

  /**
   * Sends an update to a running instance; a refusal becomes a WeftError with the workflow's code
   * (`typeless` when it gave none).
   * @throws WeftError INSTANCE_NOT_FOUND, INSTANCE_NOT_RUNNING, or the refusal's code
   */
  async sendToRunning<T>(id: string, typeless: ErrorCode, send: (h: WorkflowHandle) => Promise<T>): Promise<{ instance: InstanceView; result: T }> {
    const instance = await this.get(id);
    if (isTerminal(instance.status)) throw new WeftError('INSTANCE_NOT_RUNNING', `workflow instance ${id} is already ${instance.status}`);
    try {
      return { instance, result: await send(this.temporal.workflow.getHandle(id)) };
    } catch (err) {
      const refusal = updateRefusal(err, typeless);
      if (refusal) throw refusal;
      if (err instanceof WorkflowNotFoundError) throw new WeftError('INSTANCE_NOT_RUNNING', `workflow instance ${id} is not running`);
      throw err;
    }
  }

  /**
   * The entry of an operator's action on a running instance. Temporal applied the change (its
   * history is the change itself), so the entry follows its acceptance; a refused action writes none.
   */
  private async audit(ctx: AuditContext, instance: InstanceView, action: string, details?: Record<string, unknown>): Promise<void> {
    await appendAudit(this.db, {
      ...ctx,
      action: `execution.${action}`,
      resourceType: 'execution',
      resourceId: instance.id,
      workflowId: instance.workflowId || null,
      details: details ?? null,
      before: { status: instance.status, currentNodeId: instance.currentNodeId },
    });
  }

  /** The state a failed execution recorded in its failure (see the interpreter's failure details). */
  private async resumeStateOf(id: string): Promise<Omit<ResumeState, 'retryOf'>> {
    const failure = await this.temporal.workflow
      .getHandle(id)
      .result()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const cause = failure instanceof WorkflowFailedError ? failure.cause : undefined;
    const state = cause instanceof ApplicationFailure ? (cause.details?.[1] as Partial<ResumeState> | undefined) : undefined;
    if (!state?.fromNodeId || !state.vars || !state.nodeOutputs) {
      throw new WeftError(
        'INSTANCE_NOT_FAILED',
        `instance ${id} has no state to retry from (failed outside a node, or its history is gone); retry from the start instead`,
      );
    }
    return { fromNodeId: state.fromNodeId, vars: state.vars, nodeOutputs: state.nodeOutputs };
  }
}
