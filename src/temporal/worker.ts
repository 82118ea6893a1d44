import { getHeapStatistics } from 'node:v8';
import type { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { nodeProgressInterceptor } from '../activities/node-progress';
import type { EventPublisher } from '../activities/events';
import type { ScheduledTriggerFirer } from '../activities/triggers';
import { SecretBox } from '../domain/secret-box';
import { SiteConfigService } from '../services/site-config';
import { TriggerSchedules } from '../services/trigger-schedules';
import { TriggerStarts } from '../services/trigger-starts';
import { databaseUnavailableInterceptor } from '../activities/database-unavailable';
import type { WorkerTuning } from '../config/settings';
import type { WeftDb } from '../db/client';
import { DefinitionService } from '../services/definitions';
import { EventService } from '../services/events';
import { ExecutionService } from '../services/executions';
import { installationActivityInterceptor } from './installation';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from '../telemetry/tracing';
import { nodeLogInterceptor } from './node-log-interceptor';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: WeftDb;
  httpAllowedHosts: string[];
  /** WEFT_SMTP_URL and WEFT_MAIL_FROM, for NOTIFICATION email (refused when either is missing). */
  smtpUrl?: string;
  mailFrom?: string;
  /** The key connector secrets are sealed under. */
  secretsKey: Buffer;
  /** A prebuilt bundle (production, tests); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Workflows kept in memory between tasks; {@link defaultMaxCachedWorkflows} when unset. */
  maxCachedWorkflows?: number;
  /** Task slots and pollers (WEFT_WORKER_* settings); unset ones keep the SDK's defaults. */
  tuning?: WorkerTuning;
  /** The id of the installation the database belongs to: activities of others are refused. */
  installationId: string;
  /** Identity shown in the Temporal UI, e.g. to tell workers apart in a crash test. */
  identity?: string;
  /** Keep the SDK's per-promise stack traces (the Web UI's Stack Trace tab); see {@link setWorkflowStackTraces}. */
  workflowStackTraces?: boolean;
  /** The process's exporting tracer (telemetry/tracing.ts), when traces are on. */
  tracing?: Tracing;
}

/**
 * Measured with bench/approvals.ts: with the definition language shared (SHARED_WORKFLOW_MODULES)
 * and the SDK's per-promise stack traces off, worker RSS grows by about 0.3 MB per cached workflow
 * (500 instances waiting at an APPROVAL, two workflows each: 276 → 560 MB). Counted at 0.5 to
 * leave room for what a running workflow holds beyond a waiting one.
 */
const MB_PER_CACHED_WORKFLOW = 0.5;

/** What the default cache aims to keep a worker's memory under, with any number of instances waiting. */
const WORKER_MEMORY_TARGET_MB = 1024;

/** Memory a worker needs besides its cached workflows: the SDK, activities, the database pool. */
const WORKER_BASE_MB = 400;

/**
 * How many workflows a worker keeps in memory by default: what fits in WORKER_MEMORY_TARGET_MB (or
 * in this process's heap, if smaller). More waiting instances than that cost no memory, only a
 * replay of the evicted ones' histories when they next act.
 */
export function defaultMaxCachedWorkflows(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  const budgetMb = Math.min(heapLimitBytes / 1048576, WORKER_MEMORY_TARGET_MB);
  return Math.max(10, Math.floor((budgetMb - WORKER_BASE_MB) / MB_PER_CACHED_WORKFLOW));
}

/** The path the bundler starts from: workflow code only, never activities. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The definition-language modules workflow code imports. The SDK evaluates every other module of
 * the bundle once per workflow, and these build some 800 zod schemas: measured with a heap
 * snapshot of bench/approvals.ts, they were most of the ~2 MB each cached workflow held. Preloaded,
 * they are evaluated once per worker and shared, which is safe because they are pure: no I/O, no
 * workflow APIs, and module state only as memoization of pure results.
 */
export const SHARED_WORKFLOW_MODULES = [
  'approval-chain',
  'duration',
  'errors',
  'expressions',
  'json',
  'node-types',
  // Each family's schema and spec (node-types.ts assembles them).
  'nodes/api-call',
  'nodes/approval',
  'nodes/branching',
  'nodes/connectors',
  'nodes/data-transformation',
  'nodes/error-handling',
  'nodes/events',
  'nodes/loop',
  'nodes/notification',
  'nodes/operations',
  'nodes/parallel',
  'nodes/side-effect',
  'nodes/spec',
  'nodes/start-end',
  'nodes/subprocess',
  'nodes/validation',
  'nodes/wait',
  'rendered-request',
  'schema',
  'state-timeout-schema',
  'templates',
  'transformations',
  'validate',
  'validation-node',
  'preload', // last: exempts the modules above from the SDK's freeze, which zod cannot run under
].map((name) => require.resolve(`../graph/${name}`));

