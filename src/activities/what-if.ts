/**
 * The what-if workflow's I/O (src/workflows/what-if/): the plan, the recorded executions of each
 * batch, what became of each (compared with its record here, domain/what-if-compare.ts), and the
 * end with its summary. Every activity is idempotent: the workflow may run any of them again.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import {
  finishWhatIf,
  finishedWhatIfResults,
  getWhatIf,
  recordedExecutions,
  setWhatIfResult,
  versionGraphs,
  whatIfResultsFrom,
} from '../db/repositories/what-if';
import type { NodeResult } from '../db/schema';
import { compareRun, summarize, type RecordedOutcome } from '../domain/what-if-compare';
import { judgeWhatIf } from '../domain/what-if-gate';
import { isSideEffectNode } from '../graph/node-types';
import type {
  RecordedExecution,
  RecordedRun,
  WhatIfBatch,
  WhatIfError,
  WhatIfGate,
  WhatIfOutcome,
  WhatIfPlan,
  WhatIfSummary,
  WhatIfVerdict,
} from '../shared/what-if';

/** Node types whose recorded runs answer a simulation: side effects, SUBPROCESS and the decisions of APPROVAL. */
function answers(type: string): boolean {
  return isSideEffectNode(type) || type === 'SUBPROCESS' || type === 'APPROVAL';
}

function errorOf(value: unknown): WhatIfError | null {
  return value && typeof value === 'object' ? (value as WhatIfError) : null;
}

/** How the execution ran when it was recorded, as the comparison reads it. */
export function recordedOutcome(execution: { status: string; output: unknown; error: unknown }, nodes: NodeResult[]): RecordedOutcome {
  return {
    status: execution.status,
    output: execution.output ?? null,
    error: errorOf(execution.error),
    nodes: nodes.map((n) => ({ nodeId: n.nodeId, iteration: n.iteration, output: n.output ?? null, error: n.error ?? undefined })),
  };
}

export function createWhatIfActivities(db: WeftDb) {
  const requireRun = async (id: string) => {
    const run = await getWhatIf(db, id);
    if (!run) throw ApplicationFailure.nonRetryable(`what-if ${id} does not exist`, 'NOT_FOUND');
    return run;
  };
  return {
    /** The candidate graph, the stubs and the sample's size. */
    async loadWhatIfPlan(whatIfId: string): Promise<WhatIfPlan> {
      const run = await requireRun(whatIfId);
      const graphs = await versionGraphs(db, run.definitionId, [run.version]);
      if (!graphs[run.version]) throw ApplicationFailure.nonRetryable(`version ${run.version} of ${run.definitionId} no longer exists`, 'VERSION_NOT_FOUND');
      return { definitionId: run.definitionId, version: run.version, graph: graphs[run.version], stubs: run.stubs, total: run.total };
    },

    /** The sampled executions from `offset` on (at most `limit`), as much of each as re-running it takes. */
    async loadWhatIfBatch(req: { whatIfId: string; offset: number; limit: number }): Promise<WhatIfBatch> {
      const run = await requireRun(req.whatIfId);
      const rows = await whatIfResultsFrom(db, req.whatIfId, req.offset, req.limit);
      const recorded = await recordedExecutions(
        db,
        rows.map((r) => r.executionId),
      );
      const executions: RecordedExecution[] = [];
      for (const row of rows) {
        const rec = recorded.get(row.executionId);
        if (!rec) continue;
        const { execution, nodes } = rec;
        const snapshot = execution.configSnapshot;
        executions.push({
          ordinal: row.ordinal,
          executionId: execution.id,
          version: execution.version,
          input: execution.input ?? null,
          startedAt: execution.startedAt.toISOString(),
          ...(snapshot?.site ? { site: snapshot.site } : {}),
          ...(snapshot ? { config: snapshot.values } : {}),
          runs: nodes.filter((n) => answers(n.nodeType)).map(runOf),
        });
      }
      const graphs = await versionGraphs(db, run.definitionId, [...new Set(executions.map((e) => e.version))]);
      return { executions, graphs };
    },

    /** Compares each simulated execution with its record and stores the result (again the same on a retry). */
    async storeWhatIfOutcomes(req: { whatIfId: string; outcomes: WhatIfOutcome[] }): Promise<void> {
      const recorded = await recordedExecutions(
        db,
        req.outcomes.map((o) => o.executionId),
      );
      for (const { ordinal, executionId, now } of req.outcomes) {
        const rec = recorded.get(executionId);
        if (!rec) continue;
        const then = recordedOutcome(rec.execution, rec.nodes);
        const comparison = compareRun(then, now);
        const detail = {
          then: { version: rec.execution.version, status: then.status, output: then.output, error: then.error, path: then.nodes.map((n) => n.nodeId) },
          now: { status: now.status, output: now.output, error: now.error, path: now.path, nodes: now.nodes, unanswered: now.unanswered, stubbed: now.stubbed },
          ...(comparison.divergence ? { divergence: comparison.divergence } : {}),
          ...(comparison.diff ? { diff: comparison.diff } : {}),
        };
        await setWhatIfResult(db, req.whatIfId, ordinal, { category: comparison.category, culprits: comparison.culprits, detail });
      }
    },

    /** Ends the run with its summary (the stored one when it already ended), audited once. */
    async finishWhatIf(req: { whatIfId: string; status: 'completed' | 'failed'; error?: WhatIfError }): Promise<WhatIfSummary> {
      const run = await requireRun(req.whatIfId);
      if (run.status !== 'running' && run.summary) return run.summary;
      const summary = summarize(run.total, await finishedWhatIfResults(db, req.whatIfId));
      await db.transaction(async (tx) => {
        await finishWhatIf(tx, req.whatIfId, { status: req.status, summary, ...(req.error ? { error: req.error } : {}) });
        await appendAudit(tx, {
          actor: 'system',
          action: `what_if.${req.status}`,
          resourceType: 'what_if',
          resourceId: req.whatIfId,
          workflowId: run.definitionId,
          details: { version: run.version, counts: summary.counts, ...(req.error ? { error: req.error } : {}) },
        });
      });
      return summary;
    },

    /** A rollout's what-if gate: the verdict over the finished what-if (domain/what-if-gate.ts). */
    async judgeWhatIfGate(gate: WhatIfGate): Promise<WhatIfVerdict> {
      const run = await requireRun(gate.whatIfId);
      const results = await whatIfResultsFrom(db, gate.whatIfId, 0, run.total);
      const summary = run.summary ?? summarize(run.total, results);
      return judgeWhatIf(gate, summary, results);
    },
  };
}

function runOf(n: NodeResult): RecordedRun {
  const error = errorOf(n.error);
  // A refused approval without a `rejected` edge failed its node; its decision is in the failure's details.
  const output = n.nodeType === 'APPROVAL' && (n.output === null || n.output === undefined) && error?.details ? error.details : (n.output ?? null);
  return { nodeId: n.nodeId, nodeType: n.nodeType, iteration: n.iteration, output, error };
}
