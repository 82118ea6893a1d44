import type { WeftDb } from '../db/client';
import { CircuitBreakerService } from '../services/circuit-breakers';
import { EquipmentService } from '../services/equipment';
import { InventoryService } from '../services/inventory';
import { createApiCallActivity } from './api-call';
import { createDefinitionActivities } from './definitions';
import { createExecutionActivities } from './executions';
import { createEquipmentOperationActivity } from './operations/equipment-operation';
import { createMaterialConsumeActivity } from './operations/material-consume';
import { createQualityCheckActivity } from './operations/quality-check';
import { AddressGuard } from './http/address-guard';
import { createNotificationActivity } from './notification';
import { DirectoryService } from '../services/directory';

export interface ActivityDeps {
  db: WeftDb;
  /** WEFT_HTTP_ALLOWED_HOSTS: hosts outbound calls may reach even when private. */
  httpAllowedHosts: string[];
  /** WEFT_SMTP_URL (credentials inside: never log it) and WEFT_MAIL_FROM; NOTIFICATION email needs both. */
  smtpUrl?: string;
  mailFrom?: string;
}

/** Every activity of the Weft worker, wired to its dependencies (the samples' DI pattern). */
export function createActivities(deps: ActivityDeps) {
  const guard = new AddressGuard(deps.httpAllowedHosts);
  return {
    ...createExecutionActivities(deps.db),
    ...createDefinitionActivities(deps.db),
    apiCall: createApiCallActivity(guard, new CircuitBreakerService(deps.db)),
    qualityCheck: createQualityCheckActivity(deps.db),
    materialConsume: createMaterialConsumeActivity(new InventoryService(deps.db)),
    equipmentOperation: createEquipmentOperationActivity(new EquipmentService(deps.db)),
    sendNotification: createNotificationActivity({
      directory: new DirectoryService(deps.db),
      guard,
      mail: deps.smtpUrl && deps.mailFrom ? { smtpUrl: deps.smtpUrl, from: deps.mailFrom } : undefined,
    }),
  };
}

export type WeftActivities = ReturnType<typeof createActivities>;
