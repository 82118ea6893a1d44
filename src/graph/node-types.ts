/**
 * The node-type registry: every node type name of the format, and for each type this version
 * executes, its properties schema, ports, whether it has side effects, and where its
 * expressions are. Adding a type later means adding one entry to `REGISTRY`.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { APPROVAL_PORTS, ApprovalNodePropertiesSchema } from './approval-chain';
import { DurationTextSchema } from './duration-schema';
import { WeftError } from './errors';
import { checkExpression } from './expressions';
import { escapePointerToken, isPlainObject, toPointer } from './json';
import { regexProblem } from './regex-safety';
import { VARIABLE_NAME_PATTERN } from './schema';
import { isTemplate } from './templates';
import { operationExpressionFields, TransformationOperationsSchema } from './transformations';
import { ValidationPropertiesSchema } from './validation-node';
import { fromZodIssues } from './zod-issues';

/** Every node type name of the format (the seed announces 24 and lists these 23). */
export const NODE_TYPES = [
  'START',
  'END',
  'MATERIAL_CONSUME',
  'EQUIPMENT_OPERATION',
  'QUALITY_CHECK',
  'DATA_TRANSFORMATION',
  'API_CALL',
  'SUBPROCESS',
  'IF_THEN_ELSE',
  'LOOP',
  'WAIT',
  'SWITCH',
  'PARALLEL',
  'SALESFORCE_CONNECTOR',
  'SAP_CONNECTOR',
  'NETSUITE_CONNECTOR',
  'CUSTOM_API',
  'EVENT_PUBLISHER',
  'EVENT_SUBSCRIBER',
  'ERROR_HANDLER',
  'RETRY_LOGIC',
  'FALLBACK_PATH',
  'NOTIFICATION',
  // Beyond the 23 of 000: a step type of 004 (see validation-node.ts).
  'VALIDATION',
  // Beyond the seeds' list: waits for an approval chain (issue 5, see approval-node.ts).
  'APPROVAL',
] as const;

/** A node type name. */
export type NodeType = (typeof NODE_TYPES)[number];

/** True when `type` is one of {@link NODE_TYPES} (case-sensitive: types are upper case). */
export function isNodeType(type: unknown): type is NodeType {
  return typeof type === 'string' && (NODE_TYPES as readonly string[]).includes(type);
}

/** Where an expression or template sits inside a node's properties. */
export interface ExpressionField {
  /** JSON Pointer relative to `properties`, e.g. `/assign/total`. */
  pointer: string;
  /** `expression`: JSONata. `template`: text with `${…}` / `{{…}}` markers. */
  kind: 'expression' | 'template';
  source: string;
}

/** What the engine knows about one executable node type. */
export interface NodeSpec<P = unknown> {
  type: NodeType;
  /** Strict schema of `properties` (unknown keys are issues), defaults applied on parse. */
  propertiesSchema: z.ZodType<P>;
  /**
   * The ports edges may leave from: a list, `'any'` (SWITCH: any value, plus `default`), or
   * `[]` (edges must not name a `sourcePort`).
   */
  ports: readonly string[] | 'any';
  /** Edges may also leave without naming a port (VALIDATION: they take valid data). */
  portOptional?: boolean;
  /** Runs as a Temporal activity (true) or inside the workflow (false). */
  sideEffect: boolean;
  /**
   * For side-effecting types other than API_CALL: the name of the worker activity that runs
   * the node. It receives a {@link NodeActivityRequest} whose properties are already rendered.
   */
  activity?: string;
  /**
   * Every expression and template in the properties. Tolerates malformed properties (skips
   * what is not a string) so that validation can report expression problems alongside schema ones.
   */
  expressionFields(properties: unknown): ExpressionField[];
}

// --- common side-effect properties -------------------------------------------------------

/** Retry strategies of side-effect nodes. */
export const RETRY_STRATEGIES = ['NONE', 'IMMEDIATE', 'FIXED', 'LINEAR', 'EXPONENTIAL'] as const;

/**
 * Retry policy of a side-effect node, mapped onto the activity's Temporal retry policy.
 * Defaults are the ones docs/nodes.md publishes.
 */
export const RetrySpecSchema = z.strictObject({
  maxAttempts: z.number().int().min(1).default(3),
  strategy: z.enum(RETRY_STRATEGIES).default('EXPONENTIAL'),
  initialIntervalMs: z.number().int().min(0).default(1000),
  backoffCoefficient: z.number().min(1).default(2),
  maxIntervalMs: z.number().int().min(0).default(30_000),
  jitter: z.boolean().default(false),
  nonRetryableErrorCodes: z.array(z.string().min(1)).default([]),
});

