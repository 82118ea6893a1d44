import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { CircuitBreakerService } from '../domain/circuit-breakers';
import { DefinitionService } from '../services/definitions';
import { DirectoryService } from '../domain/directory';
import { EquipmentService } from '../domain/equipment';
import { InventoryService } from '../domain/inventory';
import { AddressGuard } from '../domain/http/address-guard';
import { ConnectorRuntime } from '../domain/connectors/runtime';
import { ConnectorService } from '../domain/connectors/service';
import { SecretBox } from '../domain/secret-box';
import { ExecutionService } from '../services/executions';
import { EventService } from '../services/events';
import { SimulationService } from '../services/simulation';
import { AuditService } from '../services/audit';
import { AnalyticsService } from '../services/analytics';
import { InstanceMetricsService } from '../services/instance-metrics';
import { EventHub } from '../services/event-hub';
import { ConfigApprovals } from '../services/config-approvals';
import { ConfigParameterService } from '../services/config-parameters';
import { ConfigValueService } from '../services/config-values';
import { SiteConfigService } from '../services/site-config';
import { SiteService } from '../services/sites';
import { SiteHealthService } from '../domain/site-health';
import { siteHealthRouter } from './routes/site-health';
import { RecoveryService } from '../services/recovery';
import { recoveryRouter } from './routes/recovery';
import { authenticate } from './auth';
import { docsRouter } from './openapi/docs-router';
import { consoleRouter } from './console';
import { assignRequestId } from './request-context';
import { accessLog } from './access-log';
import { auditRouter } from './routes/audit';
import { analyticsRouter } from './routes/analytics';
import { liveEventsRouter } from './routes/live-events';
import { errorHandler, notFoundHandler } from './problem';
import { circuitBreakersRouter } from './routes/circuit-breakers';
import { configRouter } from './routes/config';
import { sitesRouter } from './routes/sites';
import { approvalsRouter } from './routes/approvals';
import { ApprovalPolicyService } from '../services/approval-policies';
import { ApprovalService } from '../services/approvals';
import { connectorsRouter } from './routes/connectors';
import { equipmentRouter } from './routes/equipment';
import { eventsRouter } from './routes/events';
import { groupsRouter } from './routes/groups';
import { healthRouter } from './routes/health';
import { instancesRouter } from './routes/instances';
import { InstanceMigrationService } from '../services/instance-migration';
import { inventoryRouter } from './routes/inventory';
import { usersRouter } from './routes/users';
import { versionsRouter } from './routes/versions';
import { workflowsRouter } from './routes/workflows';
import { rolloutsRouter } from './routes/rollouts';
import { whatIfRouter } from './routes/what-if';
import { WhatIfService } from '../services/what-if';
import { RolloutService } from '../services/rollouts';
import { createApiMetrics } from './metrics';
import { VersionExportService } from '../services/version-export';
import { VersionLifecycleService } from '../services/version-lifecycle';
import { TriggerSchedules } from '../services/trigger-schedules';
import { TriggerStarts } from '../services/trigger-starts';
import { TriggerService } from '../services/triggers';
import { WebhookService } from '../services/webhooks';
import { triggersRouter } from './routes/triggers';
import { webhooksRouter } from './routes/webhooks';
import { rateLimiter } from './rate-limit';
import type { RateLimitPolicy } from '../config/rate-limits';
import { securityHeaders } from './security-headers';

export interface AppDeps {
  database: Database;
  temporal: Client;
  taskQueue: string;
  jwtSecret: string;
  log: Logger;
  /** The key connector secrets are sealed under. */
  secretsKey: Buffer;
  /** WEFT_HTTP_ALLOWED_HOSTS, for connection tests (`POST /connectors/{id}/test`). */
  httpAllowedHosts: string[];
  /** WEFT_ROLLOUT_HISTORY_LIMIT, given to each rollout workflow. */
  rolloutHistoryLimit?: number | undefined;
  /** Live execution events; one is made when absent (its owner closes it to end open streams). */
  events?: EventHub;
  /** WEFT_RATE_LIMITS: per-user budgets (none when absent). */
  rateLimits?: RateLimitPolicy;
}

