/**
 * `GET /workflow-instances/{id}/metrics`: one execution as the dashboard shows it (`001_*.txt`
 * WorkflowInstanceMetrics), read from its record, its trace and its approvals.
 */
import { listApprovalRequests } from '../db/repositories/approvals';
import { getVersion } from '../db/repositories/versions';
import type { WeftDb } from '../db/client';
import type { ApprovalRequestRow } from '../db/schema';
import type { ExecutionStatus } from '../workflows/types';
import type { ExecutionService } from './executions';

/** How an instance is doing. */
export type InstanceHealth = 'healthy' | 'warning' | 'critical';

/** Share of an approval's time to expiry after which it is a warning (the SLA levels' usual 75 %). */
const WARNING_SHARE = 0.75;
const PENDING_LIMIT = 100;

/** A trace entry as both the live query and the stored rows give it. */
interface TraceLike {
  nodeId?: unknown;
  status?: unknown;
  startedAt?: unknown;
}

/** One instance's figures. Times in milliseconds. */
export interface InstanceMetrics {
  instanceId: string;
  workflowId: string;
  version: string;
  status: ExecutionStatus;
  /** The node it is at while alive, else its final status. */
  currentState: string;
  /** Since it entered the current node (alive), or since it ended. */
  timeInCurrentStateMs: number | null;
  /** From start to end, or to now while alive. */
  totalExecutionTimeMs: number | null;
  stepsCompleted: number;
  /** Nodes of its graph that have not run yet (an upper bound while alive: branches not taken count until it ends); 0 once ended. */
  stepsRemaining: number;
  approvalsPending: number;
  /** The earliest deadline ahead: a pending approval's expiry or the execution's `timeoutMs`. */
  nextTimeout: string | null;
  healthStatus: InstanceHealth;
  /** Why it is not healthy. */
  healthReasons: string[];
}

/** Reads the per-instance figures. */
export class InstanceMetricsService {
  constructor(
    private readonly db: WeftDb,
    private readonly executions: ExecutionService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** @throws WeftError INSTANCE_NOT_FOUND */
  async metrics(id: string): Promise<InstanceMetrics> {
    const now = this.clock().getTime();
    const instance = await this.executions.get(id);
    const [history, approvals, version] = await Promise.all([
      this.executions.history(id),
      listApprovalRequests(this.db, { executionId: id, status: 'pending', limit: PENDING_LIMIT, offset: 0 }),
      instance.workflowId ? getVersion(this.db, instance.workflowId, instance.version) : Promise.resolve(undefined),
    ]);
    const trace = history.nodes as TraceLike[];
    const ended = instance.completedAt !== null && ['completed', 'failed', 'cancelled'].includes(instance.status);
    const ranNodes = new Set(trace.map((t) => String(t.nodeId)));
    const graphNodes = graphNodeIds(version?.graph);
    const current = [...trace].reverse().find((t) => t.status === 'running');
    const enteredAt = ended ? instance.completedAt : typeof current?.startedAt === 'string' ? current.startedAt : instance.startedAt;
    const started = instance.startedAt ? Date.parse(instance.startedAt) : null;
    const deadlines = approvals.items.map((a) => a.expiresAt?.getTime()).filter((t): t is number => t !== undefined);
    const timeoutMs = executionTimeoutMs(version?.graph);
    if (!ended && started !== null && timeoutMs !== undefined) deadlines.push(started + timeoutMs);
    const next = deadlines.filter((t) => t > now).sort((a, b) => a - b)[0];
    const health = healthOf(instance.status, approvals.items, now);
    return {
      instanceId: id,
      workflowId: instance.workflowId,
      version: instance.version,
      status: instance.status,
      currentState: ended ? instance.status : (instance.currentNodeId ?? (typeof current?.nodeId === 'string' ? current.nodeId : instance.status)),
      timeInCurrentStateMs: enteredAt ? Math.max(0, now - Date.parse(enteredAt)) : null,
      totalExecutionTimeMs: instance.durationMs ?? (started !== null ? Math.max(0, now - started) : null),
      stepsCompleted: trace.filter((t) => t.status === 'completed').length,
      stepsRemaining: ended ? 0 : graphNodes.filter((n) => !ranNodes.has(n)).length,
      approvalsPending: approvals.total,
      nextTimeout: next === undefined ? null : new Date(next).toISOString(),
      healthStatus: health.status,
      healthReasons: health.reasons,
    };
  }
}

/** Critical: failed, escalated, or an approval escalated or past its expiry; warning: suspended, or an approval near expiry. */
function healthOf(status: ExecutionStatus, pending: ApprovalRequestRow[], now: number): { status: InstanceHealth; reasons: string[] } {
  const critical: string[] = [];
  const warning: string[] = [];
  if (status === 'failed') critical.push('the execution failed');
  if (status === 'escalated') critical.push('the execution is escalated');
  if (status === 'suspended') warning.push('the execution is suspended');
  for (const a of pending) {
    const expires = a.expiresAt?.getTime();
    if (a.escalatedAt) critical.push(`approval ${a.id} was escalated`);
    else if (expires !== undefined && expires <= now) critical.push(`approval ${a.id} is past its expiry`);
    else if (expires !== undefined && now - a.requestedAt.getTime() >= WARNING_SHARE * (expires - a.requestedAt.getTime())) {
      warning.push(`approval ${a.id} is near its expiry`);
    }
  }
  if (critical.length > 0) return { status: 'critical', reasons: [...critical, ...warning] };
  return { status: warning.length > 0 ? 'warning' : 'healthy', reasons: warning };
}

function graphNodeIds(graph: unknown): string[] {
  const nodes = (graph as { nodes?: Array<{ id?: unknown }> } | undefined)?.nodes;
  return Array.isArray(nodes) ? nodes.map((n) => n.id).filter((v): v is string => typeof v === 'string') : [];
}

function executionTimeoutMs(graph: unknown): number | undefined {
  const t = (graph as { settings?: { timeoutMs?: unknown } } | undefined)?.settings?.timeoutMs;
  return typeof t === 'number' ? t : undefined;
}
