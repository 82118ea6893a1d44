import type { VersionRunStats } from '../db/repositories/version-transitions';
import type { VersionStatus, VersionTransition, WorkflowVersion } from '../db/schema';
import type { WorkflowDefinition } from '../graph/schema';

/** What a version's executions say about it; computed on each read from `executions`, never stored. */
export interface VersionMetrics {
  nodeCount: number;
  /** Executions started from this version, whatever their status. */
  executions: number;
  /** Completed ÷ (completed + failed); null until one has finished either way. */
  successRate: number | null;
  /** Mean duration of completed and failed executions, in ms; null until one has finished. */
  averageDurationMs: number | null;
}

/** A version as the API shows it. */
export interface VersionView {
  id: string;
  definitionId: string;
  version: string;
  status: VersionStatus;
  author: string | null;
  changelog: string | null;
  tags: string[];
  parentVersion: string | null;
  createdAt: Date;
  /** Kept for clients of the first API: the author. */
  createdBy: string | null;
  publishedAt: Date | null;
  publishedBy: string | null;
  activatedAt: Date | null;
  deprecatedAt: Date | null;
  archivedAt: Date | null;
  metrics: VersionMetrics;
  /** Present on single-version reads. */
  graph?: WorkflowDefinition;
}

export function versionView(row: WorkflowVersion, stats: VersionRunStats | undefined, withGraph: boolean): VersionView {
  const graph = row.graph as WorkflowDefinition;
  const finished = stats ? stats.completed + stats.failed : 0;
  return {
    id: row.id,
    definitionId: row.definitionId,
    version: row.version,
    status: row.status,
    author: row.createdBy,
    changelog: row.changelog,
    tags: row.tags,
    parentVersion: row.parentVersion,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    publishedAt: row.publishedAt,
    publishedBy: row.publishedBy,
    activatedAt: row.activatedAt,
    deprecatedAt: row.deprecatedAt,
    archivedAt: row.archivedAt,
    metrics: {
      nodeCount: graph.nodes.length,
      executions: stats?.executions ?? 0,
      successRate: finished > 0 && stats ? stats.completed / finished : null,
      averageDurationMs: stats?.averageDurationMs ?? null,
    },
    ...(withGraph ? { graph } : {}),
  };
}

/** One entry of `GET /workflows/{id}/promotions`. */
export interface PromotionView {
  id: number;
  version: string;
  from: VersionStatus | null;
  to: VersionStatus;
  actor: string;
  reason: string | null;
  approvalRequestId: string | null;
  at: Date;
}

export function promotionView(t: VersionTransition): PromotionView {
  return {
    id: t.id,
    version: t.version,
    from: t.fromStatus,
    to: t.toStatus,
    actor: t.actor,
    reason: t.reason,
    approvalRequestId: t.approvalRequestId,
    at: t.at,
  };
}
