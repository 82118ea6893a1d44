/**
 * Stored connector instances. Rows only (secrets stay ciphertext here); validation, encryption
 * and views live in src/domain/connectors/service.ts.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { connectors, workflowVersions, type ConnectorRow, type ConnectorType } from '../schema';

/** A connector to store, its secrets already sealed. */
export interface NewConnectorRow {
  id: string;
  name: string;
  type: ConnectorType;
  description: string | null;
  config: Record<string, unknown>;
  secrets: string | null;
  createdBy: string | null;
}

/** Inserts a connector; a taken name (case-insensitive) raises PostgreSQL's unique violation. */
export async function insertConnector(db: WeftDb, row: NewConnectorRow): Promise<ConnectorRow> {
  const [created] = await db.insert(connectors).values(row).returning();
  return created as ConnectorRow;
}

/** The connector with this id, or undefined. */
export async function getConnector(db: WeftDb, id: string): Promise<ConnectorRow | undefined> {
  const [row] = await db.select().from(connectors).where(eq(connectors.id, id));
  return row;
}

/** The connector with this name (case-insensitive), or undefined. */
export async function getConnectorByName(db: WeftDb, name: string): Promise<ConnectorRow | undefined> {
  const [row] = await db
    .select()
    .from(connectors)
    .where(sql`lower(${connectors.name}) = lower(${name})`);
  return row;
}

/** Every connector, by name. */
export async function listConnectors(db: WeftDb): Promise<ConnectorRow[]> {
  return db
    .select()
    .from(connectors)
    .orderBy(asc(sql`lower(${connectors.name})`));
}

/** Replaces the editable fields; undefined when the connector is gone. */
export async function updateConnector(
  db: WeftDb,
  id: string,
  patch: Pick<ConnectorRow, 'name' | 'description' | 'config' | 'secrets'>,
): Promise<ConnectorRow | undefined> {
  const [row] = await db
    .update(connectors)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(connectors.id, id))
    .returning();
  return row;
}

/** Deletes a connector; false when there was none. */
export async function deleteConnector(db: WeftDb, id: string): Promise<boolean> {
  const rows = await db.delete(connectors).where(eq(connectors.id, id)).returning({ id: connectors.id });
  return rows.length > 0;
}

/**
 * The published and active versions with a node naming this connector (by id, or by name
 * case-insensitively): what would start failing CONNECTOR_NOT_FOUND if it went away.
 */
export async function versionsUsingConnector(db: WeftDb, id: string, name: string): Promise<Array<{ definitionId: string; version: string }>> {
  return db
    .select({ definitionId: workflowVersions.definitionId, version: workflowVersions.version })
    .from(workflowVersions)
    .where(
      and(
        inArray(workflowVersions.status, ['active', 'published']),
        sql`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${workflowVersions.graph}->'nodes') = 'array' then ${workflowVersions.graph}->'nodes' else '[]'::jsonb end) as n
          where n->'properties'->>'connectorId' = ${id} or lower(n->'properties'->>'connector') = lower(${name}))`,
      ),
    )
    .orderBy(asc(workflowVersions.definitionId), asc(workflowVersions.version));
}

/** Records the outcome of a connection test (not an edit: `updatedAt` stays). */
export async function recordConnectorTest(db: WeftDb, id: string, ok: boolean, at: Date): Promise<ConnectorRow | undefined> {
  const [row] = await db.update(connectors).set({ lastTestedAt: at, lastTestOk: ok }).where(eq(connectors.id, id)).returning();
  return row;
}
