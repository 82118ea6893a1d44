/**
 * What the sites and config routers share: the request fields of configuration writes and how
 * a write's outcome is answered (200/201 with the value and its ETag, 202 while it waits for an
 * approval, 204 for a removed value).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CONFIG_KEY } from '../../domain/config-rules';
import type { WriteOutcome } from '../../services/config-values';
import { setEtag } from '../etags';
import { param, parseRequest } from '../problem';

export const configKey = z.string().regex(CONFIG_KEY, 'a letter, then letters, digits or _ (at most 100)');
export const regionName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, _ . - (at most 100)');
export const reason = z.string().trim().min(1).max(2000);

export const valueBody = z.strictObject({ value: z.json(), reason: reason.optional() });
export const removeBody = z.strictObject({ reason: reason.optional() });

/** A configuration key from the path. @throws WeftError INVALID_REQUEST */
export function keyParam(req: Request): string {
  return parseRequest(configKey, param(req, 'key'), 'params');
}

/** `{ value, reason? }` of a PUT. */
export function parseValueBody(req: Request): { value: unknown; reason?: string } {
  const body = parseRequest(valueBody, req.body ?? {}, 'body');
  return body.reason === undefined ? { value: body.value } : { value: body.value, reason: body.reason };
}

/** The reason of a DELETE: `{ reason }` in the body or `?reason=`. */
export function parseRemoveReason(req: Request): string | undefined {
  const fromQuery = typeof req.query.reason === 'string' ? req.query.reason : undefined;
  return parseRequest(removeBody, req.body && Object.keys(req.body as object).length > 0 ? req.body : { reason: fromQuery }, 'body').reason;
}

/** Answers a PUT: 201 for a first value, 200 for a replaced one, 202 when it waits for an approval. */
export function sendWrite(res: Response, outcome: WriteOutcome): void {
  if (!outcome.applied) {
    const { applied: _a, ...pending } = outcome;
    res.status(202).location(`/api/v1/approval-requests/${pending.approvalRequestId}`).json(pending);
    return;
  }
  if (!outcome.value) {
    res.status(204).end();
    return;
  }
  setEtag(res, outcome.value.etag);
  res.status(outcome.value.revision === 1 ? 201 : 200).json(outcome.value);
}
