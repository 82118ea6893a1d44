/**
 * One per API process: LISTENs for new execution audit entries (drizzle/0016_execution_events.sql),
 * reads them once in `seq` order after its own cursor, turns them into events and hands each to
 * the streams it concerns. A notification only says "read again": the hub reads from its cursor,
 * so notifications lost while the LISTEN connection was down lose nothing — a periodic read
 * catches up, and a read that succeeds after a failed one LISTENs again.
 */
import type { Database } from '../db/client';
import { EXECUTION_EVENTS_CHANNEL, executionAuditAfter, lastAuditSeq, type EventScope, type ExecutionAuditRow } from '../db/repositories/execution-events';
import { getNodeResults } from '../db/repositories/executions';
import { eventsOfEntry, isFinalEntry, type LiveEvent } from './execution-events';

/** Entries read per query. */
export const EVENT_BATCH = 500;

/** A stream's interest and where its events go. */
interface Subscriber {
  scope: EventScope;
  deliver(events: LiveEvent[]): void;
  /** The hub closes (the process shuts down): the stream ends. */
  closed(): void;
}

function concerns(scope: EventScope, row: ExecutionAuditRow): boolean {
  if ('executionId' in scope) return row.executionId === scope.executionId;
  if ('workflowId' in scope) return row.workflowId === scope.workflowId;
  return true;
}

/** The events of entries `rows`, with the node runs of final entries read once. */
export async function eventsOfEntries(db: Database['db'], rows: readonly ExecutionAuditRow[]): Promise<LiveEvent[][]> {
  return Promise.all(rows.map(async (row) => eventsOfEntry(row, isFinalEntry(row) && row.executionId ? await getNodeResults(db, row.executionId) : [])));
}

export interface EventHubOptions {
  /** How often the hub reads even without a notification (and retries after a failure). Default 2 s. */
  pollMs?: number;
  /** Told when reading or listening fails (the hub keeps trying). */
  onError?: (err: unknown) => void;
}

/** Reads new execution events once per process and fans them out to the open streams. */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private cursor = 0;
  private started: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;
  private failed = false;
  private closed = false;
  private readonly pollMs: number;

  constructor(
    private readonly database: Database,
    private readonly opts: EventHubOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 2_000;
  }

  /**
   * Registers a stream. Everything committed after the returned `cursor` that concerns `scope`
   * is delivered (in order); the caller replays what it needs up to there from the records.
   * @throws when the database cannot be reached to start listening
   */
  async subscribe(scope: EventScope, deliver: (events: LiveEvent[]) => void, closed: () => void): Promise<{ cursor: number; close(): void }> {
    await this.start();
    // Nobody listened meanwhile, so nothing moved the cursor: new streams start from now.
    if (this.subscribers.size === 0) this.cursor = Math.max(this.cursor, await lastAuditSeq(this.database.db));
    const sub: Subscriber = { scope, deliver, closed };
    this.subscribers.add(sub);
    return { cursor: this.cursor, close: () => this.subscribers.delete(sub) };
  }

  /** Stops listening and polling, and ends the open streams. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const sub of this.subscribers) sub.closed();
    this.subscribers.clear();
    await this.unlisten?.().catch(() => undefined);
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      await this.listen();
      this.cursor = await lastAuditSeq(this.database.db);
      this.timer = setInterval(() => void this.pump(), this.pollMs);
      this.timer.unref();
    })().catch((err: unknown) => {
      this.started = undefined;
      void this.unlisten?.().catch(() => undefined);
      throw err;
    });
    return this.started;
  }

  private async listen(): Promise<void> {
    const previous = this.unlisten;
    this.unlisten = await this.database.listen(
      EXECUTION_EVENTS_CHANNEL,
      () => void this.pump(),
      // Also on every re-LISTEN after the connection dropped: read what was missed meanwhile.
      () => void this.pump(),
    );
    await previous?.().catch(() => undefined);
  }

  /** Reads every entry after the cursor and delivers it; coalesces calls that come while it reads. */
  private async pump(): Promise<void> {
    if (this.closed || (this.subscribers.size === 0 && !this.failed)) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        let rows: ExecutionAuditRow[];
        do {
          rows = await executionAuditAfter(this.database.db, {}, this.cursor, EVENT_BATCH);
          const events = await eventsOfEntries(this.database.db, rows);
          rows.forEach((row, i) => {
            for (const sub of this.subscribers) if (concerns(sub.scope, row)) sub.deliver(events[i] as LiveEvent[]);
            this.cursor = row.seq;
          });
        } while (rows.length === EVENT_BATCH);
      } while (this.again);
      if (this.failed) {
        // The database is back: the LISTEN connection may not have come back with it.
        this.failed = false;
        await this.listen();
      }
    } catch (err) {
      this.failed = true;
      this.opts.onError?.(err);
    } finally {
      this.pumping = false;
    }
  }
}
