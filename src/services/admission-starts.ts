import type { WeftDb } from '../db/client';
import { admitNow, enqueueAdmission } from '../domain/admission';
import { WeftError } from '../graph/errors';
import type { AdmissionRequest } from '../shared/admission';

/**
 * Takes a start's place under its workflow's limits: at the end of the queue (`queue`, the
 * default: the execution starts and waits, `queued`, for its slot), or a slot now or a refusal
 * (`reject`).
 * @throws WeftError WORKFLOW_LIMIT_REACHED (429, with `details.retryAfterSeconds`) when `reject` finds no room
 */
export async function queueStart(db: WeftDb, req: AdmissionRequest, onLimit: 'queue' | 'reject'): Promise<void> {
  if (onLimit === 'queue') return enqueueAdmission(db, req.definitionId, req.executionId);
  const decision = await admitNow(db, req);
  if (decision.granted) return;
  const { maxConcurrent, perMinute } = req.limits;
  throw new WeftError(
    'WORKFLOW_LIMIT_REACHED',
    `workflow ${req.definitionId} is at its limit (${[maxConcurrent && `${maxConcurrent} running at once`, perMinute && `${perMinute} starts a minute`].filter(Boolean).join(', ')}, or starts wait in its queue); start without onLimit "reject" to wait in line`,
    { details: { ...req.limits, retryAfterSeconds: Math.max(1, Math.ceil((decision.retryAfterMs ?? 1000) / 1000)) } },
  );
}
