import { bumpSemver, compareSemver, formatSemver, isSemver, parseSemver, WeftError } from '../../../src/graph';

describe('parseSemver / isSemver', () => {
  it('parses all parts', () => {
    expect(parseSemver('1.2.3-rc.1+build.7')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', '1'], build: ['build', '7'] });
    expect(parseSemver('0.0.0')).toEqual({ major: 0, minor: 0, patch: 0, prerelease: [], build: [] });
    expect(formatSemver(parseSemver('1.2.3-rc.1+build.7'))).toBe('1.2.3-rc.1+build.7');
  });

  it.each(['1', '1.2', 'v1.2.3', '01.2.3', '1.2.3-', '1.2.3-01', '1.2.3+', ' 1.2.3', '1.2.3.4', ''])('refuses %j', (v) => {
    expect(isSemver(v)).toBe(false);
    expect(() => parseSemver(v)).toThrow(WeftError);
  });

  it('refuses non-strings', () => {
    expect(isSemver(123)).toBe(false);
  });
});

describe('compareSemver', () => {
  it('orders by precedence', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '1.10.0',
      '2.0.0',
    ];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect(compareSemver(ordered[i] as string, ordered[i + 1] as string)).toBe(-1);
      expect(compareSemver(ordered[i + 1] as string, ordered[i] as string)).toBe(1);
    }
    expect([...ordered].reverse().sort(compareSemver)).toEqual(ordered);
  });

  it('ignores build metadata', () => {
    expect(compareSemver('1.0.0+a', '1.0.0+b')).toBe(0);
  });

  it('throws on invalid input', () => {
    expect(() => compareSemver('1.0', '1.0.0')).toThrow(/Invalid semantic version/);
  });
});

describe('bumpSemver', () => {
  it.each([
    ['1.4.2', 'major', '2.0.0'],
    ['1.4.2', 'minor', '1.5.0'],
    ['1.4.2', 'patch', '1.4.3'],
    ['1.4.2+b.1', 'patch', '1.4.3'],
    ['2.0.0-rc.1', 'major', '2.0.0'],
    ['1.5.0-rc.1', 'minor', '1.5.0'],
    ['1.5.1-rc.1', 'minor', '1.6.0'],
    ['1.5.1-rc.1', 'patch', '1.5.1'],
    ['0.0.0', 'patch', '0.0.1'],
  ] as const)('%s %s → %s', (v, part, expected) => {
    expect(bumpSemver(v, part)).toBe(expected);
  });

  it('refuses unknown parts and invalid versions', () => {
    expect(() => bumpSemver('1.0.0', 'huge' as never)).toThrow(/Unknown version part/);
    expect(() => bumpSemver('one', 'patch')).toThrow(WeftError);
  });
});
