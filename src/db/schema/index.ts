/**
 * The one drizzle schema of Weft, one file per area: the source of truth for tables, row types
 * and the migrations that drizzle-kit generates into `drizzle/`. Change it, then run
 * `npm run db:generate` and check the new migration in.
 *
 * Every timestamp is `timestamptz` read and written as a JS `Date`.
 */
export * from './definitions';
export * from './executions';
export * from './audit';
export * from './circuit-breakers';
export * from './directory';
export * from './operations';
export * from './events';
export * from './connectors';
export * from './approvals';
export * from './installation';
export * from './sites';
export * from './rollouts';
export * from './rollout-analysis';
export * from './what-if';
export * from './triggers';
export * from './rate-limits';
