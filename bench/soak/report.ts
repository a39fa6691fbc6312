// The soak's outputs as text: the summary a person reads, one CSV line per epoch.
import type { Epoch } from "./epochs.ts";
import { type Drift, GOALS, type SoakSummary } from "./summary.ts";

const MiB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(2)} MiB`;
}

function signed(percent: number): string {
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(2)}%`;
}

function verdict(met: boolean | null): string {
  return met === null ? "too short to tell" : met ? "met" : "MISSED";
}

function driftLine(d: Drift, window: string): string {
  return `first/last ${window}: mean ${mib(d.firstMeanBytes)} → ${mib(d.lastMeanBytes)}, drift ${signed(d.driftPercent)}; max ${mib(d.firstMaxBytes)} → ${mib(d.lastMaxBytes)}`;
}

export function textReport(title: string, s: SoakSummary): string {
  const w = `${s.windowEpochs} epoch${s.windowEpochs === 1 ? "" : "s"}`;
  const g = s.growths;
  return [
    title,
    `  epochs        ${s.epochs} × 1 s, ${(s.ops / 1e6).toFixed(1)} M ops`,
    `  throughput    mean ${(s.meanOpsPerSec / 1e6).toFixed(2)} M ops/s, CV ${(s.cv * 100).toFixed(2)}%`,
    `  latency       p50 ${s.latencyNs.p50.toFixed(2)} ns/op, p99 ${s.latencyNs.p99.toFixed(2)} ns/op (1e9 / ops per second, per epoch)`,
    `  footprint     ${driftLine(s.footprint, w)}  goal ≤ ${GOALS.footprintDriftPercent}%: ${verdict(s.goals.footprintDrift)}`,
    `  RSS           ${driftLine(s.rss, w)}  goal ≤ ${GOALS.rssDriftPercent}%: ${verdict(s.goals.rssDrift)}`,
    `  growths       ${g.total} in all, ${g.afterWarmup} after warm-up (the first ${w}): ${g.per1e8Ops === null ? "n/a" : g.per1e8Ops.toFixed(3)} per 1e8 ops  goal ≤ ${GOALS.growthsPer1e8Ops}: ${verdict(s.goals.growths)}`,
  ].join("\n");
}

const CSV_HEADER = "epoch,seconds,ops,ops_per_sec,footprint_bytes,rss_bytes,growths";

function csvLine(e: Epoch): string {
  return [e.index, e.seconds.toFixed(6), e.ops, e.opsPerSec.toFixed(0), e.footprintBytes, e.rssBytes, e.growths].join(",");
}

/** The header and one line per epoch. */
export function csv(epochs: readonly Epoch[]): string {
  return `${[CSV_HEADER, ...epochs.map(csvLine)].join("\n")}\n`;
}
