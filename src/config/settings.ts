import { resolve } from 'node:path';
import { z } from 'zod';
import { decodeSecretsKey } from '../auth/secrets-key';
import { parseRateLimits, type RateLimitPolicy } from './rate-limits';

/**
 * Every environment variable Weft reads, with what it means. The docker-compose test checks
 * that each process in the production stack is given the variables its role needs.
 */
export const SETTING_DOCS = {
  PORT: 'API port (default 3000)',
  TEMPORAL_ADDRESS: 'host:port of an external Temporal frontend; unset starts an embedded dev server',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default "default")',
  WEFT_TASK_QUEUE: 'task queue of the Weft worker (default "weft")',
  DATABASE_URL: 'postgres:// URL of an external PostgreSQL; unset uses embedded PGlite in WEFT_DATA_DIR',
  WEFT_DATA_DIR: 'folder for PGlite files, the dev server database and generated secrets (default ./.weft)',
  WEFT_JWT_SECRET: 'HS256 secret for API tokens; generated and kept in WEFT_DATA_DIR when unset',
  WEFT_HTTP_ALLOWED_HOSTS: 'comma-separated host[:port] list that outbound HTTP may reach even when private',
  WEFT_SECRETS_KEY:
    'AES-256 key (32 bytes as 64 hex digits or base64) connector secrets are encrypted under; generated and kept in WEFT_DATA_DIR when unset (API and workers must share it)',
  WEFT_TEMPORAL_PORT: 'port of the embedded Temporal dev server (default 7233; its Web UI is this + 1000)',
  LOG_LEVEL:
    "pino log level (default info); the Temporal SDK's lines (worker, workflow and activity, with workflowId, runId and nodeId) pass at the same level, Temporal core's own at most down to info",
  WEFT_WORKFLOW_BUNDLE: 'path of a workflow bundle built ahead of time (scripts/bundle-workflows.ts); bundled at start when unset',
  WEFT_SMTP_URL: 'smtp:// or smtps:// URL (user:pass@host:port) of the server NOTIFICATION email goes through; email is refused when unset',
  WEFT_MAIL_FROM: 'sender address of NOTIFICATION email, e.g. "Weft <weft@example.com>"',
  WEFT_MAX_CACHED_WORKFLOWS:
    'how many running workflows a worker keeps in memory (about 0.3 MB each; evicted ones are replayed from history when they next act); default 1,248: what keeps a worker near 1 GiB, counting 0.5 MB each',
  WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES:
    "activity tasks (node side effects: HTTP calls, database work) one worker runs at once; default 100 (the Temporal SDK's)",
  WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS:
    "workflow tasks (interpreter steps) one worker runs at once, at least 2; default 40 (the Temporal SDK's); more helps only while the worker has CPU to spare",
  WEFT_WORKER_WORKFLOW_POLLERS:
    'long polls a worker keeps open for workflow tasks, 2 up to WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS; default the smaller of 10 and that setting',
  WEFT_WORKER_ACTIVITY_POLLERS:
    'long polls a worker keeps open for activity tasks, 1 up to WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES; default the smaller of 10 and that setting',
  WEFT_RATE_LIMITS:
    'per-user API rate limits, and per-trigger webhook deliveries, over the defaults (executions=100/min, configChanges=50/min, approvalRequests=500/hour, versionComparisons=100/hour, rolloutOperations=10/hour, webhookDeliveries=300/min): comma-separated <category>=<limit>/<window> or <category>=off, or "off" for none',
  WEFT_WORKFLOW_STACK_TRACES:
    "on: the Temporal Web UI's Stack Trace tab works, at the price of a stack trace taken for every promise a workflow creates (most of an activation's CPU); default off",
  WEFT_WORKER_METRICS_ADDRESS:
    "host:port where a worker process serves the Temporal SDK's Prometheus metrics at /metrics (e.g. 0.0.0.0:9464); unset serves none",
  WEFT_ROLLOUT_HISTORY_LIMIT: 'history events after which a rollout workflow run continues as new (default 5,000; at least 200)',
  OTEL_EXPORTER_OTLP_ENDPOINT:
    'base URL of an OpenTelemetry collector (OTLP over HTTP, e.g. http://otel-collector:4318): set, the process exports traces of API requests, workflows and activities to <url>/v1/traces; unset, no traces are made',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'full URL traces are exported to, over OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://otel-collector:4318/v1/traces)',
  OTEL_SERVICE_NAME: 'service.name of the exported spans (default "weft"; e.g. weft-api and weft-worker to tell the processes apart)',
  OTEL_TRACES_EXPORTER: '"none" turns trace export off although an endpoint is set (default otlp)',
  OTEL_SDK_DISABLED: '"true" turns OpenTelemetry off although an endpoint is set',
} as const;

