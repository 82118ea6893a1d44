import type { Request } from 'express';
import { z } from 'zod';
import { pageItems, type CursorRequest, type ListOrder } from '../domain/pages';

/**
 * The query parameters of every list (docs/api.md, "Pagination"): `limit` (1 to `max`,
 * `fallback` when absent) and `cursor`, a previous page's `nextCursor` passed unchanged.
 */
export function pageParams(max: number, fallback: number) {
  return {
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    cursor: z.string().min(1).max(1000).optional(),
  };
}

/** The query of a short list the service reads whole (groups, policies, parameters …), paged by the API. */
export const shortListQuery = z.strictObject(pageParams(500, 100));

/** `?offset`, still taken by the lists that paged by offset before cursors (deprecated). */
export const legacyOffset = { offset: z.coerce.number().int().min(0).optional() };

/** The page request of a parsed list query, without the keys it leaves out. */
export function pageOf(query: { limit: number; cursor?: string | undefined; offset?: number | undefined }): {
  limit: number;
  cursor?: string;
  offset?: number;
} {
  return {
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(query.offset !== undefined ? { offset: query.offset } : {}),
  };
}

/**
 * A cursor page with its `next` link: the request's own URL with `cursor` set to the page's
 * `nextCursor` (null on the last page), so a client follows links without building URLs. An
 * `offset` the request had is dropped: the cursor already says where the next page starts.
 */
export function withNextLink<T extends { nextCursor: string | null }>(req: Request, page: T): T & { next: string | null } {
  if (page.nextCursor === null) return { ...page, next: null };
  const url = new URL(req.originalUrl, 'http://weft.invalid');
  url.searchParams.delete('offset');
  url.searchParams.set('cursor', page.nextCursor);
  return { ...page, next: `${url.pathname}${url.search}` };
}

/** A page of a short list the service gives whole, with its `next` link. @throws WeftError INVALID_REQUEST for a foreign cursor */
export function listPage<T>(req: Request, items: readonly T[], order: ListOrder<T>, page: CursorRequest) {
  return withNextLink(req, pageItems(items, order, page));
}
