/**
 * The database layer: schema, client factory and repositories. Importing it connects to nothing;
 * call `openDatabase()`.
 */
export { executeRows, openDatabase, type Database, type OpenDatabaseOptions, type WeftDb } from './client';
export * from './schema';
export * from './repositories/definitions';
export * from './repositories/versions';
export * from './repositories/executions';
export * from './repositories/audit';
export * from './repositories/circuit-breakers';
export * from './repositories/directory';
export * from './repositories/inventory';
export * from './repositories/equipment';
export * from './repositories/quality';
export type { Page, PageRequest } from './repositories/page';
export * from './repositories/installation';