/** A parsed retry policy (defaults applied). */
export type RetrySpec = z.output<typeof RetrySpecSchema>;

/** Properties every side-effect node accepts (defaults as docs/nodes.md publishes; `retry` absent means the interpreter's default policy). */
export const commonSideEffectShape = {
  retry: RetrySpecSchema.optional(),
  timeoutMs: z.number().int().min(1).default(30_000),
  continueOnError: z.boolean().default(false),
  /** The node that undoes this one when the execution fails and `settings.rollbackOnFailure` is on (see compensation.ts). */
  compensation: z.string().min(1).optional(),
};

/** The common side-effect properties on their own (each side-effect type's schema spreads {@link commonSideEffectShape}). */
export const CommonSideEffectPropertiesSchema = z.strictObject(commonSideEffectShape);

/** The parsed common side-effect properties. */
export type CommonSideEffectProperties = z.output<typeof CommonSideEffectPropertiesSchema>;

// --- properties of the core types ---------------------------------------------------------

const expression = z.string().min(1, 'Expression must not be empty');

/** START: no properties. */
export const StartPropertiesSchema = z.strictObject({});
/** END: `output`, each value an expression (absent: the output is `vars`). */
export const EndPropertiesSchema = z.strictObject({
  output: z.record(z.string().min(1), expression).optional(),
});
/**
 * DATA_TRANSFORMATION: `assign`, variable → expression, evaluated in order, each seeing the
 * previous; then `operations` (map, rename, calculate, format, merge: see transformations.ts).
 */
export const DataTransformationPropertiesSchema = z
  .strictObject({
    assign: z
      .record(z.string().regex(VARIABLE_NAME_PATTERN, 'Variable names must start with a letter or _ and contain only letters, digits, _ and -'), expression)
      .refine((assign) => Object.keys(assign).length > 0, 'assign needs at least one variable')
      .optional(),
    operations: TransformationOperationsSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.assign === undefined && p.operations === undefined) {
      ctx.addIssue({ code: 'custom', path: ['assign'], message: 'DATA_TRANSFORMATION needs "assign", "operations" or both' });
    }
  });
/** IF_THEN_ELSE: `condition`, an expression; leaves by port `true` or `false`. */
export const IfThenElsePropertiesSchema = z.strictObject({ condition: expression });
/** SWITCH: `expression`; leaves by the port named as its value, else `default`. */
export const SwitchPropertiesSchema = z.strictObject({ expression });
/** WAIT: exactly one of `duration` (see duration.ts) or `until` (an expression giving an ISO timestamp). */
export const WaitPropertiesSchema = z
  .strictObject({
    duration: DurationTextSchema.optional(),
    until: expression.optional(),
  })
  .superRefine((props, ctx) => {
    if ((props.duration === undefined) === (props.until === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'WAIT needs exactly one of "duration" or "until"' });
    }
  });

/** HTTP methods of API_CALL. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/**
 * API_CALL: `method` (default GET), `url` (template), `headers` and `query` (objects of
 * templates, default {}), `body` (JSON whose strings are templates), `timeoutMs` (default
 * 30000), `maxResponseBytes` (default 10 MiB), `connectorId` (a custom_api connector whose
 * base URL and auth the call uses), and the common side-effect properties.
 */
export const ApiCallPropertiesSchema = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  url: z.string().min(1),
  headers: z.record(z.string().min(1), z.string()).default({}),
  query: z.record(z.string().min(1), z.string()).default({}),
  body: z.unknown().optional(),
  maxResponseBytes: z
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  /** A custom_api connector lending its base URL (`url` may then be a path) and auth. */
  connectorId: z.string().min(1).optional(),
  ...commonSideEffectShape,
});

/** Channels a NOTIFICATION can send through. */
export const NOTIFICATION_CHANNELS = ['email', 'slack', 'teams', 'webhook'] as const;
/** The channels that post to an incoming webhook URL rather than send mail. */
export const WEBHOOK_CHANNELS = ['slack', 'teams', 'webhook'] as const;
/** How a NOTIFICATION names whom to tell (001: RecipientDefinition, with a literal `email` instead of `dynamic`). */
export const RECIPIENT_TYPES = ['user', 'role', 'group', 'email'] as const;

/**
 * NOTIFICATION: sends `subject` and `message` (templates; `html` optional) through each of
 * `channels`. Email goes to `recipients` (users, roles and groups of the directory, or literal
 * addresses) over SMTP; slack, teams and webhook post to `webhookUrl` (one URL for all of them,
 * or an object naming one per channel); `data` is sent as JSON to a generic webhook.
 */
