/**
 * What-ifs (docs/what-if.md): a candidate version run in simulation over recorded executions.
 * Starting one picks the sample and starts its workflow (src/workflows/what-if/); reading one
 * reads the rows its activities write.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getNodeResults } from '../db/repositories/executions';
import { getVersion } from '../db/repositories/versions';
import {
  finishedWhatIfResults,
  getWhatIf,
  getWhatIfResult,
  insertWhatIf,
  sampleExecutionIds,
  whatIfOfRollout,
  whatIfReportPage,
} from '../db/repositories/what-if';
import type { WhatIfRunRow } from '../db/schema';
import { summarize } from '../domain/what-if-compare';
import { WeftError } from '../graph/errors';
import { isSemver } from '../graph/semver';
import { WHAT_IF_CATEGORIES, type WhatIfCategory, type WhatIfSample, type WhatIfSummary } from '../shared/what-if';
import type { whatIfWorkflow } from '../workflows/what-if/workflow';
import type { DefinitionService } from './definitions';

/** The most recorded executions one what-if runs. */
export const MAX_WHAT_IF_SAMPLE = 5_000;

const instant = z.iso.datetime({ offset: true });

/** `POST /workflows/{id}/versions/{v}/what-if`. */
export const whatIfSample = z
  .strictObject({
    fromVersion: z.string().refine(isSemver, 'must be a semantic version such as 1.2.0').optional(),
    site: z.string().min(1).max(100).optional(),
    since: instant.optional(),
    until: instant.optional(),
    status: z.enum(['completed', 'failed']).optional(),
    limit: z.number().int().min(1).max(MAX_WHAT_IF_SAMPLE).default(100),
  })
  .default({ limit: 100 });

/** `POST /workflows/{id}/versions/{v}/what-if`. */
export const whatIfBody = z.strictObject({
  sample: whatIfSample,
  stubs: z.record(z.string().min(1), z.unknown()).default({}),
});
export type WhatIfBody = z.infer<typeof whatIfBody>;

/** A checked what-if request with its sample, not stored yet. */
export interface PlannedWhatIf {
  id: string;
  definitionId: string;
  version: string;
  sample: WhatIfSample;
  stubs: Record<string, unknown>;
  executionIds: string[];
}

/** A link to a what-if's report (from the rollout whose gate it is). */
export interface WhatIfLink {
  id: string;
  status: WhatIfRunRow['status'];
  href: string;
}

/** A what-if as the API shows it. */
export interface WhatIfView {
  id: string;
  workflowId: string;
  version: string;
  sample: WhatIfSample;
  stubs: Record<string, unknown>;
  status: WhatIfRunRow['status'];
  progress: { processed: number; total: number; percentage: number };
  summary: WhatIfSummary;
  error: unknown;
  rolloutId: string | null;
  createdBy: string | null;
  createdAt: string;
  completedAt: string | null;
}

export class WhatIfService {
  constructor(
    private readonly db: WeftDb,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly definitions: DefinitionService,
  ) {}

  /**
   * Picks the sample (newest first) and starts the what-if.
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND (the version, or `sample.fromVersion`), INVALID_REQUEST (until before since)
   */
  async start(definitionId: string, version: string, body: WhatIfBody, ctx: AuditContext): Promise<WhatIfView> {
    const planned = await this.plan(definitionId, version, body);
    const row = await this.db.transaction((tx) => this.insert(tx, planned, ctx));
    await this.temporal.workflow.start<typeof whatIfWorkflow>('whatIfWorkflow', {
      workflowId: row.id,
      taskQueue: this.taskQueue,
      args: [{ whatIfId: row.id }],
      staticSummary: `what-if of ${definitionId}@${planned.version} over ${planned.executionIds.length} recorded executions`,
    });
    return this.view(row, 0, summarize(row.total, []));
  }

  /**
   * Checks a what-if request and picks its sample, storing nothing; `at` prefixes the JSON paths
   * of refusals (a rollout's gate is at `/whatIf`).
   * @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND, INVALID_REQUEST
   */
  async plan(definitionId: string, version: string, body: WhatIfBody, at = ''): Promise<PlannedWhatIf> {
    const candidate = await this.definitions.version(definitionId, version).catch((err: unknown) => {
      throw err instanceof WeftError && err.code === 'VERSION_NOT_FOUND'
        ? new WeftError('VERSION_NOT_FOUND', err.message, { issues: [{ path: at || '/version', code: 'not_found', message: err.message }] })
        : err;
    });
    const sample = body.sample;
    if (sample.fromVersion && !(await getVersion(this.db, definitionId, sample.fromVersion))) {
      const message = `workflow ${definitionId} has no ${sample.fromVersion} version`;
      throw new WeftError('VERSION_NOT_FOUND', message, { issues: [{ path: `${at}/sample/fromVersion`, code: 'not_found', message }] });
    }
    if (sample.since && sample.until && Date.parse(sample.until) <= Date.parse(sample.since)) {
      throw new WeftError('INVALID_REQUEST', 'the sample must end after it starts', {
        issues: [{ path: `${at}/sample/until`, code: 'too_small', message: 'must be after since' }],
      });
    }
    const executionIds = await sampleExecutionIds(this.db, definitionId, sample);
    return { id: `what-if-${randomUUID()}`, definitionId, version: candidate.version, sample, stubs: body.stubs, executionIds };
  }

