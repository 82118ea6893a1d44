import { erfc, mannWhitneyU, quantile, rankWithTies } from '../../../src/domain/mann-whitney';

describe('Mann–Whitney U (normal approximation, tie and continuity corrected)', () => {
  test('matches the scipy documentation example (males vs females, asymptotic)', () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.u).toBe(17);
    // scipy.stats.mannwhitneyu(males, females, method="asymptotic").pvalue
    expect(r.pValue).toBeCloseTo(0.11134688653314041, 6);
    // z = (|17 − 10| − 0.5) / sqrt(5·4·10/12)
    expect(r.z).toBeCloseTo(1.5921683328090657, 9);
  });

  test('two fully separated samples of three', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(0);
    // scipy: mannwhitneyu([1,2,3],[4,5,6], method="asymptotic").pvalue = 0.08085551657571322
    expect(r.pValue).toBeCloseTo(0.0808555, 6);
  });

  test('one-sided alternatives split the two-sided p-value by direction', () => {
    const slower = [120, 130, 125, 140, 135, 150];
    const base = [100, 105, 98, 110, 102, 99];
    const greater = mannWhitneyU(slower, base, 'greater');
    const less = mannWhitneyU(slower, base, 'less');
    expect(greater.u).toBe(36);
    expect(greater.pValue).toBeLessThan(0.01);
    expect(less.pValue).toBeGreaterThan(0.99);
    expect(greater.pValue).toBeCloseTo(mannWhitneyU(slower, base).pValue / 2, 12);
  });

  test('ties share their mean rank and shrink the variance', () => {
    // x = [1, 2, 2], y = [2, 3, 4]: ranks 1, 3, 3 | 3, 5, 6 (three 2s share rank 3).
    const { ranks, tieTerm } = rankWithTies([1, 2, 2, 2, 3, 4]);
    expect(ranks).toEqual([1, 3, 3, 3, 5, 6]);
    expect(tieTerm).toBe(24);
    const r = mannWhitneyU([1, 2, 2], [2, 3, 4]);
    // U = 7 − 6 = 1; var = 9/12 · (7 − 24/30) = 4.65; z = (|1 − 4.5| − 0.5)/sqrt(4.65)
    expect(r.u).toBe(1);
    expect(r.z).toBeCloseTo(3 / Math.sqrt(4.65), 12);
    expect(r.pValue).toBeCloseTo(2 * 0.5 * erfc(3 / Math.sqrt(4.65) / Math.SQRT2), 12);
  });

  test('identical samples give no evidence', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5]).pValue).toBe(1);
  });

  test('a handful of huge outliers moves it no more than a handful of slightly slower runs', () => {
    const base = Array.from({ length: 30 }, (_, i) => 100 + (i % 10));
    const same = Array.from({ length: 30 }, (_, i) => 100 + ((i + 3) % 10));
    const outliers = [...same.slice(0, 27), 50_000, 80_000, 120_000];
    const slightlySlower = [...same.slice(0, 27), 110, 111, 112];
    const withOutliers = mannWhitneyU(outliers, base, 'greater');
    expect(withOutliers.pValue).toBeGreaterThan(0.05);
    expect(withOutliers.pValue).toBeCloseTo(mannWhitneyU(slightlySlower, base, 'greater').pValue, 12);
  });

  test('refuses empty or non-finite samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/non-empty/);
    expect(() => mannWhitneyU([Number.NaN], [1])).toThrow(/finite/);
  });
});

describe('helpers', () => {
  test('erfc at known points', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 7);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 7);
  });

  test('quantiles interpolate linearly between closest ranks', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 10);
  });
});
