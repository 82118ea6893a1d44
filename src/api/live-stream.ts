/**
 * Writes live execution events to one HTTP response as Server-Sent Events: what the records
 * already hold after the client's position (its `Last-Event-ID`), then what the process's
 * EventHub hands over as it is committed, in order and each once, with comment heartbeats.
 */
import type { Request, Response } from 'express';
import type { WeftDb } from '../db/client';
import { executionAuditAfter, type EventScope } from '../db/repositories/execution-events';
import { EVENT_BATCH, eventsOfEntries, type EventHub } from '../services/event-hub';
import { isAfter, type EventPosition, type LiveEvent } from '../services/execution-events';

/** How long a stream waits before reading the records again after the database failed it. */
const REPLAY_RETRY_MS = 1_000;

/**
 * How long an instance's stream stays open after its final event. An operator action's record
 * is written once Temporal accepted the action, so it may commit just after the records of what
 * the execution did next — its end included.
 */
const FINAL_GRACE_MS = 1_000;

export interface StreamOptions {
  scope: EventScope;
  /** Events after this position are sent; `now` sends only what is committed from now on. */
  after: EventPosition | 'now';
  /** Ends the response after the execution's final event (an instance's stream). */
  endOnFinal: boolean;
  heartbeatMs: number;
  /** With `endOnFinal`: whether the execution has ended (its final event is then in the records). */
  finished?: () => Promise<boolean>;
}

/**
 * Serves one stream until the client goes away (or the execution's final event, with `endOnFinal`).
 * @throws when the database cannot be reached before the response began (the caller answers 503)
 */
export async function streamEvents(req: Request, res: Response, deps: { db: WeftDb; hub: EventHub }, opts: StreamOptions): Promise<void> {
  let replaying = true;
  let ended = false;
  let finalSent = false;
  const held: LiveEvent[][] = [];
  const sub = await deps.hub.subscribe(
    opts.scope,
    (events) => (replaying ? held.push(events) : send(events)),
    () => end(),
  );
  let last: EventPosition = opts.after === 'now' ? { seq: sub.cursor, k: Number.MAX_SAFE_INTEGER } : opts.after;

  const heartbeats: NodeJS.Timeout[] = [];
  const end = () => {
    if (ended) return;
    ended = true;
    heartbeats.forEach(clearInterval);
    sub.close();
    res.end();
  };
  // The response's close, not the request's: it fires when the client goes away.
  res.on('close', end);
  // A write racing the client's departure must end the stream, not the process.
  res.on('error', end);
  if (req.destroyed || res.destroyed) return end();

  function send(events: LiveEvent[]): void {
    for (const ev of events) {
      if (ended || !isAfter(ev, last)) continue;
      res.write(`id: ${ev.id}\nevent: ${ev.event}\ndata: ${JSON.stringify(ev.data)}\n\n`);
      last = ev;
      if (ev.final && opts.endOnFinal && !finalSent) {
        finalSent = true;
        if (!replaying) heartbeats.push(setTimeout(end, FINAL_GRACE_MS));
      }
    }
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  heartbeats.push(setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), opts.heartbeatMs));

  // Replay: everything the records hold after the client's position (an entry the client saw
  // part of is read again; send() skips what it had).
  let from = last.k === Number.MAX_SAFE_INTEGER ? last.seq : last.seq - 1;
  while (!ended) {
    try {
      const rows = await executionAuditAfter(deps.db, opts.scope, from, EVENT_BATCH);
      for (const events of await eventsOfEntries(deps.db, rows)) send(events);
      const lastRow = rows[rows.length - 1];
      if (lastRow) from = lastRow.seq;
      if (rows.length < EVENT_BATCH) break;
    } catch {
      // The database went away mid-replay: the client keeps its stream and the replay resumes.
      await new Promise((r) => setTimeout(r, REPLAY_RETRY_MS));
    }
  }
  replaying = false;
  for (const events of held.splice(0)) send(events);
  // The records hold the end (replayed, or before the client's Last-Event-ID): nothing more comes.
  if (finalSent || (!ended && opts.endOnFinal && opts.finished && (await opts.finished().catch(() => false)))) end();
}
