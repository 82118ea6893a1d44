import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../client';
import { installation } from '../schema';

/**
 * The id of the installation this database belongs to, made on first call. Concurrent first
 * calls (an API and a worker starting together) agree: the insert that loses changes nothing.
 */
export async function installationId(db: WeftDb): Promise<string> {
  await db.insert(installation).values({ id: randomUUID() }).onConflictDoNothing();
  const [row] = await db.select({ id: installation.id }).from(installation);
  if (!row) throw new Error('installation: the row just written is missing');
  return row.id;
}
