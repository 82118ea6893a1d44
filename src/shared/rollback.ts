/**
 * What the rollback workflow and its activities exchange. Types only (workflow code imports
 * them); plain JSON that survives the payload converter.
 */

export type RollbackStatus = 'pending' | 'in_progress' | 'success' | 'failed' | 'partial';

export interface RollbackStepSpec {
  stepNumber: number;
  action: string;
  siteIds: string[];
  estimatedTimeMs: number;
  dependencies: number[];
}

export interface RollbackProgressEntry {
  status: RollbackStatus;
  startedAt?: string;
  completedAt?: string;
  error?: string;
  result?: Record<string, unknown>;
}

/** The rollback workflow's input: one execution of one plan. */
export interface RollbackWorkflowInput {
  executionId: string;
  planId: string;
  rolloutId: string;
  recoveryPointId: string;
  definitionId: string;
  targetVersion: string;
  steps: RollbackStepSpec[];
}

/** Everything the workflow knows of its progress; each write carries a higher revision. */
export interface RollbackProgressRecord {
  executionId: string;
  revision: number;
  status: RollbackStatus;
  steps: Record<string, RollbackProgressEntry>;
  sites: Record<string, RollbackProgressEntry>;
  /** Set on the last write. */
  completedAt?: string;
}

export interface RevertSiteInput {
  executionId: string;
  rolloutId: string;
  siteId: string;
  definitionId: string;
  version: string;
}

export interface RevertSiteResult {
  previousVersion: string | null;
  version: string;
  /** False when the site already ran `version` (a retried or repeated revert). */
  changed: boolean;
}
