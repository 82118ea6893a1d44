/** Helpers to compare what the database recorded with the migrations checked in under drizzle/. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../../../src/db';

/** Number of entries in drizzle/meta/_journal.json. */
export function checkedInMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(__dirname, '../../../drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/** Rows in drizzle's bookkeeping table: one per applied migration. */
export async function appliedMigrationCount(db: WeftDb): Promise<number> {
  const rows = await executeRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(rows[0]?.n);
}

/** Every table the migrations create in `public`, in name order: one list for both drivers' tests. */
export const WEFT_TABLES = [
  'approval_decisions',
  'approval_policies',
  'approval_requests',
  'audit_chain_head',
  'audit_log',
  'circuit_breakers',
  'config_changes',
  'config_history',
  'config_parameters',
  'config_revision',
  'config_values',
  'connectors',
  'equipment',
  'equipment_reservations',
  'event_triggers',
  'event_waits',
  'events',
  'execution_admissions',
  'executions',
  'group_members',
  'groups',
  'installation',
  'inventory_lots',
  'inventory_movements',
  'node_results',
  'quality_results',
  'rate_limits',
  'recovery_points',
  'rollback_executions',
  'rollback_plans',
  'rollout_analyses',
  'rollout_deployments',
  'rollout_site_locks',
  'rollouts',
  'site_health_check_configs',
  'site_health_checks',
  'site_versions',
  'sites',
  'triggers',
  'users',
  'version_transitions',
  'webhook_deliveries',
  'what_if_results',
  'what_if_runs',
  'workflow_definitions',
  'workflow_versions',
];
