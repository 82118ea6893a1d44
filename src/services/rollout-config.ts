/**
 * A rollout request as the API reads it (`000_*.txt` StagedRolloutConfig, CanaryRolloutConfig,
 * ScheduledRolloutConfig, every field honoured) and the plan the workflow runs, resolved once at
 * creation: which sites, in which stages, which canaries, every duration in milliseconds.
 *
 * Durations are hours as in the seed (`delayHours: 2`) or text (`delay: "90s"`, `"PT1H"`).
 */
import { z } from 'zod';
import { DurationTextSchema } from '../graph/duration-schema';
import { parseDuration } from '../graph/duration';
import { WeftError, type ValidationIssue } from '../graph/errors';
import { chooseCanarySites } from '../workflows/rollout/plan';
import { whatIfSample } from './what-if';
import type { PlannedStage, RolloutPlan } from '../workflows/rollout/types';

const HOUR_MS = 3_600_000;
const hours = z
  .number()
  .min(0)
  .max(24 * 366);
const durationText = DurationTextSchema;
const toMs = (h: number | undefined, text: string | undefined, fallback: number) =>
  text !== undefined ? parseDuration(text) : h !== undefined ? Math.round(h * HOUR_MS) : fallback;
const parallel = z.number().int().min(1).max(10_000);
const percentage = z.number().min(0).max(100);
const common = { autoRollback: z.boolean().optional() };

const immediate = z.strictObject({ ...common, maxParallelSites: parallel.optional() });

const staged = z.strictObject({
  ...common,
  stages: z
    .array(
      z.strictObject({
        stageNumber: z.number().int().min(1),
        sitesOrRegions: z.array(z.string().min(1).max(100)).min(1),
        delayHours: hours.optional(),
        delay: durationText.optional(),
        validateBeforeNext: z.boolean().default(false),
        successCriteriaPercentage: percentage.optional(),
        maxParallelSites: parallel.optional(),
      }),
    )
    .min(1)
    .max(100),
});

const METRICS = ['error_rate', 'latency_p95', 'latency_p50', 'failure_count'] as const;
const canary = z.strictObject({
  ...common,
  canaryPercentage: z.number().min(1).max(100),
  canaryDurationHours: hours.optional(),
  canaryDuration: durationText.optional(),
  metricsToMonitor: z.array(z.enum(METRICS)).min(1).default(['error_rate']),
  errorThresholdPercentage: percentage.default(5),
  performanceThresholdPercentage: z.number().min(0).max(10_000).default(20),
  autoPromoteIfSuccessful: z.boolean().default(false),
  minSampleSize: z.number().int().min(1).max(1_000_000).default(10),
  analysisInterval: durationText.optional(),
  analysisIntervalHours: hours.optional(),
  maxParallelSites: parallel.optional(),
});

const instant = z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]);
const scheduled = z.strictObject({
  ...common,
  startTime: instant,
  endTime: instant.optional(),
  maxParallelSites: parallel.optional(),
  maintenanceWindow: z
    .strictObject({
      startHour: z.number().int().min(0).max(23),
      endHour: z.number().int().min(0).max(24),
      daysOfWeek: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    })
    .optional(),
});

const siteId = z.string().min(1).max(100);
const common_body = {
  workflowId: z.string().min(1).max(200),
  version: z.string().min(1).max(100),
  targetSites: z.union([z.array(siteId).min(1).max(10_000), z.strictObject({ regions: z.array(z.string().min(1).max(100)).min(1) })]).optional(),
  approvalRequestId: z.string().min(1).max(300).optional(),
  /** A what-if gate (docs/what-if.md): the rollout starts only once this what-if of the version passes. */
  whatIf: z
    .strictObject({
      sample: whatIfSample,
      stubs: z.record(z.string().min(1), z.unknown()).default({}),
      maxChangedPercentage: percentage,
      allowNowFails: z.boolean().default(false),
    })
    .optional(),
};

/** The body of `POST /rollouts`. */
export const createRolloutBody = z.discriminatedUnion('strategy', [
  z.strictObject({ ...common_body, strategy: z.literal('immediate'), config: immediate.default({}) }),
  z.strictObject({ ...common_body, strategy: z.literal('staged'), config: staged }),
  z.strictObject({ ...common_body, strategy: z.literal('canary'), config: canary }),
  z.strictObject({ ...common_body, strategy: z.literal('scheduled'), config: scheduled }),
]);
export type CreateRolloutBody = z.infer<typeof createRolloutBody>;

/** A target site as planning needs it. */
export interface PlanSite {
  id: string;
  region: string;
}

function invalid(path: string, message: string): WeftError {
  const issue: ValidationIssue = { path, code: 'VALIDATION_ERROR', message };
  return new WeftError('VALIDATION_ERROR', message, { issues: [issue] });
}

