// `hakmem soak`: one workload for minutes in this process, in 1-second epochs; the summary
// (throughput, CV, latency tail, footprint and RSS drift, growths per 1e8 ops) on stdout, the
// epochs as CSV, the whole run as JSON and a chart. The work is in bench/soak/.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { ProfileName } from "hakmem";
import { Progress } from "../bench/progress.ts";
import { soakChart } from "../bench/soak/chart.ts";
import { csv, textReport } from "../bench/soak/report.ts";
import { runSoak, SOAK_WORKLOADS, type SoakWorkload } from "../bench/soak/run.ts";
import { summarize } from "../bench/soak/summary.ts";
import type { SoakRun } from "../bench/soak/workload.ts";
import { defaultTracesDir, ReplayUsageError, traceFiles } from "../bench/trace/bench.ts";
import { machine } from "./machine.ts";
import { parse, positiveInt, positiveNumber, UsageError } from "./usage.ts";

const PROFILES: readonly string[] = ["fast", "balanced", "lean", "safe"];

export const HELP = `usage: hakmem soak [options]

Runs one workload continuously in this process for minutes, in 1-second epochs, through one
hakmem heap. Per epoch: operations, ops/s, the heap's footprint (stats().footprintBytes) and
the process's RSS. At the end: mean ops/s and its CV, p50/p99 of the epochs' latency
(1e9 / ops per second, ns/op), drift of footprint and of RSS from the first 10% of epochs to
the last 10%, and buffer growths per 1e8 operations after the first 10% (the warm-up).
Goals: footprint drift 0%, RSS drift ≤ 2%, ≤ 1 growth per 1e8 operations.

  --minutes N      how long (default 1)
  --seconds N      how long, in seconds (short runs, tests); not with --minutes. Either is
                   rounded up to whole epochs
  --workload W     random-mixed (default): bench_random_mixed, ws 400, seed 1, 16–1024 B;
                   larson: N workers replacing 8–999 B blocks on one heap, a successor
                   handle (detach + attach) every round;
                   replay: one trace in a loop, everything freed between passes
  --profile P      fast, balanced (default), lean, safe
  --workers N      larson's workers (default 2)
  --trace FILE     replay's trace (.hkt.gz or .hkt; default the first in --traces)
  --traces DIR     where replay finds its default trace (default ../shared/traces)
  --csv FILE       write the epochs, one line each (after a header)
  --out DIR        write DIR/soak.json and DIR/soak.svg (throughput and footprint over time)
  --json           print the run as JSON instead of the summary
  -h, --help       this help

Progress goes to stderr when it is a terminal. Exit code 1 when the heap's counts are wrong
at the end or a worker failed, 2 for a usage error; a missed goal is reported, not an error.`;

const OPTIONS = {
  minutes: { type: "string" },
  seconds: { type: "string" },
  workload: { type: "string", default: "random-mixed" },
  profile: { type: "string", default: "balanced" },
  workers: { type: "string" },
  trace: { type: "string" },
  traces: { type: "string" },
  csv: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The trace replay soaks: --trace, else the first trace in --traces or ../shared/traces. */
function traceOf(file: string | undefined, dir: string | undefined): string {
  if (file !== undefined && dir !== undefined) throw new UsageError("give --trace or --traces, not both");
  const where = file ?? dir ?? defaultTracesDir();
  if (where === undefined) throw new UsageError("no trace: ../shared/traces does not exist here; pass --trace FILE or --traces DIR");
  try {
    return traceFiles(where)[0];
  } catch (e) {
    if (e instanceof ReplayUsageError) throw new UsageError(e.message);
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if (v.minutes !== undefined && v.seconds !== undefined) throw new UsageError("give --minutes or --seconds, not both");
  const seconds = positiveNumber("seconds", v.seconds) ?? 60 * (positiveNumber("minutes", v.minutes) ?? 1);
  const epochs = Math.ceil(seconds);
  if (!(SOAK_WORKLOADS as readonly string[]).includes(v.workload)) throw new UsageError(`unknown workload "${v.workload}"; expected ${SOAK_WORKLOADS.join(", ")}`);
  const workload = v.workload as SoakWorkload;
  if (!PROFILES.includes(v.profile)) throw new UsageError(`unknown profile "${v.profile}"; expected ${PROFILES.join(", ")}`);
  const profile = v.profile as ProfileName;
  if (v.workers !== undefined && workload !== "larson") throw new UsageError("--workers is for --workload larson");
  const workers = positiveInt("workers", v.workers) ?? 2;
  // A heap has 64 worker slots and the main thread holds one.
  if (workers > 63) throw new UsageError(`--workers must be at most 63, got ${workers}`);
  if ((v.trace !== undefined || v.traces !== undefined) && workload !== "replay") throw new UsageError("--trace and --traces are for --workload replay");
  const trace = workload === "replay" ? traceOf(v.trace, v.traces) : undefined;

  const m = machine(false);
  const loadBefore = loadavg();
  const bar = new Progress(epochs);
  let run: SoakRun;
  try {
    run = await runSoak(workload, {
      profile,
      epochs,
      workers,
      trace,
      onEpoch: (e) => {
        bar.step();
        bar.show(`epoch ${e.index + 1}: ${(e.opsPerSec / 1e6).toFixed(2)} M ops/s, footprint ${(e.footprintBytes / 2 ** 20).toFixed(2)} MiB, RSS ${(e.rssBytes / 2 ** 20).toFixed(1)} MiB`);
      },
    });
  } catch (e) {
    // A worker's or the heap's error: the run is void, say what happened.
    console.error(`hakmem soak: the ${workload} soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    bar.end();
  }
  const summary = summarize(run.epochs);
  const command = `hakmem soak ${argv.join(" ")}`.trim();
  const what = `${workload}${workload === "larson" ? ` (${workers} workers)` : ""}${workload === "replay" ? ` (${run.detail.trace})` : ""}, profile ${profile}`;
  const doc = {
    tool: "hakmem soak",
    command,
    machine: { ...m, loadAverage: { start: loadBefore, end: loadavg() } },
    workload,
    profile,
    ...run.detail,
    epochSeconds: 1,
    summary,
    problems: run.problems,
    epochs: run.epochs,
  };
  const subtitle = `${m.date} · ${m.cpu}, ${m.cores} cores · node ${m.node} · load average ${loadBefore[0].toFixed(2)} → ${doc.machine.loadAverage.end[0].toFixed(2)}`;
  if (v.json) console.log(JSON.stringify(doc, null, 2));
  else {
    console.log(textReport(`hakmem soak: ${what}\n  ${subtitle}`, summary));
    for (const p of run.problems) console.log(`  problem: ${p}`);
  }
  if (v.csv !== undefined) writeFileSync(v.csv, csv(run.epochs));
  if (v.out !== undefined) {
    mkdirSync(v.out, { recursive: true });
    writeFileSync(join(v.out, "soak.json"), `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(join(v.out, "soak.svg"), soakChart(run.epochs, `hakmem soak: ${what}`, subtitle));
  }
  return run.problems.length === 0 ? 0 : 1;
}
