/**
 * A workflow's limits as an execution carries them (its version's `settings`), for the slot it
 * waits for. Types only: workflow code imports them.
 */
export interface AdmissionLimits {
  /** `settings.maxConcurrentExecutions`: executions of the workflow running at once. */
  maxConcurrent?: number;
  /** `settings.maxStartsPerMinute`: slots granted in any minute. */
  perMinute?: number;
}

/** What the slot activities are asked. */
export interface AdmissionRequest {
  definitionId: string;
  executionId: string;
  limits: AdmissionLimits;
}