const iso = (t: number | string | undefined) => (t === undefined ? null : new Date(t).toISOString());

/**
 * The plan for `body` over `targets` (in id order).
 * @throws WeftError VALIDATION_ERROR (a stage entry that names no target site or region, target
 *   sites in no stage, an end time before the start, both forms of one duration)
 */
export function buildPlan(rolloutId: string, body: CreateRolloutBody, targets: PlanSite[]): RolloutPlan {
  const ids = targets.map((s) => s.id);
  const autoRollback = body.config.autoRollback ?? true;
  const base = { strategy: body.strategy, autoRollback, canarySites: [] as string[], canary: null, schedule: null };
  const stage = (number: number, sites: string[], maxParallel: number | undefined, kind: PlannedStage['kind'] = 'deploy'): PlannedStage => ({
    number,
    sites,
    maxParallel: maxParallel ?? Math.max(1, sites.length),
    delayMs: 0,
    validate: false,
    successCriteriaPercentage: 100,
    kind,
  });
  switch (body.strategy) {
    case 'immediate':
      return { ...base, stages: [stage(1, ids, body.config.maxParallelSites)] };
    case 'staged':
      return { ...base, stages: stagedStages(body.config.stages, targets) };
    case 'canary': {
      const c = body.config;
      if (c.canaryDuration !== undefined && c.canaryDurationHours !== undefined)
        throw invalid('/config/canaryDuration', 'give canaryDuration or canaryDurationHours, not both');
      const canarySites = chooseCanarySites(rolloutId, ids, c.canaryPercentage);
      const rest = ids.filter((id) => !canarySites.includes(id));
      const durationMs = toMs(c.canaryDurationHours, c.canaryDuration, HOUR_MS);
      const intervalMs = Math.max(1_000, Math.min(durationMs || 1_000, toMs(c.analysisIntervalHours, c.analysisInterval, 5 * 60_000)));
      return {
        ...base,
        canarySites,
        stages: [stage(1, canarySites, c.maxParallelSites, 'canary'), ...(rest.length ? [stage(2, rest, c.maxParallelSites)] : [])],
        canary: {
          durationMs,
          intervalMs,
          metrics: c.metricsToMonitor,
          errorThresholdPercentage: c.errorThresholdPercentage,
          performanceThresholdPercentage: c.performanceThresholdPercentage,
          minSampleSize: c.minSampleSize,
          autoPromote: c.autoPromoteIfSuccessful,
        },
      };
    }
    case 'scheduled': {
      const c = body.config;
      const startAt = iso(c.startTime);
      const endAt = iso(c.endTime);
      if (startAt && endAt && endAt <= startAt) throw invalid('/config/endTime', 'endTime must be after startTime');
      return { ...base, stages: [stage(1, ids, c.maxParallelSites)], schedule: { startAt, endAt, window: c.maintenanceWindow ?? null } };
    }
  }
}

type StagedConfig = z.infer<typeof staged>['stages'];

/** Each stage's entries as target site ids (an id, or every target site of a region), each site in its first stage. */
function stagedStages(stages: StagedConfig, targets: PlanSite[]): PlannedStage[] {
  const placed = new Set<string>();
  const ordered = stages.map((s, index) => ({ s, index })).sort((a, b) => a.s.stageNumber - b.s.stageNumber);
  const out = ordered.map(({ s, index }) => {
    if (s.delay !== undefined && s.delayHours !== undefined) throw invalid(`/config/stages/${index}/delay`, 'give delay or delayHours, not both');
    const sites: string[] = [];
    s.sitesOrRegions.forEach((entry, j) => {
      const matched = targets.filter((t) => t.id === entry || t.region === entry).map((t) => t.id);
      if (matched.length === 0) throw invalid(`/config/stages/${index}/sitesOrRegions/${j}`, `${entry} is neither a target site nor the region of one`);
      for (const id of matched) {
        if (placed.has(id)) continue;
        placed.add(id);
        sites.push(id);
      }
    });
    return {
      number: s.stageNumber,
      sites: sites.sort(),
      maxParallel: s.maxParallelSites ?? Math.max(1, sites.length),
      delayMs: toMs(s.delayHours, s.delay, 0),
      validate: s.validateBeforeNext,
      successCriteriaPercentage: s.successCriteriaPercentage ?? 100,
      kind: 'deploy' as const,
    };
  });
  const missing = targets.filter((t) => !placed.has(t.id)).map((t) => t.id);
  if (missing.length > 0) throw invalid('/config/stages', `every target site must be in a stage; in none: ${missing.join(', ')}`);
  return out;
}