export type SettingName = keyof typeof SETTING_DOCS;

/** Which variables each production process must be given (the rest have safe defaults). */
export const REQUIRED_BY_ROLE: Record<'api' | 'worker', SettingName[]> = {
  api: ['PORT', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'WEFT_TASK_QUEUE', 'DATABASE_URL', 'WEFT_JWT_SECRET', 'WEFT_SECRETS_KEY'],
  worker: ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'WEFT_TASK_QUEUE', 'DATABASE_URL', 'WEFT_HTTP_ALLOWED_HOSTS', 'WEFT_SECRETS_KEY'],
};

const hostPort = /^[A-Za-z0-9.\-_[\]:]+$/;

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, 'must be host:port, e.g. localhost:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  WEFT_TASK_QUEUE: z.string().min(1).default('weft'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  WEFT_DATA_DIR: z.string().min(1).default('./.weft'),
  WEFT_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  WEFT_HTTP_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((hosts) => hosts.every((h) => hostPort.test(h)), 'must be a comma-separated list of host[:port]'),
  WEFT_SECRETS_KEY: z
    .string()
    .refine((k) => decodeSecretsKey(k) !== undefined, 'must be 32 bytes as 64 hex digits or base64')
    .optional(),
  WEFT_TEMPORAL_PORT: z.coerce.number().int().min(1).max(64535).default(7233),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEFT_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  WEFT_SMTP_URL: z.string().refine(isSmtpUrl, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587').optional(),
  WEFT_MAIL_FROM: z.string().min(3).optional(),
  WEFT_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
  WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).optional(),
  WEFT_WORKER_WORKFLOW_POLLERS: z.coerce.number().int().min(2).max(1_000).optional(),
  WEFT_WORKER_ACTIVITY_POLLERS: z.coerce.number().int().min(1).max(1_000).optional(),
  WEFT_WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  WEFT_WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s/]+:\d+$/, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional(),
  WEFT_ROLLOUT_HISTORY_LIMIT: z.coerce.number().int().min(200).max(50_000).optional(),
  // Read by telemetry/tracing.ts and the OTel SDK itself, before the settings; checked here so a typo stops the start.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  OTEL_TRACES_EXPORTER: z
    .string()
    .regex(/^(otlp|none)$/i, 'must be otlp or none')
    .optional(),
  OTEL_SDK_DISABLED: z
    .string()
    .regex(/^(true|false)$/i, 'must be true or false')
    .optional(),
  WEFT_RATE_LIMITS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const parsed = parseRateLimits(text);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed.policy;
    }),
});

function isSmtpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export interface Settings {
  port: number;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  databaseUrl: string | undefined;
  dataDir: string;
  jwtSecret: string | undefined;
  httpAllowedHosts: string[];
  /** WEFT_SECRETS_KEY as given (never log it); see resolveSecretsKey. */
  secretsKey: string | undefined;
  temporalDevPort: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  workflowBundlePath: string | undefined;
  /** WEFT_SMTP_URL: credentials included, so never log it. */
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  /** WEFT_MAX_CACHED_WORKFLOWS; undefined sizes the cache from the heap (see defaultMaxCachedWorkflows). */
  maxCachedWorkflows: number | undefined;
  /** WEFT_WORKER_*: how much one worker takes on at once; undefined keeps the SDK's defaults. */
  workerTuning: WorkerTuning;
  /** WEFT_WORKFLOW_STACK_TRACES=on. */
  workflowStackTraces: boolean;
  /** WEFT_WORKER_METRICS_ADDRESS: where the SDK's Prometheus exporter listens; undefined for none. */
  workerMetricsAddress: string | undefined;
  /** WEFT_ROLLOUT_HISTORY_LIMIT; undefined keeps the rollout workflow's own default. */
  rolloutHistoryLimit: number | undefined;
  /** WEFT_RATE_LIMITS over the defaults: per-user budgets the API enforces. */
  rateLimits: RateLimitPolicy;
}