export const NotificationPropertiesSchema = z
  .strictObject({
    channels: z
      .array(z.enum(NOTIFICATION_CHANNELS))
      .min(1)
      .refine((c) => new Set(c).size === c.length, 'each channel at most once'),
    recipients: z.array(z.strictObject({ type: z.enum(RECIPIENT_TYPES), identifier: z.string().min(1) })).default([]),
    subject: z.string().default(''),
    message: z.string().min(1),
    html: z.string().min(1).optional(),
    webhookUrl: z
      .union([
        z.string().min(1),
        z.strictObject({ slack: z.string().min(1).optional(), teams: z.string().min(1).optional(), webhook: z.string().min(1).optional() }),
      ])
      .optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    ...commonSideEffectShape,
  })
  .superRefine((p, ctx) => {
    if (p.channels.includes('email') && p.recipients.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'the email channel needs at least one recipient' });
    }
    for (const channel of WEBHOOK_CHANNELS) {
      if (!p.channels.includes(channel)) continue;
      const url = typeof p.webhookUrl === 'string' ? p.webhookUrl : p.webhookUrl?.[channel];
      if (url === undefined) ctx.addIssue({ code: 'custom', path: ['webhookUrl'], message: `the ${channel} channel needs a webhookUrl` });
    }
  });

/** Hard cap on LOOP iterations, whatever `maxIterations` says. */
export const MAX_LOOP_ITERATIONS = 1_000_000;

/**
 * LOOP: over the array `items` (expression) or while `while` (expression) holds, at most
 * `maxIterations` times, `concurrency` bodies at once. The body starts at the edge leaving
 * through port `body` and ends when it comes back to the LOOP node; port `done` follows.
 * `collect` (expression, evaluated at the end of each iteration) is the iteration's result;
 * by default the output of the body's last node. More than `batchSize` iterations run in batch
 * child workflows of `batchSize` each, so that no run's history grows with the loop.
 */
export const LoopPropertiesSchema = z
  .strictObject({
    items: z.string().min(1).optional(),
    while: z.string().min(1).optional(),
    maxIterations: z.number().int().min(1).max(MAX_LOOP_ITERATIONS).default(10_000),
    concurrency: z.number().int().min(1).max(100).default(1),
    collect: z.string().min(1).optional(),
    // Bounds every run's history: iterations beyond it run in child workflows (see loop-batches.ts).
    batchSize: z.number().int().min(1).max(10_000).default(1_000),
  })
  .superRefine((p, ctx) => {
    if ((p.items === undefined) === (p.while === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'LOOP needs exactly one of "items" or "while"' });
    }
    if (p.while !== undefined && p.concurrency > 1) {
      ctx.addIssue({ code: 'custom', path: ['concurrency'], message: 'a "while" LOOP runs one iteration at a time' });
    }
  });

/** How many branches must succeed before PARALLEL goes on (001: waitStrategy). */
export const WAIT_STRATEGIES = ['all', 'any', 'majority'] as const;
/** What a failed branch does to the others (001: failureStrategy). */
export const FAILURE_STRATEGIES = ['fail_fast', 'wait_all', 'continue'] as const;

/**
 * PARALLEL: every outgoing edge whose condition holds starts a branch; branches run until they
 * reach the `join` node, which runs once afterwards. `weights` (by the branch's first node id)
 * count for `majority`; branches no longer needed are cancelled.
 */
export const ParallelPropertiesSchema = z.strictObject({
  join: z.string().min(1),
  waitStrategy: z.enum(WAIT_STRATEGIES).default('all'),
  failureStrategy: z.enum(FAILURE_STRATEGIES).default('fail_fast'),
  weights: z.record(z.string().min(1), z.number().positive()).default({}),
});

/** What a failed child does to the parent (001: failureHandling). */
export const SUBPROCESS_FAILURE_HANDLING = ['fail_parent', 'continue', 'retry'] as const;

/**
 * SUBPROCESS: runs another published definition (`workflowId`, optionally pinned to `version`)
 * as a child workflow. `inputMapping` (key → expression) builds its input; `outputMapping`
 * (variable → expression over `output`, the child's output) copies results back.
 */
export const SubprocessPropertiesSchema = z.strictObject({
  workflowId: z.string().min(1),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 1.2.0')
    .optional(),
  inputMapping: z.record(z.string().min(1), z.string().min(1)).default({}),
  outputMapping: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), z.string().min(1)).default({}),
  waitForCompletion: z.boolean().default(true),
  timeoutMinutes: z.number().positive().optional(),
  failureHandling: z.enum(SUBPROCESS_FAILURE_HANDLING).default('fail_parent'),
  maxAttempts: z.number().int().min(1).max(100).default(3),
});

