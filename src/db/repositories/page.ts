import { asc, desc, gt, lt, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** A page of rows plus the number of rows matching the filter (kept for clients of offset paging). */
export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * Where the previous page ended: its last row's id and, for lists in time order, that row's time
 * (to the millisecond; used only when the row itself is gone, see {@link keysetAfter}).
 */
export interface RowPosition {
  id: string | number;
  at?: Date;
}

/**
 * A page request: `limit` rows after `after` (a cursor's position) or, for clients of the first
 * API, after skipping `offset` rows. Callers validate the bounds (the API does it with zod).
 */
export interface PageRequest {
  limit: number;
  offset?: number;
  after?: RowPosition;
}

/** A list's order: by `at` (when given) then by the unique `id`, both in `direction`. */
export interface KeysetOrder {
  table: PgTable;
  at?: PgColumn;
  id: PgColumn;
  direction: 'asc' | 'desc';
}

/** The ORDER BY of {@link KeysetOrder}. */
export function keysetOrderBy(order: KeysetOrder): SQL[] {
  const by = order.direction === 'asc' ? asc : desc;
  return [...(order.at ? [by(order.at)] : []), by(order.id)];
}

/**
 * The rows after `after` in `order`. The time is read from the row itself by its id, because the
 * database keeps microseconds and a cursor's JavaScript date only milliseconds (comparing with
 * the truncated time would skip rows of the same millisecond); the cursor's time stands in only
 * when that row was deleted meanwhile.
 */
export function keysetAfter(order: KeysetOrder, after: RowPosition | undefined): SQL | undefined {
  if (!after) return undefined;
  const beyond = order.direction === 'asc' ? gt : lt;
  if (!order.at) return beyond(order.id, after.id);
  const fallback = after.at ? sql`${after.at.toISOString()}::timestamptz` : sql`null`;
  const at = sql`coalesce((select ${order.at} from ${order.table} where ${order.id} = ${after.id}), ${fallback})`;
  // A row comparison, so that an index on (at, id) serves it.
  return sql`(${order.at}, ${order.id}) ${sql.raw(order.direction === 'asc' ? '>' : '<')} (${at}, ${after.id})`;
}
