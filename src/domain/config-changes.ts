/**
 * Writing configuration values: the ETag precondition, the write, and its history entry, in the
 * caller's transaction. The API writes through {@link applyValueChange}; a change that waited
 * for a `config_change` approval is applied by {@link settleConfigChange} when the approval
 * workflow records its outcome (src/activities/approvals.ts), in that same transaction.
 */
import { randomBytes } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { deleteValue, getParameter, getValue, writeValue } from '../db/repositories/config';
import { insertHistory, pendingChangeForUpdate, settleChange } from '../db/repositories/config-history';
import type { ConfigScope, ConfigValueRow, PendingConfigChange } from '../db/schema';
import { WeftError } from '../graph/errors';
import { checkValue } from './config-rules';

/** The ETag of a value that is not set: `If-Match: "absent"` asks that nobody set it meanwhile. */
export const ABSENT_ETAG = 'absent';
/** What is shown instead of a secret value. */
export const SECRET_MASK = '***';

/** One value to set or remove. */
export interface ValueChange {
  scope: ConfigScope;
  scopeId: string;
  key: string;
  op: 'set' | 'delete';
  /** The value of a non-secret `set`. */
  value?: unknown;
  /** The sealed value of a secret `set`. */
  sealed?: string | null;
  /**
   * The ETags the writer accepts (If-Match): stored etags, {@link ABSENT_ETAG}, or `*` (any
   * stored value). Undefined: no precondition.
   */
  expect?: string[];
}

/** Who writes and why. */
export interface ChangeMeta {
  actor: string;
  reason: string | null;
  approvalRequestId: string | null;
  requestId: string | null;
}

/** What a value looks like in history, audit and views: secrets as {@link SECRET_MASK}. */
export function shownValue(row: Pick<ConfigValueRow, 'value' | 'sealed'> | undefined): unknown {
  if (!row) return null;
  return row.sealed !== null ? SECRET_MASK : row.value;
}

/** A value as an audit record keeps it (never a secret in clear). */
export function auditedValue(row: ConfigValueRow | undefined): Record<string, unknown> | null {
  if (!row) return null;
  return {
    scope: row.scope,
    scopeId: row.scopeId,
    key: row.key,
    value: shownValue(row),
    etag: row.etag,
    revision: row.revision,
    setBy: row.setBy,
    reason: row.reason,
  };
}

/** Whether the stored value satisfies the writer's If-Match. */
export function preconditionHolds(stored: Pick<ConfigValueRow, 'etag'> | undefined, expect: string[] | undefined): boolean {
  if (expect === undefined) return true;
  return expect.some((e) => (e === '*' ? stored !== undefined : e === ABSENT_ETAG ? stored === undefined : stored?.etag === e));
}

function preconditionFailed(change: Pick<ValueChange, 'scope' | 'scopeId' | 'key'>, stored: ConfigValueRow | undefined): WeftError {
  const where = change.scope === 'global' ? 'globally' : `at ${change.scope} ${change.scopeId}`;
  return new WeftError('PRECONDITION_FAILED', `${change.key} ${where} changed since it was read (If-Match does not match); read it again`, {
    details: { key: change.key, scope: change.scope, scopeId: change.scopeId, currentEtag: stored?.etag ?? ABSENT_ETAG },
  });
}