/**
 * Workflow interceptors every bundle carries: the installation header (installation-interceptors.ts)
 * and the spans of executions started with a trace context (tracing-interceptors.ts).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/installation-interceptors'), require.resolve('../workflows/tracing-interceptors')];

/** What every workflow bundle of Weft is built with, ahead of time or at worker start. */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  preloadModules: SHARED_WORKFLOW_MODULES,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
};

/** The API's start path, with the worker's own client and task queue (executions run where their starter runs). */
function startServices(db: WeftDb, box: SecretBox, client: Client, taskQueue: string) {
  const executions = new ExecutionService(db, client, taskQueue, new DefinitionService(db), new SiteConfigService(db, box));
  return { executions, triggers: new TriggerStarts(db, executions) };
}

/** EVENT_PUBLISHER's publish: the API's, with the worker's own client and task queue. */
export function eventPublisher(db: WeftDb, box: SecretBox): EventPublisher {
  return (client, taskQueue, request) => {
    const { executions, triggers } = startServices(db, box, client, taskQueue);
    return new EventService(db, client, executions, triggers).publish(request, { actor: 'system' });
  };
}

/** A schedule trigger's run: started as the API starts executions (services/trigger-starts.ts). */
export function scheduledTriggerFirer(db: WeftDb, box: SecretBox): ScheduledTriggerFirer {
  return async (client, taskQueue, firing) => {
    const result = await startServices(db, box, client, taskQueue).triggers.fireScheduled(firing);
    // The trigger is gone but its schedule is not (a deletion that failed after Temporal deleted nothing): it removes itself.
    if (result.skipped === 'deleted') await new TriggerSchedules(client, taskQueue).remove(firing.triggerId);
    return result;
  };
}

/**
 * Switches the SDK's per-promise stack traces on or off for the workflow threads created after
 * this call (patches/@temporalio+worker+*.patch, temporalio/sdk-typescript#1587): each promise a
 * workflow creates took a stack trace, which bench/interpreter-overhead.ts measured as most of
 * the CPU of an activation. The SDK's threads read it from their copy of the environment, made
 * when the worker creates them, hence an environment variable rather than an option.
 */
function setWorkflowStackTraces(on: boolean): void {
  process.env.TEMPORAL_WORKFLOW_STACK_TRACES = on ? 'on' : 'off';
}

/** Creates (does not run) the Weft worker: the generic interpreter workflow plus every activity. */
export function createWeftWorker(deps: WorkerDeps): Promise<Worker> {
  setWorkflowStackTraces(deps.workflowStackTraces ?? false);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: SHARED_WORKFLOW_MODULES } }),
    interceptors: {
      // Outermost first: another installation's activity is refused before anything runs.
      activity: [
        installationActivityInterceptor(deps.installationId),
        // RunActivity spans, child of the workflow's StartActivity, and trace_id on the activity's log lines.
        ...(deps.tracing
          ? [(ctx: Context) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })]
          : []),
        nodeLogInterceptor,
        databaseUnavailableInterceptor,
        nodeProgressInterceptor(deps.db),
      ],
      ...(deps.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    activities: createActivities({
      db: deps.db,
      httpAllowedHosts: deps.httpAllowedHosts,
      smtpUrl: deps.smtpUrl,
      mailFrom: deps.mailFrom,
      secretsKey: deps.secretsKey,
      publishEvent: eventPublisher(deps.db, new SecretBox(deps.secretsKey)),
      fireScheduledTrigger: scheduledTriggerFirer(deps.db, new SecretBox(deps.secretsKey)),
    }),
    // Always there, even with traces off: a traced execution replayed here still calls it (temporalio/sdk-typescript#1400).
    sinks: { exporter: makeWorkflowExporter(deps.tracing?.processor ?? new NoopSpanProcessor(), deps.tracing?.resource ?? Resource.empty()) },
    ...(deps.identity ? { identity: deps.identity } : {}),
    maxCachedWorkflows: deps.maxCachedWorkflows ?? defaultMaxCachedWorkflows(),
    ...deps.tuning,
  });
}