  /** Stores a planned what-if (in the caller's transaction) with its audit entry; its workflow is started by the caller. */
  async insert(tx: WeftDb, planned: PlannedWhatIf, ctx: AuditContext, rolloutId?: string): Promise<WhatIfRunRow> {
    const { id, definitionId, version, sample, stubs, executionIds } = planned;
    const row = await insertWhatIf(
      tx,
      { id, definitionId, version, sample, stubs, total: executionIds.length, createdBy: ctx.actor, rolloutId: rolloutId ?? null },
      executionIds,
    );
    await appendAudit(tx, {
      ...ctx,
      action: 'what_if.started',
      resourceType: 'what_if',
      resourceId: id,
      workflowId: definitionId,
      details: { version, sample, executions: executionIds.length, stubs: Object.keys(stubs), ...(rolloutId ? { rolloutId } : {}) },
    });
    return row;
  }

  /** The what-if a rollout's gate runs, as the rollout links it. */
  async ofRollout(rolloutId: string): Promise<WhatIfLink | undefined> {
    const row = await whatIfOfRollout(this.db, rolloutId);
    return row ? { id: row.id, status: row.status, href: `/api/v1/what-if/${row.id}` } : undefined;
  }

  /** @throws WeftError WHAT_IF_NOT_FOUND */
  async get(id: string, page: { category?: WhatIfCategory; limit: number; offset: number }) {
    const row = await this.require(id);
    const summary = row.summary ?? summarize(row.total, await finishedWhatIfResults(this.db, id));
    const { total, lines } = await whatIfReportPage(this.db, id, page);
    return {
      ...this.view(row, summary.processed, summary),
      executions: {
        total,
        items: lines.map((r) => ({
          executionId: r.executionId,
          category: r.category ?? 'pending',
          nodes: r.culprits ?? [],
          ...(r.divergence ? { divergence: r.divergence } : {}),
          ...(r.category === 'now_fails' ? { error: r.nowError } : r.category === 'now_succeeds' ? { error: r.thenError } : {}),
          ...(r.category === 'unanswered' ? { unanswered: r.unanswered ?? [] } : {}),
        })),
      },
    };
  }

  /** One execution of a what-if, then and now side by side. @throws WeftError WHAT_IF_NOT_FOUND, INSTANCE_NOT_FOUND */
  async execution(id: string, executionId: string) {
    await this.require(id);
    const result = await getWhatIfResult(this.db, id, executionId);
    if (!result) throw new WeftError('INSTANCE_NOT_FOUND', `execution ${executionId} is not in what-if ${id}`);
    const detail = (result.detail ?? {}) as { then?: Record<string, unknown>; now?: { nodes?: Array<Record<string, unknown>> } & Record<string, unknown> };
    const recorded = await getNodeResults(this.db, executionId);
    const thenNodes = recorded.map((n) => ({ nodeId: n.nodeId, iteration: n.iteration, status: n.status, output: n.output ?? null, error: n.error ?? null }));
    const nowNodes = detail.now?.nodes ?? [];
    const key = (n: Record<string, unknown>) => `${String(n.nodeId)}#${String(n.iteration)}`;
    const order = [...new Set([...thenNodes.map(key), ...nowNodes.map(key)])];
    const nodes = order.map((k) => {
      const [nodeId, iteration] = k.split('#') as [string, string];
      const then = thenNodes.find((n) => key(n) === k);
      const now = nowNodes.find((n) => key(n) === k);
      return { nodeId, iteration: Number(iteration), then: then ?? null, now: now ?? null };
    });
    const { nodes: _nodes, ...now } = detail.now ?? {};
    return {
      whatIfId: id,
      executionId,
      category: result.category ?? 'pending',
      causedBy: result.culprits ?? [],
      then: detail.then ?? null,
      now: result.category ? now : null,
      ...(detail && 'divergence' in detail ? { divergence: (detail as Record<string, unknown>).divergence } : {}),
      ...(detail && 'diff' in detail ? { diff: (detail as Record<string, unknown>).diff } : {}),
      nodes,
    };
  }

  private async require(id: string): Promise<WhatIfRunRow> {
    const row = await getWhatIf(this.db, id);
    if (!row) throw new WeftError('WHAT_IF_NOT_FOUND', `what-if ${id} does not exist`, { details: { whatIfId: id } });
    return row;
  }

  private view(row: WhatIfRunRow, processed: number, summary: WhatIfSummary): WhatIfView {
    return {
      id: row.id,
      workflowId: row.definitionId,
      version: row.version,
      sample: row.sample,
      stubs: row.stubs,
      status: row.status,
      progress: { processed, total: row.total, percentage: row.total === 0 ? 100 : Math.floor((processed / row.total) * 100) },
      summary,
      error: row.error ?? null,
      rolloutId: row.rolloutId,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
      completedAt: row.completedAt?.toISOString() ?? null,
    };
  }
}

/** Categories a report can be filtered by. */
export const whatIfCategory = z.enum(WHAT_IF_CATEGORIES);
