/**
 * The controls of a running execution: its status (and search attribute), suspension, and the
 * queries, updates and signals of messages.ts that read and change them; accepted `advance`
 * requests wait here for the walk to take them.
 */
import { ApplicationFailure, condition, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { evaluateBoolean, type ExpressionContext } from '../graph/expressions';
import { matchesVariableType, type GraphEdge, type GraphNode } from '../graph/schema';
import {
  advanceSignal,
  advanceUpdate,
  currentNodeQuery,
  resumeUpdate,
  setVariablesUpdate,
  statusQuery,
  suspendUpdate,
  traceQuery,
  variablesQuery,
} from './messages';
import type { ExecutionOperationRecord, OperationMeta } from '../shared/execution-operations';
import { nowIso, recordOperation } from './execution-record';
import { statusKey } from './search-attributes';
import { MigrationRequested } from './migration';
import { toPlain } from './steps/step';
import type { AdvanceRequest, ExecutionInput, ExecutionStatus, NodeErrorInfo, TraceEntry } from './types';

/** What the queries show of the run. */
export interface ControlledRun {
  readonly args: ExecutionInput;
  readonly running: readonly GraphNode[];
  readonly steps: number;
  readonly startedAt: string;
  readonly error: NodeErrorInfo | null;
  readonly trace: readonly TraceEntry[];
  variables(): Record<string, unknown>;
}

export class ExecutionControls {
  status: ExecutionStatus = 'running';
  suspended = false;
  private statusBeforeSuspend: ExecutionStatus = 'running';
  /** The triggers the instance waits for now (an `advance` for another is refused). */
  awaitingTriggers: string[] = [];
  readonly pendingEvents: AdvanceRequest[] = [];
  readonly refusedEvents: Array<AdvanceRequest & { at: string; reason: string }> = [];
  /** Actions audited by this run: numbers the ids of those whose sender chose none. */
  private operations = 0;

  /** Answers the queries and takes the updates and signals of an execution (messages.ts). */
  install(run: ControlledRun): void {
    setHandler(statusQuery, () => ({
      status: this.status,
      currentNodeId: run.running[0]?.id ?? null,
      currentNodeIds: run.running.map((n) => n.id),
      steps: run.steps,
      startedAt: run.startedAt,
      error: run.error,
      awaitingTriggers: [...this.awaitingTriggers],
      refusedEvents: [...this.refusedEvents],
    }));
    setHandler(currentNodeQuery, () => {
      const node = run.running[0];
      return node ? { nodeId: node.id, type: node.type, name: node.name } : null;
    });
    setHandler(variablesQuery, () => ({ ...run.variables() }));
    setHandler(traceQuery, () => [...run.trace]);
    setHandler(
      advanceUpdate,
      (req) => {
        const before = this.before(run);
        this.pendingEvents.push(eventOf(req));
        return this.audited({ accepted: true as const, trigger: req.trigger }, 'advanced', req, { trigger: req.trigger }, before);
      },
      {
        validator: (req) => {
          if (!req || typeof req.trigger !== 'string') throw refusal('INVALID_REQUEST', 'advance needs a trigger');
          if (!this.awaitingTriggers.includes(req.trigger)) {
            const waiting = this.awaitingTriggers.join(', ') || 'nothing';
            throw refusal('INVALID_TRANSITION', `instance is not waiting for "${req.trigger}" (waiting for: ${waiting})`);
          }
        },
      },
    );
    setHandler(
      suspendUpdate,
      (req) => {
        const before = this.before(run);
        return this.audited(this.suspend(), 'suspended', req, { reason: req?.reason ?? null }, before);
      },
      {
        validator: (_req) => {
          if (this.suspended) throw refusal('INVALID_TRANSITION', 'the instance is already suspended');
        },
      },
    );
    setHandler(
      resumeUpdate,
      (meta: OperationMeta | undefined) => {
        const before = this.before(run);
        return this.audited(this.resume(), 'resumed', meta, null, before);
      },
      {
        validator: (_meta) => {
          if (!this.suspended) throw refusal('INVALID_TRANSITION', 'the instance is not suspended');
        },
      },
    );
    setHandler(
      setVariablesUpdate,
      (req) => {
        const before = this.before(run);
        Object.assign(run.variables(), toPlain(req.variables) as Record<string, unknown>);
        return this.audited({ ...run.variables() }, 'data_updated', req, { names: Object.keys(req.variables) }, before);
      },
      { validator: (req) => this.checkVariableUpdate(run, req) },
    );
    setHandler(advanceSignal, (req) => {
      if (req && typeof req.trigger === 'string' && this.awaitingTriggers.includes(req.trigger)) {
        const before = this.before(run);
        this.pendingEvents.push(eventOf(req));
        return this.audited(undefined, 'advanced', req, { trigger: req.trigger, via: 'signal' }, before);
      } else {
        this.refusedEvents.push({ ...eventOf(req), at: nowIso(), reason: 'not waiting for this trigger' });
      }
    });
  }

  /** The execution as an action finds it, for its audit record. */
  private before(run: ControlledRun): ExecutionOperationRecord['before'] {
    return { status: this.status, currentNodeId: run.running[0]?.id ?? null };
  }

  /**
   * `answer`, once the accepted action's audit record is written by a (local) activity the
   * handler waits for: an update is answered once its record exists, and a signal sent by a bare
   * Temporal client gets one too. Executions recorded before OPERATION_AUDIT_PATCH leave it to
   * the API, as they did, and answer at once: synchronously, as their handlers did, so that the
   * answer's place among the run's commands stays where their histories have it.
   */
  private audited<T>(
    answer: T,
    action: string,
    meta: OperationMeta | undefined,
    details: Record<string, unknown> | null,
    before: ExecutionOperationRecord['before'],
  ): T | Promise<T> {
    if (!patched(OPERATION_AUDIT_PATCH)) return answer;
    const n = ++this.operations;
    return recordOperation({
      operationId: meta?.operationId ?? `${workflowInfo().runId}:operation:${n}`,
      action,
      by: meta?.by ?? 'temporal',
      ...(meta?.request ? { request: meta.request } : {}),
      details,
      before,
    }).then(() => answer);
  }

  /** A run continued by a migration while suspended stays suspended (its status attribute came along). */
  restoreSuspension(): void {
    this.suspended = true;
    this.statusBeforeSuspend = this.status;
    this.status = 'suspended';
  }

  private suspend(): { status: ExecutionStatus } {
    this.suspended = true;
    this.statusBeforeSuspend = this.status;
    this.setStatus('suspended');
    return { status: this.status };
  }

  private resume(): { status: ExecutionStatus } {
    this.suspended = false;
    this.setStatus(this.statusBeforeSuspend);
    return { status: this.status };
  }

  private checkVariableUpdate(run: ControlledRun, req: { variables: Record<string, unknown> } | undefined): void {
    if (!req || typeof req.variables !== 'object' || req.variables === null || Array.isArray(req.variables)) {
      throw refusal('INVALID_REQUEST', 'variables must be an object');
    }
    // Changing data under a node that is running would race it; waiting is the safe moment.
    if (this.status !== 'waiting' && this.status !== 'suspended' && this.status !== 'escalated') {
      throw refusal('INSTANCE_NOT_WAITING', `instance data can change only while it waits or is suspended (it is ${this.status})`);
    }
    const declared = run.args.graph.variables ?? {};
    for (const [name, value] of Object.entries(req.variables)) {
      const decl = declared[name];
      if (decl && !matchesVariableType(decl.type, value)) {
        throw refusal('INVALID_VARIABLE_TYPE', `variable ${name} is declared ${decl.type}; ${JSON.stringify(value)} is not`);
      }
    }
  }

  setStatus(status: ExecutionStatus): void {
    // While suspended, the state it will go back to changes, not the state shown.
    if (this.suspended && (status === 'running' || status === 'waiting' || status === 'escalated')) {
      this.statusBeforeSuspend = status;
      return;
    }
    if (this.status === status) return;
    this.status = status;
    upsertSearchAttributes([{ key: statusKey, value: status }]);
  }

  /**
   * Waits for an accepted advance whose trigger names one of `edges` and for which `choose` finds
   * an edge; refused ones are recorded and change nothing. Throws MigrationRequested when, with no
   * advance pending, `migrating` says a migration was accepted (see migration.ts).
   */
  async nextMatchingEvent(
    edges: GraphEdge[],
    choose: (matching: GraphEdge[], event: AdvanceRequest) => GraphEdge | undefined,
    migrating: () => boolean,
  ): Promise<GraphEdge> {
    for (;;) {
      await condition(() => this.pendingEvents.length > 0 || migrating());
      if (this.pendingEvents.length === 0) throw new MigrationRequested();
      const event = this.pendingEvents.shift() as AdvanceRequest;
      const matching = edges.filter((e) => e.trigger === event.trigger);
      const chosen = choose(matching, event);
      if (chosen) {
        this.awaitingTriggers = [];
        this.setStatus('running');
        return chosen;
      }
      this.refusedEvents.push({ ...event, at: nowIso(), reason: 'no edge condition holds for this event' });
    }
  }
}

/** The first of `edges` (in priority order) whose condition holds. */
export function firstMatching(edges: GraphEdge[], ctx: ExpressionContext): GraphEdge | undefined {
  for (const edge of edges) {
    if (!edge.condition || evaluateBoolean(edge.condition, ctx)) return edge;
  }
  return undefined;
}

/** The events a state waits for: the triggers of its edges, each once. */
export function triggersOf(edges: GraphEdge[]): string[] {
  return [...new Set(edges.flatMap((e) => (e.trigger ? [e.trigger] : [])))];
}

/**
 * patched() id: operator actions (suspend, resume, advance, setVariables, and advance signals)
 * are audited by the workflow before it answers them, not by the API after (see audit()).
 */
export const OPERATION_AUDIT_PATCH = 'weft-operation-audit';

/** The advance itself, without who sent it (edge conditions read the event). */
function eventOf(req: AdvanceRequest): AdvanceRequest {
  const { by: _by, request: _request, operationId: _operationId, ...event } = req ?? ({} as AdvanceRequest);
  return event;
}

/** An update refused by its validator: nothing changed; the type is the code the API answers with. */
function refusal(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}