/** What an ERROR_HANDLER handler does with a failure it matches (000: ErrorHandler.action). */
export const ERROR_ACTIONS = ['retry', 'skip', 'fallback', 'notify', 'abort'] as const;

const guardsShape = z.array(z.string().min(1)).min(1);

/**
 * ERROR_HANDLER: a policy, not a step — it sits off the main path. Its handlers apply to the
 * nodes it `guards` (every node when absent); the highest `priority` handler whose `pattern`
 * (a regular expression) matches the failure's code decides.
 */
export const ErrorHandlerPropertiesSchema = z.strictObject({
  guards: guardsShape.optional(),
  handlers: z
    .array(
      z.strictObject({
        pattern: z.string().min(1),
        action: z.enum(ERROR_ACTIONS),
        priority: z.number().default(0),
        maxRetries: z.number().int().min(1).max(100).default(3),
        backoffMs: z.number().int().min(0).default(1000),
        jitter: z.boolean().default(false),
        fallbackNodeId: z.string().min(1).optional(),
        notifyNodeId: z.string().min(1).optional(),
        output: z.unknown().optional(),
      }),
    )
    .min(1),
});

/** RETRY_LOGIC: the retry policy of the nodes it `guards`, replacing their own `retry`. */
export const RetryLogicPropertiesSchema = z.strictObject({
  guards: guardsShape,
  ...RetrySpecSchema.shape,
  /** When given, only these codes are retried. */
  retryableErrorCodes: z.array(z.string().min(1)).optional(),
});

/** FALLBACK_PATH: where the walk goes when a node it `guards` fails for good (matching `errorCodes`, a regex). */
export const FallbackPathPropertiesSchema = z.strictObject({
  guards: guardsShape,
  errorCodes: z.string().min(1).optional(),
});

// --- properties of the manufacturing operation types ---------------------------------------

/** A string the interpreter renders before the activity runs (it then must yield the right type). */
const templateString = z.string().refine(isTemplate, 'must be a literal value or a template such as ${input.qty}');

/** Kinds of QUALITY_CHECK characteristics. */
export const CHARACTERISTIC_KINDS = ['numeric', 'allowed', 'regex', 'expression'] as const;

/** Which optional fields each characteristic kind reads; any other is an issue. */
const CHARACTERISTIC_FIELDS: Record<(typeof CHARACTERISTIC_KINDS)[number], readonly string[]> = {
  numeric: ['min', 'max', 'target', 'tolerance', 'warnMargin'],
  allowed: ['allowed'],
  regex: ['pattern'],
  expression: ['rule'],
};

/**
 * One characteristic of a QUALITY_CHECK specification, checked against the measurement of the
 * same `name`: `numeric` limits (`min`/`max`, or `target` ± `tolerance`, warn within
 * `warnMargin` of a limit), `allowed` values, a `regex` `pattern`, or an `expression` `rule`
 * (JSONata over `value` and `measurements`).
 */
export const CharacteristicSchema = z
  .strictObject({
    name: z.string().min(1),
    kind: z.enum(CHARACTERISTIC_KINDS),
    min: z.number().optional(),
    max: z.number().optional(),
    target: z.number().optional(),
    tolerance: z.number().min(0).optional(),
    warnMargin: z.number().min(0).optional(),
    allowed: z.array(z.unknown()).min(1).optional(),
    pattern: z.string().min(1).optional(),
    rule: z.string().min(1).optional(),
    /** A missing measurement fails the characteristic (true) or skips it (false). */
    required: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    for (const key of ['min', 'max', 'target', 'tolerance', 'warnMargin', 'allowed', 'pattern', 'rule'] as const) {
      if (c[key] !== undefined && !CHARACTERISTIC_FIELDS[c.kind].includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" does not apply to a ${c.kind} characteristic` });
      }
    }
    if (c.kind === 'numeric') {
      if (c.tolerance !== undefined && c.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'tolerance needs a target' });
      if (c.min === undefined && c.max === undefined && (c.target === undefined || c.tolerance === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'a numeric characteristic needs min, max, or target with tolerance' });
      }
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max is below min' });
    }
    if (c.kind === 'allowed' && c.allowed === undefined)
      ctx.addIssue({ code: 'custom', path: ['allowed'], message: 'an allowed characteristic needs "allowed"' });
    if (c.kind === 'regex') {
      if (c.pattern === undefined) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a regex characteristic needs "pattern"' });
      } else {
        const problem = regexProblem(c.pattern);
        if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
      }
    }
    if (c.kind === 'expression') {
      if (c.rule === undefined) {
        ctx.addIssue({ code: 'custom', path: ['rule'], message: 'an expression characteristic needs "rule"' });
      } else if (!isTemplate(c.rule)) {
        const problem = checkExpression(c.rule);
        if (problem) ctx.addIssue({ code: 'custom', path: ['rule'], message: problem.message });
      }
    }
  });

