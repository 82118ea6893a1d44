/**
 * Writing the audit trail out as CSV or NDJSON: batch by batch, each batch written only once the
 * previous one has drained to the client, so memory stays flat however long the trail is and a
 * slow reader slows the reads down rather than filling the process.
 */
import { once } from 'node:events';
import type { Response } from 'express';
import type { AuditEntry } from '../db/schema';

/** The export formats. */
export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** CSV columns, in order; JSON-valued columns hold compact JSON, absent values are empty. */
export const CSV_COLUMNS = [
  'seq',
  'id',
  'at',
  'actor',
  'action',
  'resource_type',
  'resource_id',
  'workflow_id',
  'request_id',
  'client_ip',
  'user_agent',
  'details',
  'before',
  'after',
  'prev_hash',
  'hash',
] as const;

const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' };

/** One record as the NDJSON export writes it (the API's JSON shape). */
function ndjsonLine(e: AuditEntry): string {
  return `${JSON.stringify(e)}\n`;
}

function csvLine(e: AuditEntry): string {
  const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));
  const cells = [
    String(e.seq),
    String(e.id),
    e.at.toISOString(),
    e.actor,
    e.action,
    e.resourceType,
    e.resourceId ?? '',
    e.workflowId ?? '',
    e.requestId ?? '',
    e.clientIp ?? '',
    e.userAgent ?? '',
    json(e.details),
    json(e.before),
    json(e.after),
    e.prevHash,
    e.hash,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Streams `batches` to `res` in `format`. Stops reading when the client goes away. An error after
 * the first byte cannot become a problem response any more: the connection is cut, so a client
 * never mistakes a partial export for a whole one.
 */
export async function streamAuditExport(
  res: Response,
  format: ExportFormat,
  batches: AsyncGenerator<AuditEntry[]>,
  onError: (err: unknown) => void,
): Promise<void> {
  const line = format === 'csv' ? csvLine : ndjsonLine;
  let started = false;
  const begin = () => {
    if (started) return;
    started = true;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200).type(CONTENT_TYPES[format]).setHeader('Content-Disposition', `attachment; filename="audit-${stamp}.${format}"`);
    if (format === 'csv') res.write(`${CSV_COLUMNS.join(',')}\r\n`);
  };
  try {
    for await (const batch of batches) {
      begin();
      if (res.destroyed) return;
      if (!res.write(batch.map(line).join(''))) await drained(res);
    }
  } catch (err) {
    if (!started) throw err;
    onError(err);
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  } finally {
    await batches.return(undefined);
  }
  begin();
  res.end();
}

/** Resolves when `res` can take more, or when the client has gone (then `res.destroyed`). */
async function drained(res: Response): Promise<void> {
  const stop = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: stop.signal }), once(res, 'close', { signal: stop.signal })]);
  } finally {
    // The listener that lost the race goes too: an export waits for drain hundreds of times.
    stop.abort();
  }
}
