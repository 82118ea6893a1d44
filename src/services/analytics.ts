/**
 * Analytics and error statistics (docs/analytics.md): figures computed by SQL over the execution
 * and node-run records each time they are asked for.
 */
import type { WeftDb } from '../db/client';
import { busiestWorkflows, countByStatus, nowFigures, windowFigures, type ExecutionScope } from '../db/repositories/execution-stats';
import { errorGroups, nodeFigures, recentNodeErrors, runTotals } from '../db/repositories/node-stats';
import { TERMINAL_EXECUTION_STATUSES } from '../db/schema';
import type { DefinitionService } from './definitions';

const DAY_MS = 86_400_000;

/** The window a figure covers: executions started from `from` (now minus `days` days) up to `to` (now). */
export interface AnalyticsWindow {
  days: number;
  from: string;
  to: string;
}

/** Which executions of a workflow `GET /workflows/{id}/analytics` counts. */
export interface WorkflowAnalyticsQuery {
  days: number;
  version?: string;
  site?: string;
}

/** Share of `part` in `whole`, rounded to 4 decimals; null when `whole` is 0. */
function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Reads analytics for the whole installation and for one workflow. */
export class AnalyticsService {
  constructor(
    private readonly db: WeftDb,
    private readonly definitions: DefinitionService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** `GET /analytics/overview`: every workflow over the last `days` days, and the dashboard figures. */
  async overview(days: number) {
    const { window, scope } = this.scope(days, {});
    const [summary, busiest] = await Promise.all([this.summary(scope, days), busiestWorkflows(this.db, scope, 10)]);
    return { window, ...summary, busiestWorkflows: busiest };
  }

  /**
   * `GET /workflows/{id}/analytics`: the same figures for one workflow (optionally one version or
   * site), plus per-node figures.
   * @throws WeftError WORKFLOW_NOT_FOUND
   */
  async workflow(workflowId: string, q: WorkflowAnalyticsQuery) {
    await this.definitions.require(workflowId);
    const { window, scope } = this.scope(q.days, { definitionId: workflowId, version: q.version, siteId: q.site });
    const [summary, nodes] = await Promise.all([this.summary(scope, q.days), nodeFigures(this.db, scope)]);
    return { workflowId, version: q.version ?? null, site: q.site ?? null, window, ...summary, nodes };
  }

  /**
   * `GET /workflows/{id}/error-stats`: failed node runs by node and error code, retries, and the
   * share of failures the execution recovered from.
   * @throws WeftError WORKFLOW_NOT_FOUND
   */
  async errorStats(workflowId: string, days: number) {
    await this.definitions.require(workflowId);
    const { window, scope } = this.scope(days, { definitionId: workflowId });
    const [groups, totals, byStatus] = await Promise.all([errorGroups(this.db, scope), runTotals(this.db, scope), countByStatus(this.db, scope)]);
    const failedRuns = groups.reduce((n, g) => n + g.count, 0);
    const recovered = groups.reduce((n, g) => n + g.recovered, 0);
    const byNode = new Map<string, { nodeId: string; nodeType: string; failures: number; retries: number; recovered: number; codes: Record<string, number> }>();
    const byCode: Record<string, number> = {};
    for (const g of groups) {
      const node = byNode.get(g.nodeId) ?? { nodeId: g.nodeId, nodeType: g.nodeType, failures: 0, retries: 0, recovered: 0, codes: {} };
      node.failures += g.count;
      node.retries += g.retries;
      node.recovered += g.recovered;
      node.codes[g.code] = (node.codes[g.code] ?? 0) + g.count;
      byNode.set(g.nodeId, node);
      byCode[g.code] = (byCode[g.code] ?? 0) + g.count;
    }
    return {
      workflowId,
      window,
      executions: { total: sumOf(byStatus), failed: byStatus.failed ?? 0 },
      nodeRuns: totals.runs,
      failedRuns,
      failureRate: share(failedRuns, totals.runs),
      retries: totals.retries,
      retriedRuns: totals.retriedRuns,
      recoveredFailures: recovered,
      recoveredShare: share(recovered, failedRuns),
      byCode,
      byNode: [...byNode.values()].sort((a, b) => b.failures - a.failures || a.nodeId.localeCompare(b.nodeId)),
      groups: groups.map((g) => ({ ...g, lastAt: g.lastAt?.toISOString() ?? null })),
    };
  }

  /**
   * `GET /workflows/{id}/nodes/{nodeId}/errors`: the newest failed runs of one node, with their executions.
   * @throws WeftError WORKFLOW_NOT_FOUND
   */
  async nodeErrors(workflowId: string, nodeId: string, days: number, limit: number) {
    await this.definitions.require(workflowId);
    const { window, scope } = this.scope(days, { definitionId: workflowId });
    const rows = await recentNodeErrors(this.db, scope, nodeId, limit);
    return {
      workflowId,
      nodeId,
      window,
      items: rows.map((r) => ({
        executionId: r.executionId,
        executionStatus: r.executionStatus,
        version: r.version,
        site: r.siteId,
        seq: r.seq,
        iteration: r.iteration,
        attempts: r.attempts,
        error: r.error,
        startedAt: r.startedAt?.toISOString() ?? null,
        completedAt: r.completedAt?.toISOString() ?? null,
      })),
    };
  }

  private scope(days: number, owner: Omit<ExecutionScope, 'from'>): { window: AnalyticsWindow; scope: ExecutionScope } {
    const to = this.clock();
    const from = new Date(to.getTime() - days * DAY_MS);
    return { window: { days, from: from.toISOString(), to: to.toISOString() }, scope: { ...owner, from } };
  }

  /** Execution figures, percentiles, per day, and the dashboard's figures of one scope. */
  private async summary(scope: ExecutionScope, days: number) {
    const now = this.clock();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const [{ byStatus: statuses, durations, perDay }, current] = await Promise.all([windowFigures(this.db, scope), nowFigures(this.db, scope, today)]);
    const finished = TERMINAL_EXECUTION_STATUSES.reduce((n, s) => n + statuses[s], 0);
    const errorRate = share(statuses.failed, finished);
    return {
      executions: { total: sumOf(statuses), finished, byStatus: statuses },
      successRate: share(statuses.completed, finished),
      errorRate,
      durationMs: { p50: durations.p50, p95: durations.p95, p99: durations.p99, averageCompletion: durations.averageCompletedMs },
      dashboard: {
        activeInstances: current.activeInstances,
        completedToday: current.completedToday,
        averageCompletionTimeMs: durations.averageCompletedMs,
        slaBreaches: current.slaBreaches,
        pendingApprovals: current.pendingApprovals,
        escalatedInstances: current.escalatedInstances,
        errorRate,
        throughputPerHour: Math.round((statuses.completed / (days * 24)) * 1000) / 1000,
      },
      perDay,
    };
  }
}

function sumOf(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce<number>((n, c) => n + (c ?? 0), 0);
}
