/**
 * Writing configuration values at a scope (global, region, site), cloning a site's values, and
 * the history of changes. Every write is checked against its parameter and the caller's
 * If-Match; a write to a production site waits for a `config_change` approval when an enabled
 * policy for that type exists (config-approvals.ts).
 */
import type { WeftDb } from '../db/client';
import { policyForType } from '../db/repositories/approvals';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getParameter, getValue, valuesAt } from '../db/repositories/config';
import { getChange, pageHistory, type HistoryFilter } from '../db/repositories/config-history';
import { getSite } from '../db/repositories/sites';
import type { ConfigChangeRow, ConfigHistoryRow, ConfigScope, ConfigValueRow, SiteRow } from '../db/schema';
import { applyValueChange, auditedValue, SECRET_MASK, shownValue, type ValueChange } from '../domain/config-changes';
import { checkValue } from '../domain/config-rules';
import type { SecretBox } from '../domain/secret-box';
import { WeftError } from '../graph/errors';
import type { ConfigApprovals, PendingView } from './config-approvals';
import { parameterNotFound } from './config-parameters';
import { siteNotFound } from './sites';

/** A value stored at one scope, as the API shows it. */
export interface ScopeValueView {
  scope: ConfigScope;
  scopeId: string;
  key: string;
  value: unknown;
  secret: boolean;
  etag: string;
  revision: number;
  setBy: string;
  setAt: Date;
  reason: string | null;
  approvalRequestId: string | null;
}

/** What a write answers: the value as stored, or the approval it waits for. */
export type WriteOutcome = { applied: true; value: ScopeValueView | null } | ({ applied: false } & PendingView);

/** Where a value is written: `scopeId` is '' for global, the region's name, or the site's id. */
export interface ScopeRef {
  scope: ConfigScope;
  scopeId: string;
}

export function scopeValueView(row: ConfigValueRow): ScopeValueView {
  return {
    scope: row.scope,
    scopeId: row.scopeId,
    key: row.key,
    value: shownValue(row),
    secret: row.sealed !== null,
    etag: row.etag,
    revision: row.revision,
    setBy: row.setBy,
    setAt: row.setAt,
    reason: row.reason,
    approvalRequestId: row.approvalRequestId,
  };
}

function historyView(row: ConfigHistoryRow) {
  return {
    id: String(row.id),
    at: row.at,
    scope: row.scope,
    scopeId: row.scopeId,
    key: row.key,
    action: row.action,
    oldValue: row.oldValue,
    newValue: row.newValue,
    secret: row.secret,
    changedBy: row.changedBy,
    reason: row.reason,
    approvalRequestId: row.approvalRequestId,
    requestId: row.requestId,
  };
}

function decodeCursor(cursor: string): number {
  const match = /^history:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw new WeftError('INVALID_REQUEST', 'the cursor is not one this API gave', {
      issues: [{ path: '/cursor', code: 'invalid_cursor', message: 'pass nextCursor from a previous page unchanged' }],
    });
  }
  return Number(match[1]);
}

export class ConfigValueService {
  constructor(
    private readonly db: WeftDb,
    private readonly box: SecretBox,
    private readonly approvals: ConfigApprovals,
  ) {}

  /** The site a site-scoped write names. @throws WeftError SITE_NOT_FOUND */
  private async siteOf(ref: ScopeRef): Promise<SiteRow | undefined> {
    if (ref.scope !== 'site') return undefined;
    const site = await getSite(this.db, ref.scopeId);
    if (!site) throw siteNotFound(ref.scopeId);
    return site;
  }

  /** Whether writes to this site wait for a `config_change` approval. */
  private async gated(site: SiteRow | undefined): Promise<boolean> {
    return site?.environment === 'production' && (await policyForType(this.db, 'config_change')) !== undefined;
  }

  /** @throws WeftError CONFIG_VALUE_NOT_FOUND */
  async get(ref: ScopeRef, key: string): Promise<ScopeValueView> {
    await this.siteOf(ref);
    const row = await getValue(this.db, ref.scope, ref.scopeId, key);
    if (!row) throw new WeftError('CONFIG_VALUE_NOT_FOUND', `${key} is not set at ${ref.scope} ${ref.scopeId}`.trim(), { details: { key, ...ref } });
    return scopeValueView(row);
  }

  /**
   * Sets `key` at a scope after checking the value against its parameter and `expect` (If-Match).
   * @throws WeftError CONFIG_PARAMETER_NOT_FOUND, SITE_NOT_FOUND, CONFIG_INVALID (with paths under `/value`), PRECONDITION_FAILED
   */
  async set(ref: ScopeRef, key: string, body: { value: unknown; reason?: string }, expect: string[] | undefined, ctx: AuditContext): Promise<WriteOutcome> {
    const parameter = await getParameter(this.db, key);
    if (!parameter) throw parameterNotFound(key);
    const site = await this.siteOf(ref);
    const issues = checkValue(parameter, body.value);
    if (issues.length > 0) throw new WeftError('CONFIG_INVALID', `the value of ${key} is not valid`, { issues });
    const change: ValueChange = {
      ...ref,
      key,
      op: 'set',
      ...(parameter.secret ? { sealed: this.box.seal({ value: body.value }) } : { value: body.value }),
      ...(expect ? { expect } : {}),
    };
    return this.write(site, [change], body.reason ?? null, 'config.value_set', ctx);
  }

