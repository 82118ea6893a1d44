import type { Request } from 'express';

/**
 * A cursor page with its `next` link: the request's own URL with `cursor` set to the page's
 * `nextCursor` (null on the last page), so a client follows links without building URLs.
 */
export function withNextLink<T extends { nextCursor: string | null }>(req: Request, page: T): T & { next: string | null } {
  if (page.nextCursor === null) return { ...page, next: null };
  const url = new URL(req.originalUrl, 'http://weft.invalid');
  url.searchParams.set('cursor', page.nextCursor);
  return { ...page, next: `${url.pathname}${url.search}` };
}
