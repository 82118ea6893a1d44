/**
 * Whether a site's configuration validates, as the worker checks it before pointing a site at a
 * version (a deployment or a rollback): the same resolution and rules as a start at the site.
 */
import type { WeftDb } from '../db/client';
import { listParameters, valuesForSite } from '../db/repositories/config';
import { MAX_SITE_DEPTH, siteChain } from '../db/repositories/sites';
import { configErrors, resolveEffective, type ConfigError } from './config-resolution';
import type { SecretBox } from './secret-box';

/** The site's configuration errors (empty when it validates); undefined when the site does not exist. */
export async function siteConfigErrors(db: WeftDb, box: SecretBox, siteId: string): Promise<ConfigError[] | undefined> {
  const [chain, parameters, values] = await Promise.all([siteChain(db, siteId), listParameters(db), valuesForSite(db, siteId, MAX_SITE_DEPTH)]);
  const site = chain[0];
  if (!site) return undefined;
  const effective = resolveEffective(parameters, values, { siteIds: chain.map((s) => s.id), region: site.region });
  return configErrors(effective, (sealed) => box.open(sealed).value);
}
