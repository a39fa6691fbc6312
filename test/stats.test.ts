// The bench's statistics and the A/B verdict, on samples whose answers are known.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapInterval, cv, mean, median, quantileSorted, summarize } from "../bench/stats.ts";
import { analyzeAb, classify, verdictOf } from "../bench/verdict.ts";

describe("stats", () => {
  it("median, mean, quantiles", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(mean([1, 2, 3, 6]), 3);
    assert.equal(quantileSorted([10, 20, 30, 40, 50], 0.25), 20);
    assert.equal(quantileSorted([10, 20], 0.5), 15);
    assert.throws(() => median([]), RangeError);
  });

  it("cv is the sample standard deviation over the mean", () => {
    assert.equal(cv([5]), 0);
    assert.equal(cv([2, 2, 2]), 0);
    assert.ok(Math.abs(cv([1, 2, 3, 4]) - Math.sqrt(5 / 3) / 2.5) < 1e-12);
  });

  it("summarize", () => {
    assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, cv: 0.5, n: 3 });
  });

  it("bootstrap interval: contains the median, is reproducible, collapses on constant samples", () => {
    const xs = Array.from({ length: 30 }, (_, i) => 100 + ((i * 37) % 11));
    const [lo, hi] = bootstrapInterval(xs, median, { iterations: 2000 });
    assert.ok(lo <= median(xs) && median(xs) <= hi);
    assert.deepEqual(bootstrapInterval(xs, median, { iterations: 2000 }), [lo, hi]);
    assert.deepEqual(bootstrapInterval([7, 7, 7], median), [7, 7]);
  });
});

describe("A/B verdict", () => {
  it("classifies a change at the ±1% thresholds", () => {
    assert.equal(classify(0.01), "GO");
    assert.equal(classify(0.0099), "NEUTRAL");
    assert.equal(classify(-0.0099), "NEUTRAL");
    assert.equal(classify(-0.01), "NO-GO");
  });

  it("an interval that straddles a threshold is inconclusive", () => {
    assert.equal(verdictOf(0.012, 0.05), "GO");
    assert.equal(verdictOf(-0.004, 0.006), "NEUTRAL");
    assert.equal(verdictOf(-0.05, -0.02), "NO-GO");
    assert.equal(verdictOf(0.005, 0.02), "INCONCLUSIVE");
    assert.equal(verdictOf(-0.02, 0.02), "INCONCLUSIVE");
  });

  // Synthetic paired runs: machine drift common to both sides, small independent noise.
  const drift = [1.0, 0.97, 1.03, 0.99, 1.01, 0.96, 1.02, 1.0, 0.98, 1.04, 1.0, 0.99];
  const noise = (i: number, k: number): number => 1 + (((i * 7 + k * 13) % 5) - 2) * 0.001;
  const a = drift.map((d, i) => 50e6 * d * noise(i, 0));

  it("identical configurations: NEUTRAL", () => {
    const r = analyzeAb(a, drift.map((d, i) => 50e6 * d * noise(i, 1)));
    assert.equal(r.verdict, "NEUTRAL");
    assert.ok(Math.abs(r.medianDelta) < 0.005);
  });

  it("B 5% faster: GO; 5% slower: NO-GO", () => {
    assert.equal(analyzeAb(a, drift.map((d, i) => 52.5e6 * d * noise(i, 1))).verdict, "GO");
    assert.equal(analyzeAb(a, drift.map((d, i) => 47.5e6 * d * noise(i, 1))).verdict, "NO-GO");
  });

  it("B 1% faster with ±3% noise: INCONCLUSIVE", () => {
    const r = analyzeAb(a, a.map((x, i) => x * 1.01 * (1 + (((i * 5) % 7) - 3) * 0.01)));
    assert.equal(r.verdict, "INCONCLUSIVE");
  });

  it("rejects unpaired samples", () => {
    assert.throws(() => analyzeAb([1, 2], [1]), RangeError);
  });
});
