import type { ConfigSnapshot } from '../db/schema';
import { WeftError } from '../graph/errors';
import type { ExecutionSite } from '../graph/expressions';
import type { SiteConfigService } from './site-config';

/** Where a start at a site gets the site's configuration (SiteConfigService.resolveForStart). */
export type SiteStartSource = Pick<SiteConfigService, 'resolveForStart'>;

/** The site and configuration an execution starts with, and what its row records of them. */
export interface SiteStart {
  site: ExecutionSite;
  config: Record<string, unknown>;
  snapshot: ConfigSnapshot;
}

/**
 * Resolves the site's configuration once, for one start: the execution keeps it for its whole
 * life, so a later change never alters it.
 * @throws WeftError SITE_NOT_FOUND; CONFIG_INVALID (422) when the site is inactive or its configuration does not validate, with the errors
 */
export async function siteStart(source: SiteStartSource, siteId: string): Promise<SiteStart> {
  const resolved = await source.resolveForStart(siteId);
  if (!resolved.site.isActive) {
    throw new WeftError('CONFIG_INVALID', `site ${siteId} is inactive: it starts no executions`, { details: { site: siteId } });
  }
  if (resolved.errors.length > 0) {
    throw new WeftError('CONFIG_INVALID', `the configuration of site ${siteId} does not validate`, { issues: resolved.errors, details: { site: siteId } });
  }
  const { id, region, environment } = resolved.site;
  return {
    site: { id, region, environment },
    config: resolved.config,
    // Where each value came from is in the configuration history as of the start; the row keeps what the execution saw.
    snapshot: { site: { id, region, environment }, values: resolved.config, secretKeys: resolved.secretKeys, revision: resolved.revision },
  };
}