/** A parsed characteristic (`required` defaulted). */
export type Characteristic = z.output<typeof CharacteristicSchema>;

// Kept exported from here: QUALITY_CHECK's rules (services/quality-rules.ts) import it with the schema.
export { regexProblem };

/** A QUALITY_CHECK specification: characteristics with distinct names. */
export const SpecificationSchema = z
  .array(CharacteristicSchema)
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `characteristic "${c.name}" is listed twice` });
      seen.add(c.name);
    });
  });

/**
 * QUALITY_CHECK: `specification` (characteristics, or a template yielding them) checked against
 * `measurements` (name → value, usually `${input.measurements}`).
 */
export const QualityCheckPropertiesSchema = z.strictObject({
  specification: z.union([SpecificationSchema, templateString]),
  measurements: z.union([z.record(z.string(), z.unknown()), templateString]),
  ...commonSideEffectShape,
});

/**
 * MATERIAL_CONSUME: takes `quantity` (> 0, in `unit`) of `material` from `lot` (or the oldest
 * lot at `location` with enough stock) in the inventory ledger, once per node run.
 */
export const MaterialConsumePropertiesSchema = z.strictObject({
  material: z.string().min(1),
  lot: z.string().min(1).optional(),
  location: z.string().min(1),
  quantity: z.union([z.number().positive(), templateString]),
  unit: z.string().min(1),
  ...commonSideEffectShape,
});

/** What EQUIPMENT_OPERATION does to a reservation. */
export const EQUIPMENT_ACTIONS = ['reserve', 'start', 'complete', 'release'] as const;

const timestampOrTemplate = z.string().refine((s) => isTemplate(s) || !Number.isNaN(Date.parse(s)), 'must be an ISO timestamp or a template');

/**
 * EQUIPMENT_OPERATION: `reserve` a window of `equipmentId` (`from`, default now, until `until` or
 * for `durationMinutes`), or `start`, `complete` or `release` the reservation `reservationId`.
 */