/** The Temporal SDK's defaults for the task slots (WorkerOptions), which unset settings keep. */
const SDK_WORKFLOW_TASK_SLOTS = 40;
const SDK_ACTIVITY_SLOTS = 100;

/** A worker's concurrency (the Temporal SDK's options of the same meaning); unset ones keep the SDK's defaults. */
export interface WorkerTuning {
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentWorkflowTaskPolls?: number;
  maxConcurrentActivityTaskPolls?: number;
}

/** Thrown at start-up when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Weft cannot start as configured for a reason the environment's syntax does not show (a port
 * already taken, a Temporal server that refuses what Weft needs); the message says what to change.
 */
export class StartupError extends Error {
  override readonly name: string = 'StartupError';
}

/**
 * Reads and validates the environment once. Empty strings count as unset so that
 * docker-compose's `VAR: ""` does not turn into a bad value.
 * @throws ConfigError naming each offending variable
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(SETTING_DOCS)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const s = parsed.data;
  const workerTuning = definedOnly({
    maxConcurrentActivityTaskExecutions: s.WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: s.WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentWorkflowTaskPolls: s.WEFT_WORKER_WORKFLOW_POLLERS,
    maxConcurrentActivityTaskPolls: s.WEFT_WORKER_ACTIVITY_POLLERS,
  });
  // The SDK refuses more pollers than task slots only when the worker starts; say so at load, by name.
  const tooMany = [
    [
      'WEFT_WORKER_WORKFLOW_POLLERS',
      s.WEFT_WORKER_WORKFLOW_POLLERS,
      'WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
      s.WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? SDK_WORKFLOW_TASK_SLOTS,
    ],
    [
      'WEFT_WORKER_ACTIVITY_POLLERS',
      s.WEFT_WORKER_ACTIVITY_POLLERS,
      'WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES',
      s.WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES ?? SDK_ACTIVITY_SLOTS,
    ],
  ] as const;
  const problems = tooMany
    .filter(([, polls, , slots]) => polls !== undefined && polls > slots)
    .map(([p, , t, slots]) => `${p}: must be at most ${t} (${slots})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: s.PORT,
    temporalAddress: s.TEMPORAL_ADDRESS,
    temporalNamespace: s.TEMPORAL_NAMESPACE,
    taskQueue: s.WEFT_TASK_QUEUE,
    databaseUrl: s.DATABASE_URL,
    dataDir: resolve(s.WEFT_DATA_DIR),
    jwtSecret: s.WEFT_JWT_SECRET,
    httpAllowedHosts: s.WEFT_HTTP_ALLOWED_HOSTS,
    secretsKey: s.WEFT_SECRETS_KEY,
    temporalDevPort: s.WEFT_TEMPORAL_PORT,
    logLevel: s.LOG_LEVEL,
    workflowBundlePath: s.WEFT_WORKFLOW_BUNDLE ? resolve(s.WEFT_WORKFLOW_BUNDLE) : undefined,
    smtpUrl: s.WEFT_SMTP_URL,
    mailFrom: s.WEFT_MAIL_FROM,
    maxCachedWorkflows: s.WEFT_MAX_CACHED_WORKFLOWS,
    workerTuning,
    workflowStackTraces: s.WEFT_WORKFLOW_STACK_TRACES === 'on',
    rolloutHistoryLimit: s.WEFT_ROLLOUT_HISTORY_LIMIT,
    workerMetricsAddress: s.WEFT_WORKER_METRICS_ADDRESS,
    rateLimits: s.WEFT_RATE_LIMITS,
  };
}

function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
