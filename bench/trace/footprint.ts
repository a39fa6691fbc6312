// Quick footprint check while working on the allocator: replays every trace once per profile in
// this one process (no native runs, no fresh processes: use `hakmem replay` for speed) and
// prints peak footprint against the trace's peak live bytes, with the goal
// (≤ 1.3×, lean ≤ 1.2×, issue 13). Exit code 1 when a replay fails or a goal is missed.
//   npm run bench:footprint -- [--traces DIR] [--profile balanced,lean] [--only jq,perl] [--verify]
import { parseArgs } from "node:util";
import type { ProfileName } from "hakmem";
import { defaultTracesDir, traceFiles } from "./bench.ts";
import { traceName } from "./hkt.ts";
import { runHakmem } from "./run.ts";

const { values } = parseArgs({
  options: {
    traces: { type: "string" },
    profile: { type: "string", default: "balanced,lean" },
    only: { type: "string" },
    verify: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`usage: node --import tsx bench/trace/footprint.ts [options]
  --traces DIR      directory of *.hkt.gz (default ../shared/traces)
  --profile LIST    hakmem profiles, comma list (default balanced,lean)
  --only LIST       trace names, comma list (e.g. jq,perl)
  --verify          fill and check every block while replaying`);
  process.exit(0);
}

const dir = values.traces ?? defaultTracesDir();
if (dir === undefined) throw new Error("no trace directory found; pass --traces DIR");
const only = values.only?.split(",").map((s) => s.trim());
const files = traceFiles(dir).filter((f) => only === undefined || only.includes(traceName(f)));
/** The footprint goals (issue 13: every trace, small heaps included); the other profiles have none. */
const GOAL: Partial<Record<ProfileName, number>> = { balanced: 1.3, lean: 1.2 };

console.log(`trace          profile    peak live MiB  peak footprint MiB  ratio   goal  M ops/s (one cold run${values.verify ? ", verified" : ""})`);
let failed = false;
for (const profile of values.profile.split(",").map((s) => s.trim()) as ProfileName[]) {
  for (const f of files) {
    try {
      const r = await runHakmem(f, { profile, verify: values.verify, threads: false, runs: 1 });
      const goal = GOAL[profile];
      const verdict = goal === undefined ? "   —" : r.footprintRatio <= goal ? "  ok" : "MISS";
      if (verdict === "MISS") failed = true;
      console.log(
        `${r.trace.padEnd(13)}  ${profile.padEnd(8)}  ${(r.peakLiveBytes / 2 ** 20).toFixed(2).padStart(13)}  ${(r.peakFootprintBytes / 2 ** 20).toFixed(2).padStart(18)}  ${r.footprintRatio.toFixed(3)}  ${verdict}  ${(r.opsPerSec / 1e6).toFixed(1).padStart(7)}`,
      );
    } catch (e) {
      failed = true;
      console.log(`${traceName(f).padEnd(13)}  ${profile.padEnd(8)}  FAILED: ${(e as Error).message}`);
    }
  }
}
if (failed) process.exitCode = 1;
