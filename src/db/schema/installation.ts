/** The installation this database belongs to. */
import { sql } from 'drizzle-orm';
import { boolean, check, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tz } from './columns';

/**
 * Which Weft this database belongs to: one row, made on first use. Every process that opens the
 * database (API, workers) reads the same id, and executions carry it, so a worker of another
 * installation that shares the Temporal task queue by mistake can recognise work not its own.
 */
export const installation = pgTable(
  'installation',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    id: text('id').notNull(),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
  },
  (t) => [check('installation_singleton_ck', sql`${t.singleton}`)],
);
