/**
 * Resolution of a site's effective configuration: site → parent sites → region → global →
 * default, with where each value came from and which requirements are not met. Pure: the
 * caller loads the site chain and the values (two queries) and hands in how to open a secret.
 */
import type { ValidationIssue } from '../graph/errors';
import type { ResolvableValue } from '../db/repositories/config';
import type { ConfigParameterRow, ConfigScope } from '../db/schema';
import { checkValue, keyPath } from './config-rules';

/** A stored value, as resolution needs it (the columns valuesForSite reads). */
export type StoredValue = ResolvableValue;

/** Where a value is set: `site:<id>`, `region:<name>`, `global`, `default`. */
export type ValueSource = string;

/** One parameter's effective value and its provenance. */
export interface EffectiveValue {
  key: string;
  parameter: ConfigParameterRow;
  /** False when no scope sets it and it has no default. */
  isSet: boolean;
  /** The value, or the sealed text of a secret one (never shown: views replace it). */
  value: unknown;
  sealed: string | null;
  /** `site` (the site or a parent site), `region`, `global`, `default`; null when unset. */
  scope: ConfigScope | 'default' | null;
  /** Where the value is set. */
  source: ValueSource | null;
  /** `source` when it is not the site's own value. */
  inheritedFrom: ValueSource | null;
  /** `source` when the value overrides the global value or the default, i.e. a site or region set it. */
  overriddenAt: ValueSource | null;
  setBy: string | null;
  setAt: Date | null;
  etag: string | null;
  reason: string | null;
  /** Less specific values this one hides, most specific first. */
  shadowed: Array<{ source: ValueSource; setBy: string; setAt: Date }>;
}

/** One reason a site's configuration does not validate. */
export interface ConfigError extends ValidationIssue {
  key: string;
  code: 'missing_required' | 'wrong_type' | 'schema' | 'unknown_option';
  /** Where the offending value is set (absent for a missing one). */
  source?: ValueSource;
}

/** The site and its chain as resolution needs them: the site first, then its parents up. */
export interface SiteChain {
  siteIds: string[];
  region: string;
}

function sourceOf(v: StoredValue): ValueSource {
  return v.scope === 'global' ? 'global' : `${v.scope}:${v.scopeId}`;
}

/** Candidates for one key in precedence order: the chain's sites, the region, global. */
function ordered(values: StoredValue[], chain: SiteChain): StoredValue[] {
  const rank = (v: StoredValue): number => {
    if (v.scope === 'site') {
      const i = chain.siteIds.indexOf(v.scopeId);
      return i < 0 ? Number.POSITIVE_INFINITY : i;
    }
    if (v.scope === 'region') return v.scopeId === chain.region ? chain.siteIds.length : Number.POSITIVE_INFINITY;
    return chain.siteIds.length + 1;
  };
  return values
    .map((v) => ({ v, r: rank(v) }))
    .filter((x) => Number.isFinite(x.r))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.v);
}

/** Effective values of every parameter for the site whose chain is `chain`. */
export function resolveEffective(parameters: ConfigParameterRow[], values: StoredValue[], chain: SiteChain): EffectiveValue[] {
  const byKey = new Map<string, StoredValue[]>();
  for (const v of values) {
    const list = byKey.get(v.key);
    if (list) list.push(v);
    else byKey.set(v.key, [v]);
  }
  const siteId = chain.siteIds[0];
  // Objects written out in full, not spread from a shared base: V8 builds a spread-and-extend
  // literal on a slow path, which made this loop over 200 parameters cost milliseconds.
  return parameters.map((parameter): EffectiveValue => {
    const [winner, ...rest] = ordered(byKey.get(parameter.key) ?? [], chain);
    const shadowed = rest.map((v) => ({ source: sourceOf(v), setBy: v.setBy, setAt: v.setAt }));
    if (winner) {
      const source = sourceOf(winner);
      return {
        key: parameter.key,
        parameter,
        shadowed,
        isSet: true,
        value: winner.value,
        sealed: winner.sealed,
        scope: winner.scope,
        source,
        inheritedFrom: winner.scope === 'site' && winner.scopeId === siteId ? null : source,
        overriddenAt: winner.scope === 'global' ? null : source,
        setBy: winner.setBy,
        setAt: winner.setAt,
        etag: winner.etag,
        reason: winner.reason,
      };
    }
    const hasDefault = parameter.defaultValue !== null && parameter.defaultValue !== undefined;
    return {
      key: parameter.key,
      parameter,
      shadowed,
      isSet: hasDefault,
      value: hasDefault ? parameter.defaultValue : null,
      sealed: null,
      scope: hasDefault ? 'default' : null,
      source: hasDefault ? 'default' : null,
      inheritedFrom: hasDefault ? 'default' : null,
      overriddenAt: null,
      setBy: null,
      setAt: null,
      etag: null,
      reason: null,
    };
  });
}

/** Whether the effective value meets the parameter's `requiredAtLevel` (defaults never do). */
function meetsRequirement(e: EffectiveValue): boolean {
  switch (e.parameter.requiredAtLevel) {
    case null:
      return true;
    case 'site':
      return e.scope === 'site';
    case 'regional':
      return e.scope === 'site' || e.scope === 'region';
    case 'global':
      return e.scope === 'site' || e.scope === 'region' || e.scope === 'global';
  }
}

/**
 * Every reason the effective configuration does not validate: a required parameter not set at
 * its level (or below), a value of the wrong type, an unknown select option, a JSON Schema
 * error (values are checked again: a parameter's rules may have changed since they were set).
 * `open` gives the clear value of a secret.
 */
export function configErrors(effective: EffectiveValue[], open: (sealed: string) => unknown): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const e of effective) {
    const path = keyPath(e.key);
    if (!meetsRequirement(e)) {
      const level = e.parameter.requiredAtLevel as string;
      errors.push({ key: e.key, path, code: 'missing_required', message: `${e.key} must be set at the ${level} level or below` });
      continue;
    }
    if (!e.isSet) continue;
    const value = e.sealed !== null ? open(e.sealed) : e.value;
    for (const issue of checkValue(e.parameter, value, path)) {
      errors.push({ ...issue, key: e.key, code: issue.code as ConfigError['code'], ...(e.source ? { source: e.source } : {}) });
    }
  }
  return errors;
}
