/**
 * The Mann–Whitney U test (Wilcoxon rank-sum), as automated canary judges use it to compare two
 * latency samples: it looks at ranks, not values, so a handful of huge outliers moves it no more
 * than a handful of slightly slower runs would. Normal approximation with the tie correction and
 * a continuity correction (what `scipy.stats.mannwhitneyu(method='asymptotic')` computes).
 */

/** Which way the test looks: `greater` asks whether `x` tends to be larger than `y`. */
export type Alternative = 'greater' | 'less' | 'two-sided';

export interface MannWhitneyResult {
  /** U of the first sample: how many (x, y) pairs have x > y, ties counting one half. */
  u: number;
  /** The standardised statistic (continuity-corrected). */
  z: number;
  pValue: number;
}

/** Average ranks (1-based) of `values`, ties sharing the mean of the ranks they span; and Σ(t³ − t) over tie groups. */
export function rankWithTies(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length).fill(0);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && (order[end + 1] as { v: number }).v === (order[start] as { v: number }).v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[(order[k] as { i: number }).i] = rank;
    const t = end - start + 1;
    tieTerm += t * t * t - t;
    start = end + 1;
  }
  return { ranks, tieTerm };
}

/**
 * Tests whether `x` and `y` come from the same distribution.
 * @throws Error when either sample is empty or holds a value that is not finite
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitneyU needs two non-empty samples');
  if (![...x, ...y].every(Number.isFinite)) throw new Error('mannWhitneyU needs finite values');
  const { ranks, tieTerm } = rankWithTies([...x, ...y]);
  const r1 = ranks.slice(0, n1).reduce((s, r) => s + r, 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  // Every value equal: no evidence either way.
  if (variance <= 0) return { u, z: 0, pValue: 1 };
  const sd = Math.sqrt(variance);
  const diff = u - mean;
  let z: number;
  let pValue: number;
  if (alternative === 'greater') {
    z = (diff - 0.5) / sd;
    pValue = normalSurvival(z);
  } else if (alternative === 'less') {
    z = (diff + 0.5) / sd;
    pValue = normalSurvival(-z);
  } else {
    z = (Math.abs(diff) - 0.5) / sd;
    pValue = Math.min(1, 2 * normalSurvival(z));
  }
  return { u, z, pValue };
}

/** P(Z > z) for a standard normal Z. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The complementary error function, by the Chebyshev fit of Numerical Recipes (`erfcc`):
 * relative error below 1.2e-7 everywhere, plenty for a p-value.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The `q`-quantile (0…1) of `values` by linear interpolation between closest ranks (numpy's default); null when empty. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}