export const EquipmentOperationPropertiesSchema = z
  .strictObject({
    equipmentId: z.string().min(1),
    action: z.enum(EQUIPMENT_ACTIONS),
    from: timestampOrTemplate.optional(),
    until: timestampOrTemplate.optional(),
    durationMinutes: z.union([z.number().positive(), templateString]).optional(),
    reservationId: z.string().min(1).optional(),
    ...commonSideEffectShape,
  })
  .superRefine((p, ctx) => {
    if (p.action === 'reserve') {
      if ((p.until === undefined) === (p.durationMinutes === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'reserve needs exactly one of "until" or "durationMinutes"' });
      }
      if (p.reservationId !== undefined) ctx.addIssue({ code: 'custom', path: ['reservationId'], message: 'reserve makes a new reservation' });
    } else {
      if (p.reservationId === undefined) ctx.addIssue({ code: 'custom', path: ['reservationId'], message: `${p.action} needs "reservationId"` });
      for (const key of ['from', 'until', 'durationMinutes'] as const) {
        if (p[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is for reserve only` });
      }
    }
  });

// --- properties of the event types -----------------------------------------------------------

/** What an EVENT_SUBSCRIBER does when its `timeout` passes without an event. */
export const EVENT_TIMEOUT_ACTIONS = ['fail', 'continue'] as const;

const eventName = z.string().min(1).max(200);

/**
 * EVENT_SUBSCRIBER: waits for an event named `event` whose correlation key equals
 * `correlationKey` (a template; absent: any key) and for which `filter` (an expression over
 * `event`) holds, published at or after `publishedAfter` (an expression giving a timestamp;
 * default: when the node starts). After `timeout` it fails with EVENT_TIMEOUT or, with
 * `onTimeout: continue`, leaves by port `timeout`.
 */
export const EventSubscriberPropertiesSchema = z
  .strictObject({
    event: eventName,
    correlationKey: z.string().optional(),
    filter: expression.optional(),
    publishedAfter: expression.optional(),
    timeout: DurationTextSchema.optional(),
    onTimeout: z.enum(EVENT_TIMEOUT_ACTIONS).default('fail'),
  })
  .superRefine((p, ctx) => {
    if (p.onTimeout === 'continue' && p.timeout === undefined) {
      ctx.addIssue({ code: 'custom', path: ['onTimeout'], message: 'onTimeout "continue" needs a timeout' });
    }
  });

/**
 * EVENT_PUBLISHER: publishes `event` with `correlationKey` and `payload` (every string of which
 * is a template), once per node run; reaches waiting subscribers and starts triggered definitions.
 */
export const EventPublisherPropertiesSchema = z.strictObject({
  event: eventName,
  correlationKey: z.string().optional(),
  payload: z.unknown().optional(),
  ...commonSideEffectShape,
});

export type EventSubscriberProperties = z.output<typeof EventSubscriberPropertiesSchema>;
export type EventPublisherProperties = z.output<typeof EventPublisherPropertiesSchema>;

// --- properties of the connector types ------------------------------------------------------

/**
 * SALESFORCE_CONNECTOR, SAP_CONNECTOR, NETSUITE_CONNECTOR, CUSTOM_API: runs `operation` of a
 * stored connector of the node's type, named by `connectorId` or by `connector` (its name),
 * with `params` (JSON whose strings are templates). Credentials stay in the connector.
 */
export const ConnectorNodePropertiesSchema = z
  .strictObject({
    connectorId: z.string().min(1).optional(),
    connector: z.string().min(1).optional(),
    operation: z.string().min(1),
    params: z.record(z.string(), z.unknown()).default({}),
    ...commonSideEffectShape,
  })
  .superRefine((p, ctx) => {
    if ((p.connectorId === undefined) === (p.connector === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['connectorId'], message: 'a connector node needs exactly one of "connectorId" or "connector" (its name)' });
    }
  });

export type ConnectorNodeProperties = z.output<typeof ConnectorNodePropertiesSchema>;

function connectorSpec<T extends 'SALESFORCE_CONNECTOR' | 'SAP_CONNECTOR' | 'NETSUITE_CONNECTOR' | 'CUSTOM_API'>(type: T) {
  return spec({
    type,
    propertiesSchema: ConnectorNodePropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'runConnector',
    expressionFields: renderedTemplates,
  });
}

export type StartProperties = z.output<typeof StartPropertiesSchema>;
export type EndProperties = z.output<typeof EndPropertiesSchema>;
export type DataTransformationProperties = z.output<typeof DataTransformationPropertiesSchema>;
export type IfThenElseProperties = z.output<typeof IfThenElsePropertiesSchema>;
export type SwitchProperties = z.output<typeof SwitchPropertiesSchema>;
export type WaitProperties = z.output<typeof WaitPropertiesSchema>;
export type ApiCallProperties = z.output<typeof ApiCallPropertiesSchema>;
export type LoopProperties = z.output<typeof LoopPropertiesSchema>;
export type ParallelProperties = z.output<typeof ParallelPropertiesSchema>;
export type SubprocessProperties = z.output<typeof SubprocessPropertiesSchema>;
export type NotificationProperties = z.output<typeof NotificationPropertiesSchema>;
export type QualityCheckProperties = z.output<typeof QualityCheckPropertiesSchema>;
export type MaterialConsumeProperties = z.output<typeof MaterialConsumePropertiesSchema>;
export type EquipmentOperationProperties = z.output<typeof EquipmentOperationPropertiesSchema>;
export type ErrorHandlerProperties = z.output<typeof ErrorHandlerPropertiesSchema>;
export type RetryLogicProperties = z.output<typeof RetryLogicPropertiesSchema>;
export type FallbackPathProperties = z.output<typeof FallbackPathPropertiesSchema>;

// --- expression locations -------------------------------------------------------------------

function field(props: unknown, key: string, kind: ExpressionField['kind']): ExpressionField[] {
  const value = isPlainObject(props) ? props[key] : undefined;
  return typeof value === 'string' ? [{ pointer: `/${escapePointerToken(key)}`, kind, source: value }] : [];
}

function mapFields(props: unknown, key: string, kind: ExpressionField['kind']): ExpressionField[] {
  const map = isPlainObject(props) ? props[key] : undefined;
  if (!isPlainObject(map)) return [];
  return Object.keys(map).flatMap((name) => {
    const value = map[name];
    return typeof value === 'string' ? [{ pointer: toPointer([key, name]), kind, source: value }] : [];
  });
}

function deepTemplates(value: unknown, segments: Array<string | number>): ExpressionField[] {
  if (typeof value === 'string') return [{ pointer: toPointer(segments), kind: 'template', source: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => deepTemplates(item, [...segments, i]));
  if (isPlainObject(value)) return Object.keys(value).flatMap((k) => deepTemplates(value[k], [...segments, k]));
  return [];
}

/** Every string of the properties the interpreter renders for an activity (all but the common retry policy). */
function renderedTemplates(props: unknown): ExpressionField[] {
  if (!isPlainObject(props)) return [];
  return Object.keys(props).flatMap((key) => (key === 'retry' ? [] : deepTemplates(props[key], [key])));
}

// --- the registry ---------------------------------------------------------------------------

function spec<P>(s: NodeSpec<P>): NodeSpec<P> {
  return s;
}

const REGISTRY = {
  START: spec({
    type: 'START',
    propertiesSchema: StartPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  END: spec({
    type: 'END',
    propertiesSchema: EndPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => mapFields(p, 'output', 'expression'),
  }),
  DATA_TRANSFORMATION: spec({
    type: 'DATA_TRANSFORMATION',
    propertiesSchema: DataTransformationPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => [...mapFields(p, 'assign', 'expression'), ...operationExpressionFields(isPlainObject(p) ? p.operations : undefined)],
  }),
  VALIDATION: spec({
    type: 'VALIDATION',
    propertiesSchema: ValidationPropertiesSchema,
    ports: ['valid', 'invalid'],
    portOptional: true,
    sideEffect: false,
    expressionFields: (p) => field(p, 'data', 'expression'),
  }),
  IF_THEN_ELSE: spec({
    type: 'IF_THEN_ELSE',
    propertiesSchema: IfThenElsePropertiesSchema,
    ports: ['true', 'false'],
    sideEffect: false,
    expressionFields: (p) => field(p, 'condition', 'expression'),
  }),
  SWITCH: spec({
    type: 'SWITCH',
    propertiesSchema: SwitchPropertiesSchema,
    ports: 'any',
    sideEffect: false,
    expressionFields: (p) => field(p, 'expression', 'expression'),
  }),
  WAIT: spec({
    type: 'WAIT',
    propertiesSchema: WaitPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => field(p, 'until', 'expression'),
  }),
  LOOP: spec({
    type: 'LOOP',
    propertiesSchema: LoopPropertiesSchema,
    ports: ['body', 'done'],
    sideEffect: false,
    expressionFields: (p) => [...field(p, 'items', 'expression'), ...field(p, 'while', 'expression'), ...field(p, 'collect', 'expression')],
  }),
  PARALLEL: spec({
    type: 'PARALLEL',
    propertiesSchema: ParallelPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  SUBPROCESS: spec({
    type: 'SUBPROCESS',
    propertiesSchema: SubprocessPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => [...mapFields(p, 'inputMapping', 'expression'), ...mapFields(p, 'outputMapping', 'expression')],
  }),
  ERROR_HANDLER: spec({
    type: 'ERROR_HANDLER',
    propertiesSchema: ErrorHandlerPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  RETRY_LOGIC: spec({
    type: 'RETRY_LOGIC',
    propertiesSchema: RetryLogicPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  FALLBACK_PATH: spec({
    type: 'FALLBACK_PATH',
    propertiesSchema: FallbackPathPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  API_CALL: spec({
    type: 'API_CALL',
    propertiesSchema: ApiCallPropertiesSchema,
    ports: [],
    sideEffect: true,
    expressionFields: (p) => [
      ...field(p, 'url', 'template'),
      ...mapFields(p, 'headers', 'template'),
      ...mapFields(p, 'query', 'template'),
      ...(isPlainObject(p) && p.body !== undefined ? deepTemplates(p.body, ['body']) : []),
    ],
  }),
  QUALITY_CHECK: spec({
    type: 'QUALITY_CHECK',
    propertiesSchema: QualityCheckPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'qualityCheck',
    expressionFields: renderedTemplates,
  }),
  MATERIAL_CONSUME: spec({
    type: 'MATERIAL_CONSUME',
    propertiesSchema: MaterialConsumePropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'materialConsume',
    expressionFields: renderedTemplates,
  }),
  EQUIPMENT_OPERATION: spec({
    type: 'EQUIPMENT_OPERATION',
    propertiesSchema: EquipmentOperationPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'equipmentOperation',
    expressionFields: renderedTemplates,
  }),
  EVENT_SUBSCRIBER: spec({
    type: 'EVENT_SUBSCRIBER',
    propertiesSchema: EventSubscriberPropertiesSchema,
    ports: ['received', 'timeout'],
    // Workflow logic (a durable wait); its two small activities are bookkeeping, not the node's effect.
    sideEffect: false,
    expressionFields: (p) => [...field(p, 'correlationKey', 'template'), ...field(p, 'filter', 'expression'), ...field(p, 'publishedAfter', 'expression')],
  }),
  EVENT_PUBLISHER: spec({
    type: 'EVENT_PUBLISHER',
    propertiesSchema: EventPublisherPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'publishEvent',
    expressionFields: renderedTemplates,
  }),
  SALESFORCE_CONNECTOR: connectorSpec('SALESFORCE_CONNECTOR'),
  SAP_CONNECTOR: connectorSpec('SAP_CONNECTOR'),
  NETSUITE_CONNECTOR: connectorSpec('NETSUITE_CONNECTOR'),
  CUSTOM_API: connectorSpec('CUSTOM_API'),
  NOTIFICATION: spec({
    type: 'NOTIFICATION',
    propertiesSchema: NotificationPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'sendNotification',
    expressionFields: (p) => [
      ...field(p, 'subject', 'template'),
      ...field(p, 'message', 'template'),
      ...field(p, 'html', 'template'),
      ...(isPlainObject(p) && p.webhookUrl !== undefined ? deepTemplates(p.webhookUrl, ['webhookUrl']) : []),
      ...(isPlainObject(p) && Array.isArray(p.recipients)
        ? p.recipients.flatMap((r, i) =>
            isPlainObject(r) && typeof r.identifier === 'string' ? deepTemplates(r.identifier, ['recipients', i, 'identifier']) : [],
          )
        : []),
      ...(isPlainObject(p) && p.data !== undefined ? deepTemplates(p.data, ['data']) : []),
    ],
  }),
  APPROVAL: spec({
    type: 'APPROVAL',
    propertiesSchema: ApprovalNodePropertiesSchema,
    ports: APPROVAL_PORTS,
    sideEffect: false,
    expressionFields: (p) => [
      ...field(p, 'title', 'template'),
      ...field(p, 'description', 'template'),
      ...field(p, 'requestedBy', 'expression'),
      ...(isPlainObject(p) && p.data !== undefined ? deepTemplates(p.data, ['data']) : []),
    ],
  }),
  // Every type of the format has a spec: the compiler refuses a type added to NODE_TYPES alone.
} as const satisfies Record<NodeType, { type: NodeType }>;

/** A node type this version executes. */
export type SupportedNodeType = keyof typeof REGISTRY;

/** The node types this version executes: every one of {@link NODE_TYPES}. */
export const SUPPORTED_NODE_TYPES: readonly SupportedNodeType[] = Object.freeze(Object.keys(REGISTRY) as SupportedNodeType[]);

/** The parsed properties of each supported type. */
export type NodePropertiesByType = {
  [K in SupportedNodeType]: (typeof REGISTRY)[K] extends NodeSpec<infer P> ? P : never;
};

/** True when `type` is executed by this version. */
export function isSupportedNodeType(type: unknown): type is SupportedNodeType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(REGISTRY, type);
}

/** The spec of a supported node type, or undefined for any other string (unknown or not yet supported). */
export function nodeSpec<T extends SupportedNodeType>(type: T): NodeSpec<NodePropertiesByType[T]>;
export function nodeSpec(type: string): NodeSpec | undefined;
export function nodeSpec(type: string): NodeSpec | undefined {
  return isSupportedNodeType(type) ? (REGISTRY[type] as NodeSpec) : undefined;
}

/** True for node types whose work is a side effect (one Temporal activity per run); false for control nodes and unknown names. */
export function isSideEffectNode(type: string): boolean {
  return nodeSpec(type)?.sideEffect ?? false;
}

/**
 * Parses a node's properties with its type's schema, defaults applied (e.g. API_CALL `method`
 * GET, retry `strategy` EXPONENTIAL).
 *
 * @throws WeftError `VALIDATION_ERROR` (with `issues` relative to the properties) when they do
 *   not match; `INVALID_NODE_TYPE` when the type is not supported.
 */
export function parseNodeProperties<T extends SupportedNodeType>(type: T, properties: unknown): NodePropertiesByType[T] {
  const s = nodeSpec(type as string);
  if (!s) throw new WeftError('INVALID_NODE_TYPE', `Node type "${String(type)}" is not executed by this version of Weft`);
  const parsed = s.propertiesSchema.safeParse(properties ?? {});
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, []);
    throw new WeftError('VALIDATION_ERROR', `Invalid properties for ${String(type)} node`, { issues });
  }
  return parsed.data as NodePropertiesByType[T];
}

/**
 * What the interpreter sends the activity of a side-effecting node (see {@link NodeSpec.activity}):
 * the node's properties with every string rendered as a template, minus the common retry,
 * timeout and continueOnError properties, which the interpreter applies itself.
 */
export interface NodeActivityRequest {
  executionId: string;
  definitionId: string;
  nodeId: string;
  nodeType: string;
  iteration: number;
  /** `<execution id>:<node id>:<iteration>`: the key that makes the side effect happen once. */
  idempotencyKey: string;
  properties: Record<string, unknown>;
  /** The node's `timeoutMs`, so the activity can bound its own I/O below Temporal's timeout. */
  timeoutMs: number;
}
