/**
 * The one error type of Weft. `code` is stable and part of the public contract (the table in
 * the API reference); the API turns it into problem+json with the matching HTTP status.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */

/** One problem found in a user document, located by a JSON Pointer such as `/nodes/3/properties/condition`. */
export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
}

/** Stable error codes. Node-level codes such as `HTTP_503` are built at run time and are also valid. */
export const ERROR_CODES = {
  WORKFLOW_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  INSTANCE_NOT_FOUND: 404,
  NODE_NOT_FOUND: 404,
  CIRCUIT_BREAKER_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  NOT_FOUND: 404,
  INVALID_WORKFLOW: 422,
  INVALID_NODE_TYPE: 422,
  INVALID_VARIABLE_TYPE: 422,
  VALIDATION_ERROR: 422,
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NO_ACTIVE_VERSION: 409,
  VERSION_NOT_PUBLISHED: 409,
  VERSION_CONFLICT: 409,
  /** A deprecated version starts no new executions (running ones finish). */
  VERSION_DEPRECATED: 409,
  /** An archived version is read-only history: no transition, no execution. */
  VERSION_ARCHIVED: 409,
  /** `POST /workflows/import`: the document's checksum does not match its content. */
  IMPORT_CHECKSUM_MISMATCH: 422,
  /** `POST /workflows/import`: not a `weft.workflow-export` document of a format version this Weft reads. */
  IMPORT_FORMAT_UNSUPPORTED: 422,
  INSTANCE_NOT_RUNNING: 409,
  INSTANCE_NOT_WAITING: 409,
  INSTANCE_NOT_FAILED: 409,
  INVALID_TRANSITION: 409,
  /** A running instance cannot move to the version asked for (where it is, or its variables, do not fit). */
  MIGRATION_NOT_POSSIBLE: 409,
  SIMULATION_WAITING: 409,
  /** A user id or email, or a group id, that is taken already. */
  USER_CONFLICT: 409,
  GROUP_CONFLICT: 409,
  EXECUTION_FAILED: 500,
  EXPRESSION_ERROR: 422,
  NO_MATCHING_BRANCH: 500,
  STEP_LIMIT_EXCEEDED: 500,
  VARIABLE_NOT_FOUND: 404,
  SERVICE_UNAVAILABLE: 503,
  /** Weft's own database cannot be reached right now (the API adds Retry-After). */
  DATABASE_UNAVAILABLE: 503,
  /** An API_CALL refused without calling: the service's circuit breaker is open. */
  CIRCUIT_OPEN: 503,
  /** Manufacturing operations (QUALITY_CHECK, MATERIAL_CONSUME, EQUIPMENT_OPERATION) and their API. */
  QUALITY_CHECK_FAILED: 422,
  MATERIAL_NOT_FOUND: 404,
  INSUFFICIENT_STOCK: 409,
  UNIT_MISMATCH: 409,
  EQUIPMENT_NOT_FOUND: 404,
  RESERVATION_NOT_FOUND: 404,
  EQUIPMENT_CONFLICT: 409,
  EQUIPMENT_UNAVAILABLE: 409,
  INVALID_EQUIPMENT_STATE: 409,
  /** Stored connectors (`/api/v1/connectors`) and the connector nodes. */
  CONNECTOR_NOT_FOUND: 404,
  CONNECTOR_CONFLICT: 409,
  CONNECTOR_IN_USE: 409,
  CONNECTOR_TYPE_MISMATCH: 422,
  CONNECTOR_NOT_SUPPORTED: 422,
  INVALID_OPERATION: 422,
  SECRETS_UNREADABLE: 500,
  /** A VALIDATION node's data does not match its JSON Schema (`details.errors` lists every error). */
  VALIDATION_FAILED: 422,
  /** Approvals (issue 5): refused decisions keep these codes from the workflow's validator. */
  APPROVAL_NOT_FOUND: 404,
  APPROVAL_POLICY_NOT_FOUND: 404,
  APPROVAL_POLICY_CONFLICT: 409,
  APPROVAL_NOT_PENDING: 409,
  STEP_NOT_OPEN: 409,
  ALREADY_DECIDED: 409,
  NO_PENDING_APPROVAL: 409,
  APPROVAL_AMBIGUOUS: 409,
  NOT_AN_APPROVER: 403,
  SELF_APPROVAL: 403,
  NOT_REQUESTER: 403,
  COMMENTS_REQUIRED: 422,
  INVALID_DELEGATION: 422,
  APPROVAL_REJECTED: 409,
  APPROVAL_EXPIRED: 409,
  APPROVAL_CANCELLED: 409,
  /** Sites and their configuration (issue 15). */
  SITE_NOT_FOUND: 404,
  SITE_CONFLICT: 409,
  SITE_PARENT_CYCLE: 409,
  CONFIG_PARAMETER_NOT_FOUND: 404,
  CONFIG_PARAMETER_CONFLICT: 409,
  CONFIG_PARAMETER_IN_USE: 409,
  CONFIG_VALUE_NOT_FOUND: 404,
  CONFIG_CHANGE_NOT_FOUND: 404,
  /** A configuration value that does not fit its parameter (type, option, JSON Schema), or a site configuration that does not validate. */
  CONFIG_INVALID: 422,
  /** Rollouts (issue 16): refused operator actions keep these codes from the workflow's validator. */
  ROLLOUT_NOT_FOUND: 404,
  /** A target site is in another active rollout of the same workflow. */
  ROLLOUT_CONFLICT: 409,
  ROLLOUT_FINISHED: 409,
  ROLLOUT_NOT_PAUSED: 409,
  ROLLOUT_NOT_WAITING: 409,
  ROLLOUT_NOTHING_TO_RETRY: 409,
  ROLLOUT_NOT_RUNNING: 409,
  ROLLOUT_ALREADY_STARTED: 409,
  ROLLOUT_AWAITS_PROMOTION: 409,
  ROLLOUT_APPROVAL_INVALID: 409,
  /** Recovery of rollouts (issue 16). */
  RECOVERY_POINT_NOT_FOUND: 404,
  ROLLBACK_PLAN_NOT_FOUND: 404,
  ROLLBACK_EXECUTION_NOT_FOUND: 404,
  /** The plan has an execution that has not finished. */
  ROLLBACK_IN_PROGRESS: 409,
  /** An `If-Match` that no longer matches: someone changed the value since it was read. */
  PRECONDITION_FAILED: 412,
  /** What-if runs (issue 20, docs/what-if.md). */
  WHAT_IF_NOT_FOUND: 404,
  /** Triggers (issue 17): `/workflows/{id}/triggers` and `/webhooks/{triggerId}`. */
  TRIGGER_NOT_FOUND: 404,
  /** An event trigger written in the definition's graph: change the graph's `triggers` instead. */
  TRIGGER_READ_ONLY: 409,
  TRIGGER_DISABLED: 409,
  WEBHOOK_SIGNATURE_MISSING: 401,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_TIMESTAMP_STALE: 401,
  /** The same signed request came again under another delivery id. */
  WEBHOOK_REPLAYED: 409,
  WEBHOOK_PAYLOAD_TOO_LARGE: 413,
  /** Over a per-user rate limit (with Retry-After, RateLimit and RateLimit-Policy). */
  RATE_LIMITED: 429,
  /** A start with `onLimit: "reject"` while the workflow is at its maxConcurrentExecutions or maxStartsPerMinute. */
  WORKFLOW_LIMIT_REACHED: 429,
  /** An Idempotency-Key used again by the same caller with another request body. */
  IDEMPOTENCY_KEY_REUSED: 422,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `code` is one of Weft's error codes (e.g. a failure type that crossed Temporal). */
export function isErrorCode(code: string | undefined | null): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/**
 * A failure with a stable code. `issues` lists every offending JSON path for validation errors;
 * `details` carries machine-readable context (never secrets).
 */
export class WeftError extends Error {
  readonly code: string;
  readonly issues: ValidationIssue[];
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode | (string & {}), message: string, options?: { issues?: ValidationIssue[]; details?: Record<string, unknown> }) {
    super(message);
    this.code = code;
    this.issues = options?.issues ?? [];
    this.details = options?.details;
    // Keeps `instanceof` working across the workflow sandbox and Jest module registries.
    Object.setPrototypeOf(this, new.target.prototype);
  }

  override get name(): string {
    return 'WeftError';
  }

  /** The HTTP status that fits this code (500 for unknown codes: a 500 is a bug). */
  get status(): number {
    return (ERROR_CODES as Record<string, number>)[this.code] ?? 500;
  }
}

/** True for a WeftError, also when it was created in another module registry. */
export function isWeftError(err: unknown): err is WeftError {
  return (
    err instanceof WeftError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'WeftError' && typeof (err as { code?: unknown }).code === 'string')
  );
}
