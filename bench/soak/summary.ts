// What a soak comes to (hakmem's soak method): throughput's mean and CV over the epochs, the tail
// of per-epoch latency (1e9 / ops per second, ns per operation, as hakmem reports it), drift of
// footprint and RSS from the first 10% of epochs to the last 10%, and the buffer growths per 1e8
// operations once the first 10% (the warm-up) is over — hakmem's syscall budget, where one
// growth of the buffer stands for one mmap.
import { cv, mean, quantileSorted } from "../stats.ts";
import type { Epoch } from "./epochs.ts";

/** The goals: no footprint drift, RSS drift ≤ 2%, ≤ 1 growth per 1e8 operations. */
export const GOALS = { footprintDriftPercent: 0, rssDriftPercent: 2, growthsPer1e8Ops: 1 } as const;

export interface SoakSummary {
  readonly epochs: number;
  readonly ops: number;
  readonly seconds: number;
  readonly meanOpsPerSec: number;
  /** Of the epochs' ops per second, as a fraction. */
  readonly cv: number;
  readonly latencyNs: { readonly p50: number; readonly p99: number };
  /** Epochs in each of the two windows the drifts compare (10% of them, at least 1). */
  readonly windowEpochs: number;
  /** Means over the first and the last window, and the relative change between them (%). */
  readonly footprint: Drift;
  readonly rss: Drift;
  readonly growths: {
    readonly total: number;
    /** In the epochs after the first window. */
    readonly afterWarmup: number;
    readonly opsAfterWarmup: number;
    /** null when no epoch follows the warm-up. */
    readonly per1e8Ops: number | null;
  };
  /** Which goals (GOALS) the run met; a decrease counts as no drift. null: too few epochs to tell. */
  readonly goals: { readonly footprintDrift: boolean; readonly rssDrift: boolean; readonly growths: boolean | null };
}

export interface Drift {
  readonly firstMeanBytes: number;
  readonly lastMeanBytes: number;
  readonly driftPercent: number;
  /**
   * The highest sample of each window. The heap's break moves down when its top page empties
   * and up again when it is needed, so one end-of-epoch sample can be a page below another with
   * nothing having grown: equal maxima tell that apart from growth.
   */
  readonly firstMaxBytes: number;
  readonly lastMaxBytes: number;
}

function drift(first: readonly number[], last: readonly number[]): Drift {
  const a = mean(first);
  const b = mean(last);
  return { firstMeanBytes: a, lastMeanBytes: b, driftPercent: ((b - a) / a) * 100, firstMaxBytes: Math.max(...first), lastMaxBytes: Math.max(...last) };
}

export function summarize(epochs: readonly Epoch[]): SoakSummary {
  const n = epochs.length;
  if (n === 0) throw new RangeError("no epochs");
  const w = Math.max(1, Math.round(n / 10));
  const first = epochs.slice(0, w);
  const last = epochs.slice(n - w);
  const rates = epochs.map((e) => e.opsPerSec);
  const latency = rates.map((r) => 1e9 / r).sort((a, b) => a - b);
  const footprint = drift(first.map((e) => e.footprintBytes), last.map((e) => e.footprintBytes));
  const rss = drift(first.map((e) => e.rssBytes), last.map((e) => e.rssBytes));
  const afterWarmup = epochs[n - 1].growths - epochs[w - 1].growths;
  const opsAfterWarmup = epochs.slice(w).reduce((s, e) => s + e.ops, 0);
  const per1e8Ops = opsAfterWarmup > 0 ? (afterWarmup / opsAfterWarmup) * 1e8 : null;
  return {
    epochs: n,
    ops: epochs.reduce((s, e) => s + e.ops, 0),
    seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    meanOpsPerSec: mean(rates),
    cv: cv(rates),
    latencyNs: { p50: quantileSorted(latency, 0.5), p99: quantileSorted(latency, 0.99) },
    windowEpochs: w,
    footprint,
    rss,
    growths: { total: epochs[n - 1].growths, afterWarmup, opsAfterWarmup, per1e8Ops },
    goals: {
      footprintDrift: footprint.driftPercent <= GOALS.footprintDriftPercent,
      rssDrift: rss.driftPercent <= GOALS.rssDriftPercent,
      growths: per1e8Ops === null ? null : per1e8Ops <= GOALS.growthsPer1e8Ops,
    },
  };
}
