/**
 * Per-workflow limits (`settings.maxConcurrentExecutions`, `settings.maxStartsPerMinute`): a
 * start of a limited workflow is queued in PostgreSQL (`execution_admissions`, in start order)
 * before its execution starts; the execution waits, `queued`, until a slot is granted to it —
 * strictly in queue order, under a per-workflow advisory lock, by whichever process asks — and
 * releases the slot when it ends. State lives only in the database, so a restart of any API
 * process or worker loses no place in the queue and never lets more than the limit run.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { WeftDb } from '../db/client';
import { executeRows } from '../db/client';
import { executionAdmissions } from '../db/schema';
import type { GraphSettings } from '../graph/schema';
import type { AdmissionLimits } from '../shared/admission';

/** Second key of the advisory lock serialising grants per workflow. */
const ADMISSION_LOCK_NAMESPACE = 0x41646d74; // "Admt"

/** The limits of a graph's settings, or undefined when it has none. */
export function admissionLimits(settings: Partial<GraphSettings> | undefined): AdmissionLimits | undefined {
  const maxConcurrent = settings?.maxConcurrentExecutions;
  const perMinute = settings?.maxStartsPerMinute;
  if (maxConcurrent === undefined && perMinute === undefined) return undefined;
  return { ...(maxConcurrent !== undefined ? { maxConcurrent } : {}), ...(perMinute !== undefined ? { perMinute } : {}) };
}

/** Why a slot was not granted now, and when asking again makes sense. */
export interface AdmissionDecision {
  granted: boolean;
  /** When refused for the per-minute limit: milliseconds until the oldest start of the last minute leaves it. */
  retryAfterMs?: number;
}

/** Queues an execution at the end of its workflow's queue (a repeat keeps its place). */
export async function enqueueAdmission(db: WeftDb, definitionId: string, executionId: string): Promise<void> {
  await db.insert(executionAdmissions).values({ executionId, definitionId }).onConflictDoNothing();
}

/** Forgets an execution that never started (its start failed after it was queued). */
export async function dropAdmission(db: WeftDb, executionId: string): Promise<void> {
  await db.delete(executionAdmissions).where(eq(executionAdmissions.executionId, executionId));
}

/** Releases an execution's slot (or its place in the queue); releasing twice is harmless. */
export async function releaseAdmission(db: WeftDb, executionId: string): Promise<void> {
  await db
    .update(executionAdmissions)
    .set({ state: 'released', releasedAt: new Date() })
    .where(and(eq(executionAdmissions.executionId, executionId), sql`${executionAdmissions.state} <> 'released'`));
}

/** Room under the limits now: the slots held (by executions not yet recorded as ended) and the grants of the last minute. */
async function room(tx: WeftDb, definitionId: string, limits: AdmissionLimits): Promise<AdmissionDecision> {
  const [usage] = await executeRows<{ running: number; recent: number; oldest_ms: number | null }>(
    tx,
    sql`select
          count(*) filter (where a.state = 'running' and not exists (
            select 1 from executions e where e.id = a.execution_id and e.status in ('completed', 'failed', 'cancelled')))::int as running,
          count(*) filter (where a.granted_at > now() - interval '1 minute')::int as recent,
          (extract(epoch from (min(a.granted_at) filter (where a.granted_at > now() - interval '1 minute') + interval '1 minute' - now())) * 1000)::float8 as oldest_ms
        from ${executionAdmissions} a
        where a.definition_id = ${definitionId} and (a.state = 'running' or a.granted_at > now() - interval '1 minute')`,
  );
  if (limits.maxConcurrent !== undefined && Number(usage?.running ?? 0) >= limits.maxConcurrent) return { granted: false };
  if (limits.perMinute !== undefined && Number(usage?.recent ?? 0) >= limits.perMinute) {
    return { granted: false, retryAfterMs: Math.max(1, Math.ceil(Number(usage?.oldest_ms ?? 1000))) };
  }
  return { granted: true };
}

async function lockWorkflow(tx: WeftDb, definitionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADMISSION_LOCK_NAMESPACE}::int4, hashtext(${definitionId}))`);
}

/**
 * Grants the execution its slot when it heads its workflow's queue and the limits leave room;
 * an execution granted already (or released) is answered granted.
 */
export async function tryAdmit(db: WeftDb, req: { definitionId: string; executionId: string; limits: AdmissionLimits }): Promise<AdmissionDecision> {
  return db.transaction(async (tx) => {
    await lockWorkflow(tx, req.definitionId);
    await enqueueAdmission(tx, req.definitionId, req.executionId);
    const [own] = await tx.select().from(executionAdmissions).where(eq(executionAdmissions.executionId, req.executionId));
    if (own?.state === 'running') return { granted: true };
    if (own?.state === 'released') {
      // Taken for abandoned while it had not started yet (see openAdmissions): back in line, at its end.
      await tx.delete(executionAdmissions).where(eq(executionAdmissions.executionId, req.executionId));
      await enqueueAdmission(tx, req.definitionId, req.executionId);
      return { granted: false };
    }
    const [head] = await executeRows<{ execution_id: string }>(
      tx,
      sql`select execution_id from ${executionAdmissions} where definition_id = ${req.definitionId} and state = 'queued' order by seq limit 1`,
    );
    if (head?.execution_id !== req.executionId) return { granted: false };
    const decision = await room(tx, req.definitionId, req.limits);
    if (decision.granted) {
      await tx
        .update(executionAdmissions)
        .set({ state: 'running', grantedAt: sql`now()` })
        .where(eq(executionAdmissions.executionId, req.executionId));
    }
    return decision;
  });
}

/**
 * For a start that would rather be refused than wait (`onLimit: "reject"`): grants a slot now
 * when nobody queues and the limits leave room, else grants nothing.
 */
export async function admitNow(db: WeftDb, req: { definitionId: string; executionId: string; limits: AdmissionLimits }): Promise<AdmissionDecision> {
  return db.transaction(async (tx) => {
    await lockWorkflow(tx, req.definitionId);
    const [queued] = await executeRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from ${executionAdmissions} where definition_id = ${req.definitionId} and state = 'queued'`,
    );
    if (Number(queued?.n ?? 0) > 0) return { granted: false };
    const decision = await room(tx, req.definitionId, req.limits);
    if (decision.granted) {
      await tx
        .insert(executionAdmissions)
        .values({ executionId: req.executionId, definitionId: req.definitionId, state: 'running', grantedAt: sql`now()` })
        .onConflictDoNothing();
    }
    return decision;
  });
}

/**
 * The workflow's slots held and the head of its queue, older than `minAgeSeconds`: the ones a
 * waiting execution checks against Temporal, releasing those whose execution is no longer
 * running (terminated, timed out, or never started because its start failed half-way).
 */
export async function openAdmissions(db: WeftDb, definitionId: string, minAgeSeconds: number): Promise<string[]> {
  const rows = await executeRows<{ execution_id: string }>(
    db,
    sql`(select execution_id from ${executionAdmissions} where definition_id = ${definitionId} and state = 'running'
          and granted_at < now() - make_interval(secs => ${minAgeSeconds}))
        union all
        (select execution_id from ${executionAdmissions} where definition_id = ${definitionId} and state = 'queued'
          and queued_at < now() - make_interval(secs => ${minAgeSeconds}) order by seq limit 1)`,
  );
  return rows.map((r) => r.execution_id);
}
