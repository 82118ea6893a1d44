import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { CircuitBreakerService } from '../services/circuit-breakers';
import { DefinitionService } from '../services/definitions';
import { DirectoryService } from '../services/directory';
import { EquipmentService } from '../services/equipment';
import { InventoryService } from '../services/inventory';
import { ExecutionService } from '../services/executions';
import { SimulationService } from '../services/simulation';
import { authenticate } from './auth';
import { errorHandler, notFoundHandler } from './problem';
import { circuitBreakersRouter } from './routes/circuit-breakers';
import { equipmentRouter } from './routes/equipment';
import { groupsRouter } from './routes/groups';
import { healthRouter } from './routes/health';
import { instancesRouter } from './routes/instances';
import { inventoryRouter } from './routes/inventory';
import { usersRouter } from './routes/users';
import { workflowsRouter } from './routes/workflows';

export interface AppDeps {
  database: Database;
  temporal: Client;
  taskQueue: string;
  jwtSecret: string;
  log: Logger;
}

/** The Express app: `/health`, `/ready`, and `/api/v1` behind bearer-token auth. */
export function createApp(deps: AppDeps): Express {
  const definitions = new DefinitionService(deps.database.db);
  const executions = new ExecutionService(deps.database.db, deps.temporal, deps.taskQueue, definitions);
  const directory = new DirectoryService(deps.database.db);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }));

  const health = healthRouter({ database: deps.database, temporal: deps.temporal });
  app.use(health);

  const api = express.Router();
  api.use(health);
  api.use(authenticate(deps.jwtSecret));
  const simulations = new SimulationService(deps.temporal, deps.taskQueue, definitions);
  api.use(workflowsRouter({ definitions, executions, simulations }));
  api.use(instancesRouter({ executions }));
  api.use(circuitBreakersRouter({ breakers: new CircuitBreakerService(deps.database.db) }));
  api.use(usersRouter({ directory }));
  api.use(groupsRouter({ directory }));
  api.use(inventoryRouter({ inventory: new InventoryService(deps.database.db) }));
  api.use(equipmentRouter({ equipment: new EquipmentService(deps.database.db) }));
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
