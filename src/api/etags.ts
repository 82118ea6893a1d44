import type { Request, Response } from 'express';
import { WeftError } from '../graph/errors';

/**
 * The entity tags of `If-Match` (`*`, `"a"`, `W/"a"`, lists), unquoted; undefined when the
 * header is absent. Configuration values compare them strongly, so `W/` is only stripped.
 * @throws WeftError INVALID_REQUEST for a header that is not a list of quoted tags or `*`
 */
export function ifMatch(req: Request): string[] | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  if (header.trim() === '*') return ['*'];
  const tags = header.split(',').map((t) => /^\s*(?:W\/)?"([^"]*)"\s*$/.exec(t)?.[1]);
  if (tags.length === 0 || tags.some((t) => t === undefined || t === '')) {
    throw new WeftError('INVALID_REQUEST', 'If-Match must be * or a list of quoted entity tags', {
      issues: [{ path: '/headers/if-match', code: 'invalid_header', message: 'e.g. If-Match: "3q2-7w"' }],
    });
  }
  return tags as string[];
}

/** Sets the (strong) ETag header of a configuration value or a workflow definition. */
export function setEtag(res: Response, etag: string): void {
  res.setHeader('ETag', `"${etag}"`);
}
