/** Recorded QUALITY_CHECK runs. */
import { asc, eq } from 'drizzle-orm';
import type { WeftDb } from '../client';
import { qualityResults, type QualityResult, type QualityResultRow } from '../schema';

/** One node run's verdict. */
export interface RecordQualityResultInput {
  idempotencyKey: string;
  executionId: string;
  nodeId: string;
  iteration: number;
  result: QualityResult;
  details: Record<string, unknown>;
}

/**
 * Records a node run's result once: a retry of the same run (same idempotency key) keeps the
 * first record, which holds the same verdict because the check is a pure function of its input.
 */
export async function recordQualityResult(db: WeftDb, input: RecordQualityResultInput): Promise<void> {
  await db.insert(qualityResults).values(input).onConflictDoNothing({ target: qualityResults.idempotencyKey });
}

/** The recorded results of an execution, oldest first. */
export async function listQualityResults(db: WeftDb, executionId: string): Promise<QualityResultRow[]> {
  return db.select().from(qualityResults).where(eq(qualityResults.executionId, executionId)).orderBy(asc(qualityResults.id));
}
