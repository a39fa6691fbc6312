// The few statistics the bench reports: median, min, max, CV, and a bootstrap confidence interval
// (percentile method, seeded so a report can be reproduced).
import { splitmix32 } from "./tables.ts";

function sorted(xs: readonly number[]): number[] {
  if (xs.length === 0) throw new RangeError("no samples");
  return [...xs].sort((a, b) => a - b);
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted samples, linearly interpolated. */
export function quantileSorted(s: readonly number[], q: number): number {
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

export function median(xs: readonly number[]): number {
  return quantileSorted(sorted(xs), 0.5);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("no samples");
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Coefficient of variation: sample standard deviation / mean (0 for a single sample). */
export function cv(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(variance) / m;
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly cv: number;
  readonly n: number;
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  return { median: quantileSorted(s, 0.5), min: s[0], max: s[s.length - 1], cv: cv(xs), n: xs.length };
}

/**
 * Bootstrap percentile interval of `statistic` over `samples`: resample with replacement
 * `iterations` times and take the (1 − level)/2 and (1 + level)/2 quantiles.
 */
export function bootstrapInterval(
  samples: readonly number[],
  statistic: (xs: readonly number[]) => number,
  { level = 0.95, iterations = 10000, seed = 1 }: { level?: number; iterations?: number; seed?: number } = {},
): [number, number] {
  if (samples.length === 0) throw new RangeError("no samples");
  const rng = splitmix32(seed);
  const n = samples.length;
  const resample = new Array<number>(n);
  const stats = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < n; k++) resample[k] = samples[Math.floor((rng() * n) / 4294967296)];
    stats[i] = statistic(resample);
  }
  stats.sort((a, b) => a - b);
  return [quantileSorted(stats, (1 - level) / 2), quantileSorted(stats, (1 + level) / 2)];
}
