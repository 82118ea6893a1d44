import type { WeftDb } from '../db/client';
import { CircuitBreakerService } from '../services/circuit-breakers';
import { createApiCallActivity } from './api-call';
import { createDefinitionActivities } from './definitions';
import { createExecutionActivities } from './executions';
import { AddressGuard } from './http/address-guard';

export interface ActivityDeps {
  db: WeftDb;
  /** WEFT_HTTP_ALLOWED_HOSTS: hosts outbound calls may reach even when private. */
  httpAllowedHosts: string[];
}

/** Every activity of the Weft worker, wired to its dependencies (the samples' DI pattern). */
export function createActivities(deps: ActivityDeps) {
  const guard = new AddressGuard(deps.httpAllowedHosts);
  return {
    ...createExecutionActivities(deps.db),
    ...createDefinitionActivities(deps.db),
    apiCall: createApiCallActivity(guard, new CircuitBreakerService(deps.db)),
  };
}

export type WeftActivities = ReturnType<typeof createActivities>;
