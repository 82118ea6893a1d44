/**
 * Semantic versions (semver 2.0.0) of workflow definitions: parse, compare, bump.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
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

// The regular expression published at semver.org (numeric parts without leading zeros).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * Parses `MAJOR.MINOR.PATCH[-prerelease][+build]` (no leading `v`).
 *
 * @throws WeftError `VALIDATION_ERROR` when the text is not a semantic version or a part is
 *   beyond `Number.MAX_SAFE_INTEGER`.
 */
export function parseSemver(version: string): SemVer {
  const m = typeof version === 'string' ? SEMVER.exec(version) : null;
  if (!m) {
    throw new WeftError('VALIDATION_ERROR', `Invalid semantic version "${String(version)}" (expected e.g. "1.2.3")`);
  }
  const [, major, minor, patch, prerelease, build] = m;
  const parts = [Number(major), Number(minor), Number(patch)] as const;
  if (!parts.every(Number.isSafeInteger)) {
    throw new WeftError('VALIDATION_ERROR', `Semantic version "${version}" has a part that is too large`);
  }
  return {
    major: parts[0],
    minor: parts[1],
    patch: parts[2],
    prerelease: prerelease ? prerelease.split('.') : [],
    build: build ? build.split('.') : [],
  };
}

/** True when {@link parseSemver} accepts the text. */
export function isSemver(version: unknown): version is string {
  if (typeof version !== 'string') return false;
  try {
    parseSemver(version);
    return true;
  } catch {
    return false;
  }
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
  const x = parseSemver(a);
  const y = parseSemver(b);
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (x[key] !== y[key]) return x[key] < y[key] ? -1 : 1;
  }
  return comparePrerelease(x.prerelease, y.prerelease);
}

function comparePrerelease(a: string[], b: string[]): -1 | 0 | 1 {
  if (a.length === 0 || b.length === 0) {
    if (a.length === b.length) return 0;
    return a.length === 0 ? 1 : -1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) return Number(x) < Number(y) ? -1 : 1;
    if (xNum !== yNum) return xNum ? -1 : 1;
    return x < y ? -1 : 1;
  }
  if (a.length === b.length) return 0;
  return a.length < b.length ? -1 : 1;
}

/**
 * The next version after `version` for a change of the given size: `1.4.2` → `2.0.0` (major),
 * `1.5.0` (minor), `1.4.3` (patch). As with npm, bumping a prerelease to the release it leads
 * to keeps the numbers (`2.0.0-rc.1` major → `2.0.0`). Build metadata is dropped.
 *
 * @throws WeftError `VALIDATION_ERROR` when `version` is not a semantic version or `part` is unknown.
 */
export function bumpSemver(version: string, part: SemverPart): string {
  const v = parseSemver(version);
  const pre = v.prerelease.length > 0;
  switch (part) {
    case 'major':
      return pre && v.minor === 0 && v.patch === 0 ? `${v.major}.0.0` : `${v.major + 1}.0.0`;
    case 'minor':
      return pre && v.patch === 0 ? `${v.major}.${v.minor}.0` : `${v.major}.${v.minor + 1}.0`;
    case 'patch':
      return pre ? `${v.major}.${v.minor}.${v.patch}` : `${v.major}.${v.minor}.${v.patch + 1}`;
    default:
      throw new WeftError('VALIDATION_ERROR', `Unknown version part "${String(part)}" (expected major, minor or patch)`);
  }
}
