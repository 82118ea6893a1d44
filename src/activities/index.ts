import { Context } from '@temporalio/activity';
import type { WeftDb } from '../db/client';
import { CircuitBreakerService } from '../domain/circuit-breakers';
import { EquipmentService } from '../domain/equipment';
import { InventoryService } from '../domain/inventory';
import { createApiCallActivity } from './api-call';
import { createDefinitionActivities } from './definitions';
import { createEventActivities, type EventPublisher } from './events';
import { createExecutionActivities } from './executions';
import { createLoopBatchActivities } from './loop-batches';
import { createEquipmentOperationActivity } from './operations/equipment-operation';
import { createMaterialConsumeActivity } from './operations/material-consume';
import { createQualityCheckActivity } from './operations/quality-check';
import { AddressGuard } from '../domain/http/address-guard';
import { createNotificationActivity } from './notification';
import { DirectoryService } from '../domain/directory';
import { createApprovalActivities } from './approvals';
import { ConnectorService } from '../domain/connectors/service';
import { SecretBox } from '../domain/secret-box';
import { createConnectorActivity } from './connectors/activity';
import { ConnectorRuntime } from '../domain/connectors/runtime';
import { siteValueLookup } from '../domain/site-effective';
import { createRolloutActivities } from './rollouts';
import { createRolloutAnalysisActivities } from './rollout-analysis';
import { createSiteHealthActivities } from './site-health';
import { createRollbackActivities } from './rollback';
import { createWhatIfActivities } from './what-if';
import { createTriggerActivities, type ScheduledTriggerFirer } from './triggers';
import { createAdmissionActivities } from './admission';

export interface ActivityDeps {
  db: WeftDb;
  /** WEFT_HTTP_ALLOWED_HOSTS: hosts outbound calls may reach even when private. */
  httpAllowedHosts: string[];
  /** WEFT_SMTP_URL (credentials inside: never log it) and WEFT_MAIL_FROM; NOTIFICATION email needs both. */
  smtpUrl?: string;
  mailFrom?: string;
  /** The AES-256 key connector secrets are sealed under (resolveSecretsKey). */
  secretsKey: Buffer;
  /** EVENT_PUBLISHER publishes as the API does (the worker wires it: temporal/worker.ts). */
  publishEvent: EventPublisher;
  /** A schedule trigger's run starts its execution as the API does (the worker wires it: temporal/worker.ts). */
  fireScheduledTrigger: ScheduledTriggerFirer;
}

/** Every activity of the Weft worker, wired to its dependencies (the samples' DI pattern). */
export function createActivities(deps: ActivityDeps) {
  const guard = new AddressGuard(deps.httpAllowedHosts);
  const breakers = new CircuitBreakerService(deps.db);
  const connectorRuntime = new ConnectorRuntime(guard, breakers, (message, fields) => Context.current().log.warn(message, fields));
  const box = new SecretBox(deps.secretsKey);
  const connectors = new ConnectorService(deps.db, box, connectorRuntime, siteValueLookup(deps.db, box));
  const directory = new DirectoryService(deps.db);
  const sendNotification = createNotificationActivity({
    directory,
    guard,
    mail: deps.smtpUrl && deps.mailFrom ? { smtpUrl: deps.smtpUrl, from: deps.mailFrom } : undefined,
  });
  return {
    /** A no-op the interpreter awaits as a local activity to end a long sandbox activation (see task-budget.ts). */
    taskBreak: async (): Promise<void> => undefined,
    ...createExecutionActivities(deps.db),
    ...createLoopBatchActivities(deps.db),
    ...createDefinitionActivities(deps.db),
    ...createEventActivities(deps.db, deps.publishEvent),
    apiCall: createApiCallActivity(guard, breakers, { service: connectors, runtime: connectorRuntime }),
    runConnector: createConnectorActivity(connectors, connectorRuntime),
    qualityCheck: createQualityCheckActivity(deps.db),
    materialConsume: createMaterialConsumeActivity(new InventoryService(deps.db)),
    equipmentOperation: createEquipmentOperationActivity(new EquipmentService(deps.db)),
    sendNotification,
    ...createApprovalActivities({ db: deps.db, directory, sendNotification }),
    ...createRolloutActivities({ db: deps.db, box, sendNotification }),
    ...createRolloutAnalysisActivities(deps.db),
    ...createSiteHealthActivities(deps.db, guard),
    ...createRollbackActivities(deps.db, box),
    ...createWhatIfActivities(deps.db),
    ...createTriggerActivities(deps.fireScheduledTrigger),
    ...createAdmissionActivities(deps.db),
  };
}

export type WeftActivities = ReturnType<typeof createActivities>;
