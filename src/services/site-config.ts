/**
 * A site's effective configuration: every parameter resolved site → parent sites → region →
 * global → default, with provenance, from three indexed queries sent at once (the site chain,
 * the parameters, the values that may apply). `resolveForStart` is what an execution start records.
 */
import type { WeftDb } from '../db/client';
import { configRevisionNow } from '../db/repositories/config';
import type { ChainSite } from '../db/repositories/sites';
import type { ConfigType, SiteEnvironment } from '../db/schema';
import { SECRET_MASK } from '../domain/config-changes';
import { loadEffective } from '../domain/site-effective';
import { configErrors, type ConfigError, type EffectiveValue, type ValueSource } from '../domain/config-resolution';
import type { SecretBox } from '../domain/secret-box';
import { parameterNotFound } from './config-parameters';
import { siteNotFound } from './sites';

/** One parameter's effective value as the API shows it (secrets as `***`). */
export interface EffectiveView {
  key: string;
  name: string;
  type: ConfigType;
  category: string | null;
  secret: boolean;
  isSet: boolean;
  value: unknown;
  scope: EffectiveValue['scope'];
  source: ValueSource | null;
  inheritedFrom: ValueSource | null;
  overriddenAt: ValueSource | null;
  setBy: string | null;
  setAt: Date | null;
  etag: string | null;
  reason: string | null;
  shadowed: EffectiveValue['shadowed'];
}

/** Where one start's configuration value came from. */
export interface StartProvenance {
  scope: EffectiveValue['scope'];
  source: ValueSource | null;
  setBy: string | null;
  setAt: string | null;
  etag: string | null;
}

/** What an execution start at a site records. */
export interface StartConfig {
  site: { id: string; name: string; region: string; environment: SiteEnvironment; timeZone: string; isActive: boolean };
  /** The effective values of non-secret parameters that have one (defaults included). */
  config: Record<string, unknown>;
  /** Secret parameters that have a value: connectors may use them; expressions never see them. */
  secretKeys: string[];
  provenance: Record<string, StartProvenance>;
  /** Why the configuration does not validate; empty when it does. */
  errors: ConfigError[];
  /** The configuration revision it was resolved at (or after). */
  revision: number;
}

/** Sites whose resolved start configuration one process keeps. */
const CACHED_SITES = 5_000;

function view(e: EffectiveValue): EffectiveView {
  const secret = e.parameter.secret;
  return {
    key: e.key,
    name: e.parameter.name,
    type: e.parameter.type,
    category: e.parameter.category,
    secret,
    isSet: e.isSet,
    value: secret ? (e.isSet ? SECRET_MASK : null) : e.value,
    scope: e.scope,
    source: e.source,
    inheritedFrom: e.inheritedFrom,
    overriddenAt: e.overriddenAt,
    setBy: e.setBy,
    setAt: e.setAt,
    etag: e.etag,
    reason: e.reason,
    shadowed: e.shadowed,
  };
}

export class SiteConfigService {
  /** Resolved starts by site, each valid while the configuration revision it was read at stands. */
  private readonly starts = new Map<string, StartConfig>();

  constructor(
    private readonly db: WeftDb,
    private readonly box: SecretBox,
  ) {}

  /**
   * The site's chain and every parameter's effective value: three indexed queries sent at once
   * (the chain, the parameters, the values that may apply), so one round trip's latency.
   * @throws WeftError SITE_NOT_FOUND
   */
  private async load(siteId: string): Promise<{ chain: ChainSite[]; effective: EffectiveValue[] }> {
    const loaded = await loadEffective(this.db, siteId);
    if (!loaded) throw siteNotFound(siteId);
    return loaded;
  }

  private open = (sealed: string): unknown => this.box.open(sealed).value;

  /** Every parameter's effective value at the site, with provenance. @throws WeftError SITE_NOT_FOUND */
  async effective(siteId: string): Promise<{ siteId: string; region: string; chain: string[]; items: EffectiveView[] }> {
    const { chain, effective } = await this.load(siteId);
    const site = chain[0] as ChainSite;
    return { siteId, region: site.region, chain: chain.map((s) => s.id), items: effective.map(view) };
  }

  /** One parameter's effective value at the site. @throws WeftError SITE_NOT_FOUND, CONFIG_PARAMETER_NOT_FOUND */
  async effectiveKey(siteId: string, key: string): Promise<EffectiveView> {
    const { effective } = await this.load(siteId);
    const found = effective.find((e) => e.key === key);
    if (!found) throw parameterNotFound(key);
    return view(found);
  }

  /**
   * Whether the site's effective configuration validates: required parameters set at their
   * level, every value of its type, among its options and matching its schema.
   * @throws WeftError SITE_NOT_FOUND
   */
  async validate(siteId: string): Promise<{ valid: boolean; errors: ConfigError[] }> {
    const { effective } = await this.load(siteId);
    const errors = configErrors(effective, this.open);
    return { valid: errors.length === 0, errors };
  }

  /**
   * The site and its effective configuration as an execution start records them: non-secret
   * values only (secret keys listed apart), each value's provenance, and the validation errors
   * (the caller refuses the start when there are any, or when the site is inactive).
   * @throws WeftError SITE_NOT_FOUND (404)
   */
  async resolveForStart(siteId: string): Promise<StartConfig> {
    // Read before resolving: a change committed meanwhile makes the entry newer than its
    // revision, never older, and the next start sees the revision move.
    const revision = await configRevisionNow(this.db);
    const cached = this.starts.get(siteId);
    if (cached?.revision === revision) return cached;
    const resolved = await this.resolveFresh(siteId, revision);
    this.starts.delete(siteId);
    if (this.starts.size >= CACHED_SITES) this.starts.delete(this.starts.keys().next().value as string);
    this.starts.set(siteId, resolved);
    return resolved;
  }

  /** resolveForStart without the per-process cache: every query and check, every time. */
  async resolveFresh(siteId: string, revision?: number): Promise<StartConfig> {
    revision ??= await configRevisionNow(this.db);
    const { chain, effective } = await this.load(siteId);
    const site = chain[0] as ChainSite;
    const config: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    const provenance: Record<string, StartProvenance> = {};
    for (const e of effective) {
      if (!e.isSet) continue;
      if (e.parameter.secret) secretKeys.push(e.key);
      else config[e.key] = e.value;
      provenance[e.key] = { scope: e.scope, source: e.source, setBy: e.setBy, setAt: e.setAt?.toISOString() ?? null, etag: e.etag };
    }
    return {
      site: { id: site.id, name: site.name, region: site.region, environment: site.environment, timeZone: site.timeZone, isActive: site.isActive },
      config,
      secretKeys,
      provenance,
      errors: configErrors(effective, this.open),
      revision,
    };
  }
}
