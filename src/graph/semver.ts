/**
 * Semantic versions (semver 2.0.0) of workflow definitions: parse, compare, bump — the one
 * implementation, on the `semver` package, for the API, the services and the repositories.
 *
 * Pure: imported by code that workflows import too, so no Node APIs here (`semver` has none).
 */
import { SemVer as ParsedSemver, compare } from 'semver';
import { WeftError } from './errors';

/** A parsed semantic version. `prerelease` and `build` are the dot-separated identifiers. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string[];
}

/** Which part of a version {@link bumpSemver} increments. */
export type SemverPart = 'major' | 'minor' | 'patch';

function strict(version: unknown): ParsedSemver | undefined {
  // The package tolerates a leading `v` or `=` and surrounding blanks; a stored version is exact.
  if (typeof version !== 'string' || !/^\d/.test(version) || version.trim() !== version) return undefined;
  try {
    return new ParsedSemver(version);
  } catch {
    return undefined; // not semver, or a part beyond Number.MAX_SAFE_INTEGER
  }
}

/**
 * Parses `MAJOR.MINOR.PATCH[-prerelease][+build]` (no leading `v`).
 *
 * @throws WeftError `VALIDATION_ERROR` when the text is not a semantic version or a part is
 *   beyond `Number.MAX_SAFE_INTEGER`.
 */
export function parseSemver(version: string): SemVer {
  const v = strict(version);
  if (!v) throw new WeftError('VALIDATION_ERROR', `Invalid semantic version "${String(version)}" (expected e.g. "1.2.3")`);
  return { major: v.major, minor: v.minor, patch: v.patch, prerelease: v.prerelease.map(String), build: [...v.build] };
}

/** True when {@link parseSemver} accepts the text. */
export function isSemver(version: unknown): version is string {
  return strict(version) !== undefined;
}

/** Formats a parsed version back to text. */
export function formatSemver(v: SemVer): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
  const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

/**
 * Orders two versions by semver precedence: -1 when `a` comes first, 1 when `b` does, 0 when
 * equal. A prerelease sorts before its release; build metadata is ignored.
 *
 * @throws WeftError `VALIDATION_ERROR` when either is not a semantic version.
 */
export function compareSemver(a: string, b: string): -1 | 0 | 1 {
  parseSemver(a);
  parseSemver(b);
  return compare(a, b);
}

/**
 * {@link compareSemver} for ordering stored rows: a version that is not semver (Weft never
 * writes one, but a row may come from elsewhere) sorts below every semver, by text.
 */
export function compareStoredVersions(a: string, b: string): number {
  const [sa, sb] = [isSemver(a), isSemver(b)];
  if (sa && sb) return compare(a, b);
  if (sa !== sb) return sa ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The next version after `version` for a change of the given size: `1.4.2` → `2.0.0` (major),
 * `1.5.0` (minor), `1.4.3` (patch). As with npm, bumping a prerelease to the release it leads
 * to keeps the numbers (`2.0.0-rc.1` major → `2.0.0`). Build metadata is dropped.
 *
 * @throws WeftError `VALIDATION_ERROR` when `version` is not a semantic version or `part` is unknown.
 */
export function bumpSemver(version: string, part: SemverPart): string {
  const v = strict(version);
  if (!v) throw new WeftError('VALIDATION_ERROR', `Invalid semantic version "${String(version)}" (expected e.g. "1.2.3")`);
  if (part !== 'major' && part !== 'minor' && part !== 'patch') {
    throw new WeftError('VALIDATION_ERROR', `Unknown version part "${String(part)}" (expected major, minor or patch)`);
  }
  return v.inc(part).version;
}
