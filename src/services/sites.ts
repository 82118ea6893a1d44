/**
 * Sites (SiteConfigurationService of `000_*.txt`): where workflows run, with a region, an
 * environment, an IANA time zone and an optional parent site whose configuration they inherit.
 * A parent chain never closes into a cycle.
 */
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getSite, getSiteForUpdate, insertSite, lockSiteParents, pageSites, siteChain, updateSite, type SiteFilter } from '../db/repositories/sites';
import type { SiteEnvironment, SiteRow } from '../db/schema';
import { isTimeZone } from '../domain/config-rules';
import { WeftError, type ValidationIssue } from '../graph/errors';

/** A site as the API shows it. */
export type SiteView = Omit<SiteRow, never>;

export interface CreateSiteInput {
  id: string;
  name: string;
  location?: string;
  region: string;
  environment: SiteEnvironment;
  parentSiteId?: string | null;
  timeZone?: string;
  metadata?: Record<string, unknown>;
}

/** Fields to change; `parentSiteId: null` detaches a site from its parent. */
export type PatchSiteInput = Partial<Omit<CreateSiteInput, 'id'>>;

export function siteNotFound(id: string): WeftError {
  return new WeftError('SITE_NOT_FOUND', `site ${id} does not exist`, { details: { siteId: id } });
}

function checkTimeZone(timeZone: string | undefined): void {
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    throw new WeftError('VALIDATION_ERROR', `${timeZone} is not an IANA time zone`, {
      issues: [{ path: '/timeZone', code: 'invalid_time_zone', message: 'an IANA time zone such as Europe/Berlin or UTC' }],
    });
  }
}

function encodeCursor(id: string): string {
  return Buffer.from(`site:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('site:') || text.length === 5) {
    throw new WeftError('INVALID_REQUEST', 'the cursor is not one this API gave', {
      issues: [{ path: '/cursor', code: 'invalid_cursor', message: 'pass nextCursor from a previous page unchanged' }],
    });
  }
  return text.slice(5);
}

export class SiteService {
  constructor(private readonly db: WeftDb) {}

  /**
   * Refuses a parent that does not exist or that would close a cycle (the site is among the
   * parent's ancestors, or is the parent).
   * @throws WeftError VALIDATION_ERROR (`/parentSiteId` unknown), SITE_PARENT_CYCLE
   */
  private async checkParent(tx: WeftDb, id: string, parentSiteId: string): Promise<void> {
    const chain = await siteChain(tx, parentSiteId);
    if (chain.length === 0) {
      const issue: ValidationIssue = { path: '/parentSiteId', code: 'not_found', message: `site ${parentSiteId} does not exist` };
      throw new WeftError('VALIDATION_ERROR', `parent site ${parentSiteId} does not exist`, { issues: [issue] });
    }
    const at = chain.findIndex((s) => s.id === id);
    if (at >= 0) {
      const cycle = [id, ...chain.slice(0, at + 1).map((s) => s.id)];
      throw new WeftError('SITE_PARENT_CYCLE', `site ${parentSiteId} cannot be the parent of ${id}: ${cycle.join(' → ')} would be a cycle`, {
        issues: [{ path: '/parentSiteId', code: 'cycle', message: `${cycle.join(' → ')}` }],
        details: { cycle },
      });
    }
  }

  /** @throws WeftError SITE_CONFLICT (id taken), VALIDATION_ERROR (time zone, parent), SITE_PARENT_CYCLE */
  async create(input: CreateSiteInput, ctx: AuditContext): Promise<SiteView> {
    checkTimeZone(input.timeZone);
    return this.db.transaction(async (tx) => {
      if (input.parentSiteId) {
        await lockSiteParents(tx);
        await this.checkParent(tx, input.id, input.parentSiteId);
      }
      const row = await insertSite(tx, {
        id: input.id,
        name: input.name,
        location: input.location ?? '',
        region: input.region,
        environment: input.environment,
        parentSiteId: input.parentSiteId ?? null,
        timeZone: input.timeZone ?? 'UTC',
        metadata: input.metadata ?? {},
        createdBy: ctx.actor,
      });
      if (!row) {
        throw new WeftError('SITE_CONFLICT', `a site with id ${input.id} exists already`, { issues: [{ path: '/id', code: 'conflict', message: 'id taken' }] });
      }
      await appendAudit(tx, { ...ctx, action: 'site.created', resourceType: 'site', resourceId: row.id, after: row });
      return row;
    });
  }

  /** @throws WeftError SITE_NOT_FOUND */
  async get(id: string): Promise<SiteView> {
    const row = await getSite(this.db, id);
    if (!row) throw siteNotFound(id);
    return row;
  }

  /** Sites by id, `limit` at a time; `nextCursor` continues after the last (null on the last page). */
  async list(filter: SiteFilter, page: { limit: number; cursor?: string }): Promise<{ items: SiteView[]; nextCursor: string | null }> {
    const afterId = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = await pageSites(this.db, filter, { ...(afterId !== undefined ? { afterId } : {}), limit: page.limit + 1 });
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last.id) : null };
  }

  /** @throws WeftError SITE_NOT_FOUND, VALIDATION_ERROR, SITE_PARENT_CYCLE */
  async patch(id: string, input: PatchSiteInput, ctx: AuditContext): Promise<SiteView> {
    checkTimeZone(input.timeZone);
    return this.db.transaction(async (tx) => {
      if (input.parentSiteId) await lockSiteParents(tx);
      const before = await getSiteForUpdate(tx, id);
      if (!before) throw siteNotFound(id);
      if (input.parentSiteId) await this.checkParent(tx, id, input.parentSiteId);
      const after = (await updateSite(tx, id, input)) as SiteRow;
      await appendAudit(tx, { ...ctx, action: 'site.updated', resourceType: 'site', resourceId: id, before, after });
      return after;
    });
  }

  /**
   * Marks a site inactive (or active again): its rows and configuration stay, and starts there
   * are refused while it is inactive. Idempotent.
   * @throws WeftError SITE_NOT_FOUND
   */
  async setActive(id: string, isActive: boolean, reason: string | undefined, ctx: AuditContext): Promise<SiteView> {
    return this.db.transaction(async (tx) => {
      const before = await getSiteForUpdate(tx, id);
      if (!before) throw siteNotFound(id);
      if (before.isActive === isActive) return before;
      const after = (await updateSite(tx, id, { isActive })) as SiteRow;
      await appendAudit(tx, {
        ...ctx,
        action: isActive ? 'site.activated' : 'site.deactivated',
        resourceType: 'site',
        resourceId: id,
        details: { reason: reason ?? null },
        before: { isActive: before.isActive },
        after: { isActive },
      });
      return after;
    });
  }
}