function newEtag(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Checks the precondition, writes or removes the value and records the change in history.
 * @throws WeftError PRECONDITION_FAILED (412), CONFIG_VALUE_NOT_FOUND (removing an absent value)
 */
export async function applyValueChange(tx: WeftDb, change: ValueChange, meta: ChangeMeta): Promise<{ before?: ConfigValueRow; after?: ConfigValueRow }> {
  const before = await getValue(tx, change.scope, change.scopeId, change.key, true);
  if (!preconditionHolds(before, change.expect)) throw preconditionFailed(change, before);
  let after: ConfigValueRow | undefined;
  if (change.op === 'set') {
    const sealed = change.sealed ?? null;
    after = await writeValue(
      tx,
      {
        scope: change.scope,
        scopeId: change.scopeId,
        key: change.key,
        value: sealed === null ? change.value : null,
        sealed,
        etag: newEtag(),
        setBy: meta.actor,
        setAt: new Date(),
        reason: meta.reason,
        approvalRequestId: meta.approvalRequestId,
      },
      before === undefined && change.expect !== undefined,
    );
    // Another writer inserted the value between our read and our insert.
    if (!after) throw preconditionFailed(change, await getValue(tx, change.scope, change.scopeId, change.key));
  } else {
    if (!before) throw new WeftError('CONFIG_VALUE_NOT_FOUND', `${change.key} is not set at ${change.scope} ${change.scopeId || ''}`.trim());
    await deleteValue(tx, change.scope, change.scopeId, change.key);
  }
  await insertHistory(tx, {
    scope: change.scope,
    scopeId: change.scopeId,
    key: change.key,
    action: change.op === 'set' ? 'set' : 'deleted',
    oldValue: shownValue(before),
    newValue: shownValue(after),
    secret: (before?.sealed ?? after?.sealed ?? null) !== null,
    changedBy: meta.actor,
    reason: meta.reason,
    approvalRequestId: meta.approvalRequestId,
    requestId: meta.requestId,
  });
  return { ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired']);

/** Whether saving this request's row may settle a configuration change (a decided `config_change`). */
export function settlesConfigChange(request: { type: string; status: string }): boolean {
  return request.type === 'config_change' && FINAL.has(request.status);
}

/** Why a pending change cannot be applied now, or undefined when it can. */
async function refusal(tx: WeftDb, changes: PendingConfigChange[]): Promise<{ status: 'conflict' | 'invalid'; outcome: string } | undefined> {
  for (const c of changes) {
    const stored = await getValue(tx, c.scope, c.scopeId, c.key, true);
    if (!preconditionHolds(stored, [c.baseEtag]))
      return { status: 'conflict', outcome: `${c.key} at ${c.scope} ${c.scopeId} changed while the approval was pending` };
    const parameter = await getParameter(tx, c.key);
    if (!parameter) return { status: 'invalid', outcome: `parameter ${c.key} no longer exists` };
    // Secret values were checked when asked for; they cannot be opened here.
    if (c.op === 'set' && !parameter.secret) {
      const [issue] = checkValue(parameter, c.value);
      if (issue) return { status: 'invalid', outcome: `${c.key}: ${issue.message}` };
    }
  }
  return undefined;
}

/**
 * Applies (when approved) or discards a configuration change that waited for this approval
 * request, once: the change row moves out of `pending` in the same transaction. A change whose
 * values moved on meanwhile is not applied (`conflict`), nor one a parameter no longer accepts
 * (`invalid`); the audit trail says which.
 */
export async function settleConfigChange(tx: WeftDb, request: { id: string; type: string; status: string; data: unknown }): Promise<void> {
  if (!settlesConfigChange(request)) return;
  const changeId = (request.data as { changeId?: unknown } | null)?.changeId;
  if (typeof changeId !== 'string') return;
  const row = await pendingChangeForUpdate(tx, changeId);
  if (!row) return;
  const audit = { actor: 'system', resourceType: 'config_change', resourceId: row.id };
  const details = { approvalRequestId: request.id, requestedBy: row.requestedBy, siteId: row.siteId, reason: row.reason };
  if (request.status !== 'approved') {
    await settleChange(tx, row.id, 'rejected', `approval ${request.status}`);
    await appendAudit(tx, { ...audit, action: 'config.change_discarded', details: { ...details, approval: request.status } });
    return;
  }
  const refused = await refusal(tx, row.changes);
  if (refused) {
    await settleChange(tx, row.id, refused.status, refused.outcome);
    await appendAudit(tx, { ...audit, action: 'config.change_discarded', details: { ...details, status: refused.status, outcome: refused.outcome } });
    return;
  }
  const meta: ChangeMeta = { actor: row.requestedBy, reason: row.reason, approvalRequestId: request.id, requestId: null };
  const before: unknown[] = [];
  const after: unknown[] = [];
  for (const c of row.changes) {
    const applied = await applyValueChange(tx, { scope: c.scope, scopeId: c.scopeId, key: c.key, op: c.op, value: c.value, sealed: c.sealed ?? null }, meta);
    before.push(auditedValue(applied.before));
    after.push(auditedValue(applied.after));
  }
  await settleChange(tx, row.id, 'applied', null);
  await appendAudit(tx, { ...audit, action: 'config.change_applied', details, before: { values: before }, after: { values: after } });
}
