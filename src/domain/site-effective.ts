/**
 * A site's chain and every parameter's effective value at it, from three indexed queries sent at
 * once (the chain, the parameters, the values that may apply): what the API's site
 * configuration and a rollout's deployment activity both read.
 */
import type { WeftDb } from '../db/client';
import { listParameters, valuesForSite } from '../db/repositories/config';
import { MAX_SITE_DEPTH, siteChain, type ChainSite } from '../db/repositories/sites';
import { configErrors, resolveEffective, type ConfigError, type EffectiveValue } from './config-resolution';
import type { SecretBox } from './secret-box';

/** The site's chain (the site first) and its effective values; undefined when there is no such site. */
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
