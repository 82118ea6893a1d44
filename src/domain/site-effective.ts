/**
 * Loading a site's effective configuration (the chain, the parameters, the values that may apply:
 * three indexed queries sent at once) for the API's views and starts and for the activities that
 * read one value at call time (connector secrets written `$config:<key>`).
 */
import type { WeftDb } from '../db/client';
import { configRevisionNow, listParameters, valuesForSite } from '../db/repositories/config';
import { MAX_SITE_DEPTH, siteChain, type ChainSite } from '../db/repositories/sites';
import { resolveEffective, type EffectiveValue } from './config-resolution';
import type { SiteValueLookup } from './connectors/site-secrets';
import type { SecretBox } from './secret-box';

/** The site's chain (the site first, then its parents) and every parameter's effective value; undefined for an unknown site. */
export async function loadEffective(db: WeftDb, siteId: string): Promise<{ chain: ChainSite[]; effective: EffectiveValue[] } | undefined> {
  const [chain, parameters, values] = await Promise.all([siteChain(db, siteId), listParameters(db), valuesForSite(db, siteId, MAX_SITE_DEPTH)]);
  const site = chain[0];
  if (!site) return undefined;
  return { chain, effective: resolveEffective(parameters, values, { siteIds: chain.map((s) => s.id), region: site.region }) };
}

/** One effective value at a site, a secret one opened, with the configuration revision read before it. */
export function siteValueLookup(db: WeftDb, box: SecretBox): SiteValueLookup {
  return async (siteId, key) => {
    const revision = await configRevisionNow(db);
    const found = (await loadEffective(db, siteId))?.effective.find((e) => e.key === key);
    if (!found?.isSet) return undefined;
    return { value: found.sealed ? box.open(found.sealed).value : found.value, revision };
  };
}
