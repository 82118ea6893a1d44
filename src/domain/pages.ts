/**
 * Cursor paging, the same for every list of the API (docs/api.md, "Pagination"). A list has a
 * stable order that ends in a unique key; a cursor is the sort key of the last item a page gave,
 * opaque to clients, so the next page starts after that item wherever it now is: rows added or
 * removed meanwhile cause neither duplicates nor gaps (an offset would shift).
 */
import { WeftError } from '../graph/errors';
import type { RowPosition } from '../db/repositories/page';

/** The values an item sorts by, most significant first, the last one unique in the list. */
export type SortKey = ReadonlyArray<string | number>;

/** One page of a list; `nextCursor` is null on the last page. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page request: at most `limit` items after `cursor` (a previous page's `nextCursor`). */
export interface CursorRequest {
  limit: number;
  cursor?: string | undefined;
}

/** The cursor naming `key` in the list `list` (a list refuses another list's cursors). */
export function encodeCursor(list: string, key: SortKey): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

function badCursor(): WeftError {
  return new WeftError('INVALID_REQUEST', 'the cursor is not one this list gave', {
    issues: [{ path: '/cursor', code: 'invalid_cursor', message: 'pass nextCursor (or follow next) from a previous page of the same list unchanged' }],
  });
}

/**
 * The sort key a cursor of `list` names, checked against the shape the list's keys have.
 * @throws WeftError INVALID_REQUEST (path `/cursor`) for a cursor this list did not give
 */
export function decodeCursor(list: string, cursor: string, shape: ReadonlyArray<'string' | 'number'>): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed[0] !== list || parsed.length !== shape.length + 1) throw badCursor();
  const key = parsed.slice(1) as unknown[];
  if (!key.every((v, i) => typeof v === shape[i] && (typeof v !== 'number' || Number.isFinite(v)))) throw badCursor();
  return key as SortKey;
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i] as string | number, b[i] as string | number];
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

/** How a list held in memory is ordered: by `key` (with `compare`, else value by value), ascending unless `descending`. */
export interface ListOrder<T> {
  list: string;
  key: (item: T) => SortKey;
  shape: ReadonlyArray<'string' | 'number'>;
  compare?: (a: SortKey, b: SortKey) => number;
  descending?: boolean;
}

/**
 * A page of a short list read whole (policies, groups, parameters …): sorted by the list's key,
 * the items after the cursor's, `limit` of them.
 * @throws WeftError INVALID_REQUEST for a foreign cursor
 */
export function pageItems<T>(items: readonly T[], order: ListOrder<T>, page: CursorRequest): CursorPage<T> {
  const sign = order.descending ? -1 : 1;
  const compare = order.compare ?? compareKeys;
  const after = page.cursor === undefined ? undefined : decodeCursor(order.list, page.cursor, order.shape);
  const sorted = [...items].sort((a, b) => sign * compare(order.key(a), order.key(b)));
  const rest = after === undefined ? sorted : sorted.filter((item) => sign * compare(order.key(item), after) > 0);
  const taken = rest.slice(0, page.limit);
  const last = taken[taken.length - 1];
  return { items: taken, nextCursor: rest.length > page.limit && last !== undefined ? encodeCursor(order.list, order.key(last)) : null };
}

/** Where a cursor of a (time, id) list says to continue. @throws WeftError INVALID_REQUEST */
export function timedPosition(list: string, cursor: string | undefined): RowPosition | undefined {
  if (cursor === undefined) return undefined;
  const [at, id] = decodeCursor(list, cursor, ['string', 'string']) as [string, string];
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) throw badCursor();
  return { at: time, id };
}

/** Where a cursor of a list ordered by its id alone says to continue. @throws WeftError INVALID_REQUEST */
export function idPosition(list: string, cursor: string | undefined, type: 'string' | 'number'): RowPosition | undefined {
  if (cursor === undefined) return undefined;
  const [id] = decodeCursor(list, cursor, [type]) as [string | number];
  return { id };
}

/**
 * The page from rows read with `limit + 1` (the extra row only says another page follows);
 * `key` gives the cursor of the last row kept.
 */
export function pageFromRows<T>(rows: readonly T[], limit: number, list: string, key: (row: T) => SortKey): CursorPage<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(list, key(last)) : null };
}

/** The cursor key of a (time, id) row. */
export function timedKey<T>(at: (row: T) => Date, id: (row: T) => string): (row: T) => SortKey {
  return (row) => [at(row).toISOString(), id(row)];
}
