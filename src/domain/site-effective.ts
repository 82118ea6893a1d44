/**
 * Loading a site's effective configuration (the chain, the parameters, the values that may apply:
 * three indexed queries sent at once) for the API's views and starts, a rollout's deployment
 * activity, and the activities that read one value at call time (connector secrets written
 * `$config:<key>`).
 */
import type { WeftDb } from '../db/client';
import { configRevisionNow, listParameters, valuesForSite } from '../db/repositories/config';
import { MAX_SITE_DEPTH, siteChain, type ChainSite } from '../db/repositories/sites';
import { configErrors, resolveEffective, type ConfigError, type EffectiveValue } from './config-resolution';
import type { SiteValueLookup } from './connectors/site-secrets';
import type { SecretBox } from './secret-box';

/** The site's chain (the site first, then its parents) and every parameter's effective value; undefined for an unknown site. */
export async function loadEffective(db: WeftDb, siteId: string): Promise<{ chain: ChainSite[]; effective: EffectiveValue[] } | undefined> {
  const [chain, parameters, values] = await Promise.all([siteChain(db, siteId), listParameters(db), valuesForSite(db, siteId, MAX_SITE_DEPTH)]);
  const site = chain[0];
  if (!site) return undefined;
  return { chain, effective: resolveEffective(parameters, values, { siteIds: chain.map((s) => s.id), region: site.region }) };
}

/** The non-secret values that are set (what an execution would see as `config.<key>`). */
export function visibleValues(effective: EffectiveValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of effective) if (e.isSet && !e.parameter.secret) out[e.key] = e.value;
  return out;
}

/** Why the effective configuration does not validate; empty when it does. */
export function effectiveErrors(effective: EffectiveValue[], box: SecretBox): ConfigError[] {
  return configErrors(effective, (sealed) => box.open(sealed).value);
}

/** Effective values at a site, secret ones opened, with the configuration revision read before them: one load for all keys. */
export function siteValueLookup(db: WeftDb, box: SecretBox): SiteValueLookup {
  return async (siteId, keys) => {
    const revision = await configRevisionNow(db);
    const wanted = new Set(keys);
    const values: Record<string, unknown> = {};
    for (const e of (await loadEffective(db, siteId))?.effective ?? []) {
      if (e.isSet && wanted.has(e.key)) values[e.key] = e.sealed ? box.open(e.sealed).value : e.value;
    }
    return { values, revision };
  };
}