/** The Express app: `/health`, `/ready`, and `/api/v1` behind bearer-token auth. */
export function createApp(deps: AppDeps): Express {
  const schedules = new TriggerSchedules(deps.temporal, deps.taskQueue);
  const definitions = new DefinitionService(deps.database.db, schedules);
  const box = new SecretBox(deps.secretsKey);
  const siteConfig = new SiteConfigService(deps.database.db, box);
  const executions = new ExecutionService(deps.database.db, deps.temporal, deps.taskQueue, definitions, siteConfig);
  const directory = new DirectoryService(deps.database.db);
  const triggerStarts = new TriggerStarts(deps.database.db, executions);

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.set('query parser', 'simple');
  app.use(assignRequestId());
  app.use(accessLog(deps.log));
  // Prometheus scrapes without a token, as scrapers do: the figures name workflows and services, no data.
  const metrics = createApiMetrics(deps.database.db);
  app.use(metrics.countRequests);
  app.get('/metrics', metrics.serve);
  // Before the JSON parser (a signature covers the raw body) and before bearer-token auth.
  app.use(
    '/api/v1',
    webhooksRouter({ webhooks: new WebhookService(deps.database.db, triggerStarts, box), db: deps.database.db, rateLimits: deps.rateLimits ?? {} }),
  );
  app.use(express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }));

  const health = healthRouter({ database: deps.database, temporal: deps.temporal });
  app.use(health);
  app.use(docsRouter());
  app.use(consoleRouter());

  const api = express.Router();
  api.use(metrics.rememberMount);
  api.use(health);
  api.use(authenticate(deps.jwtSecret));
  api.use(rateLimiter(deps.database.db, deps.rateLimits ?? {}));
  const simulations = new SimulationService(deps.temporal, deps.taskQueue, definitions, siteConfig);
  const approvals = new ApprovalService(deps.database.db, deps.temporal, deps.taskQueue, directory);
  // Before workflowsRouter: `/workflows/import` is not a workflow id.
  api.use(versionsRouter({ lifecycle: new VersionLifecycleService(deps.database.db, definitions, approvals), exports: new VersionExportService(definitions) }));
  api.use(workflowsRouter({ definitions, executions, simulations }));
  api.use(triggersRouter({ triggers: new TriggerService(deps.database.db, definitions, schedules, triggerStarts, box) }));
  api.use(instancesRouter({ executions, migrations: new InstanceMigrationService(deps.database.db, definitions, executions) }));
  api.use(circuitBreakersRouter({ breakers: new CircuitBreakerService(deps.database.db) }));
  api.use(usersRouter({ directory }));
  api.use(groupsRouter({ directory }));
  api.use(
    approvalsRouter({
      approvals,
      policies: new ApprovalPolicyService(deps.database.db),
    }),
  );
  api.use(inventoryRouter({ inventory: new InventoryService(deps.database.db) }));
  api.use(equipmentRouter({ equipment: new EquipmentService(deps.database.db) }));
  api.use(eventsRouter({ events: new EventService(deps.database.db, deps.temporal, executions, triggerStarts) }));
  const connectorRuntime = new ConnectorRuntime(new AddressGuard(deps.httpAllowedHosts), new CircuitBreakerService(deps.database.db), (m, f) =>
    deps.log.warn(f, m),
  );
  api.use(connectorsRouter({ connectors: new ConnectorService(deps.database.db, box, connectorRuntime) }));
  const values = new ConfigValueService(deps.database.db, box, new ConfigApprovals(deps.database.db, approvals));
  api.use(sitesRouter({ sites: new SiteService(deps.database.db), values, siteConfig }));
  const siteHealth = new SiteHealthService(deps.database.db, new AddressGuard(deps.httpAllowedHosts), (definitionId, version, input, outputs, site) =>
    simulations.simulate(definitionId, { version, input, outputs, site }),
  );
  api.use(siteHealthRouter({ health: siteHealth }));
  api.use(recoveryRouter({ recovery: new RecoveryService(deps.database.db, deps.temporal, deps.taskQueue, definitions, siteConfig) }));
  api.use(configRouter({ parameters: new ConfigParameterService(deps.database.db), values }));
  api.use(rolloutsRouter({ rollouts: new RolloutService(deps.database.db, deps.temporal, deps.taskQueue, definitions, deps.rolloutHistoryLimit) }));
  api.use(whatIfRouter({ whatIf: new WhatIfService(deps.database.db, deps.temporal, deps.taskQueue, definitions) }));
  api.use(auditRouter({ audit: new AuditService(deps.database.db), log: deps.log }));
  api.use(
    analyticsRouter({ analytics: new AnalyticsService(deps.database.db, definitions), instances: new InstanceMetricsService(deps.database.db, executions) }),
  );
  const hub = deps.events ?? new EventHub(deps.database, { onError: (err) => deps.log.warn({ err }, 'live execution events: reading failed, retrying') });
  api.use(liveEventsRouter({ db: deps.database.db, hub, definitions }));
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