  /**
   * Removes the override of `key` at a scope, so the next level's value applies.
   * @throws WeftError SITE_NOT_FOUND, CONFIG_VALUE_NOT_FOUND, PRECONDITION_FAILED
   */
  async remove(ref: ScopeRef, key: string, reason: string | undefined, expect: string[] | undefined, ctx: AuditContext): Promise<WriteOutcome> {
    const site = await this.siteOf(ref);
    if (!(await getValue(this.db, ref.scope, ref.scopeId, key))) {
      throw new WeftError('CONFIG_VALUE_NOT_FOUND', `${key} is not set at ${ref.scope} ${ref.scopeId}`.trim(), { details: { key, ...ref } });
    }
    return this.write(site, [{ ...ref, key, op: 'delete', ...(expect ? { expect } : {}) }], reason ?? null, 'config.value_deleted', ctx);
  }

  /**
   * Copies the site-level values of `fromSiteId` to `siteId` (values the target sets for other
   * keys stay). Secret values are copied sealed.
   * @throws WeftError SITE_NOT_FOUND, VALIDATION_ERROR (`/fromSiteId` is the site itself)
   */
  async clone(siteId: string, body: { fromSiteId: string; reason?: string }, ctx: AuditContext): Promise<WriteOutcome & { keys: string[] }> {
    if (body.fromSiteId === siteId) {
      throw new WeftError('VALIDATION_ERROR', 'a site cannot be cloned from itself', {
        issues: [{ path: '/fromSiteId', code: 'same_site', message: 'name another site' }],
      });
    }
    const site = await this.siteOf({ scope: 'site', scopeId: siteId });
    if (!(await getSite(this.db, body.fromSiteId))) throw siteNotFound(body.fromSiteId);
    const source = await valuesAt(this.db, 'site', body.fromSiteId);
    const changes: ValueChange[] = source.map((v) => ({ scope: 'site', scopeId: siteId, key: v.key, op: 'set', value: v.value, sealed: v.sealed }));
    const keys = source.map((v) => v.key);
    if (changes.length === 0) return { applied: true, value: null, keys };
    const outcome = await this.write(site, changes, body.reason ?? `cloned from ${body.fromSiteId}`, 'config.cloned', ctx, { fromSiteId: body.fromSiteId });
    return { ...outcome, keys };
  }

  /** Applies `changes` now, or asks for an approval when the site is gated. */
  private async write(
    site: SiteRow | undefined,
    changes: ValueChange[],
    reason: string | null,
    action: string,
    ctx: AuditContext,
    details: Record<string, unknown> = {},
  ): Promise<WriteOutcome> {
    if (site && (await this.gated(site))) return { applied: false, ...(await this.approvals.request(site, changes, reason, ctx)) };
    const first = changes[0] as ValueChange;
    return this.db.transaction(async (tx) => {
      const meta = { actor: ctx.actor, reason, approvalRequestId: null, requestId: ctx.requestId ?? null };
      const results = [];
      for (const change of changes) results.push(await applyValueChange(tx, change, meta));
      const single = changes.length === 1 && action !== 'config.cloned';
      await appendAudit(tx, {
        ...ctx,
        action,
        resourceType: 'config_value',
        resourceId: single ? `${first.scope}:${first.scopeId}:${first.key}` : `${first.scope}:${first.scopeId}`,
        details: { ...details, reason, keys: changes.map((c) => c.key) },
        before: single ? auditedValue(results[0]?.before) : { values: results.map((r) => auditedValue(r.before)) },
        after: single ? auditedValue(results[0]?.after) : { values: results.map((r) => auditedValue(r.after)) },
      });
      const stored = results[0]?.after;
      return { applied: true as const, value: single && stored ? scopeValueView(stored) : null };
    });
  }

  /** Changes newest first, `limit` at a time. @throws WeftError INVALID_REQUEST for a foreign cursor */
  async history(filter: HistoryFilter, page: { limit: number; cursor?: string }) {
    const beforeId = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = await pageHistory(this.db, filter, { ...(beforeId !== undefined ? { beforeId } : {}), limit: page.limit + 1 });
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items: items.map(historyView), nextCursor: rows.length > page.limit && last ? Buffer.from(`history:${last.id}`).toString('base64url') : null };
  }

  /** A change that waited (or waits) for an approval. @throws WeftError CONFIG_CHANGE_NOT_FOUND */
  async change(id: string) {
    const row: ConfigChangeRow | undefined = await getChange(this.db, id);
    if (!row) throw new WeftError('CONFIG_CHANGE_NOT_FOUND', `configuration change ${id} does not exist`);
    return {
      id: row.id,
      status: row.status,
      outcome: row.outcome,
      siteId: row.siteId,
      approvalRequestId: row.approvalRequestId,
      changes: row.changes.map((c) => ({ scope: c.scope, scopeId: c.scopeId, key: c.key, op: c.op, value: c.secret ? SECRET_MASK : (c.value ?? null) })),
      reason: row.reason,
      requestedBy: row.requestedBy,
      requestedAt: row.requestedAt,
      settledAt: row.settledAt,
    };
  }
}
