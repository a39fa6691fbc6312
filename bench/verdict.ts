// hakmem's A/B verdict: GO (≥ +1%), NEUTRAL (within ±1%), NO-GO (≤ −1%), decided on the whole
// 95% interval of the median B/A ratio; an interval that straddles a threshold is INCONCLUSIVE.
import { bootstrapInterval, mean, median } from "./stats.ts";

export type Verdict = "GO" | "NEUTRAL" | "NO-GO" | "INCONCLUSIVE";
export const THRESHOLD = 0.01;

/** The class of a relative change (B/A − 1). */
export function classify(delta: number, threshold = THRESHOLD): Exclude<Verdict, "INCONCLUSIVE"> {
  return delta >= threshold ? "GO" : delta <= -threshold ? "NO-GO" : "NEUTRAL";
}

/** The verdict for an interval [lo, hi] of B/A − 1: its class when both ends agree. */
export function verdictOf(lo: number, hi: number, threshold = THRESHOLD): Verdict {
  const a = classify(lo, threshold);
  return a === classify(hi, threshold) ? a : "INCONCLUSIVE";
}

export interface AbAnalysis {
  /** Mean of the per-pair changes B/A − 1. */
  readonly meanDelta: number;
  /** Median of the per-pair changes B/A − 1. */
  readonly medianDelta: number;
  /** Bootstrap 95% interval of the median change. */
  readonly ci: readonly [number, number];
  /** The class of the median alone (what a single estimate would say). */
  readonly pointVerdict: Exclude<Verdict, "INCONCLUSIVE">;
  readonly verdict: Verdict;
}

/** Analyses per-pair relative changes B/A − 1. */
export function analyzeDeltas(deltas: readonly number[], threshold = THRESHOLD): AbAnalysis {
  if (deltas.length === 0) throw new RangeError("no pairs");
  const medianDelta = median(deltas);
  const [lo, hi] = bootstrapInterval(deltas, median);
  return { meanDelta: mean(deltas), medianDelta, ci: [lo, hi], pointVerdict: classify(medianDelta, threshold), verdict: verdictOf(lo, hi, threshold) };
}

/** Analyses paired throughputs (a[i] and b[i] measured back to back). Higher is better. */
export function analyzeAb(a: readonly number[], b: readonly number[], threshold = THRESHOLD): AbAnalysis {
  if (a.length !== b.length || a.length === 0) throw new RangeError("a and b must be non-empty and paired");
  return analyzeDeltas(a.map((x, i) => b[i] / x - 1), threshold);
}
