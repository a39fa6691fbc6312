// What `hakmem bench` runs: each workload at each worker count ("a case"), each contender in it
// with its share of the work, or the reason it cannot run there.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { type ContenderChoice, contenderInfo } from "./contenders/index.ts";
import { nativeBinary } from "./native.ts";
import { isWasmMt, type RunSpec, WASM_MT_WORKLOADS, type WorkloadName } from "./spec.ts";
import { buildNative, buildWasm, mtProgramOf, mtSource } from "./wasm/mt-build.ts";

export interface PlanOptions {
  readonly workloads: readonly WorkloadName[];
  readonly contenders: readonly ContenderChoice[];
  readonly quick: boolean;
  /** Overrides of the defaults below. */
  readonly cycles?: number;
  readonly seconds?: number;
  readonly workers?: readonly number[];
  readonly ws?: number;
  readonly seed?: number;
  /** random-mixed: timed repetitions per process, the fastest counted (default 1). */
  readonly repeat?: number;
  /** random-mixed: "cpu" times by the process's CPU time (default "wall"). */
  readonly clock?: "wall" | "cpu";
  readonly check?: boolean;
  /** Also run each contender that can in Chromium (bench/browser/): extra rows. */
  readonly browser?: boolean;
}

export interface PlannedRow {
  readonly contender: ContenderChoice;
  readonly spec?: RunSpec;
  readonly skip?: string;
  /** Runs in a Chromium page and its Web Workers instead of a Node process. */
  readonly engine?: "chromium";
}

export interface PlannedCase {
  readonly workload: WorkloadName;
  readonly workers: number;
  readonly title: string;
  /** What one op is. */
  readonly unit: string;
  readonly params: Record<string, number>;
  readonly rows: readonly PlannedRow[];
}

interface WorkloadDefaults {
  readonly cycles: [full: number, quick: number];
  readonly seconds: [full: number, quick: number];
  readonly ws: number;
  readonly seed: number;
  readonly workers: (cores: number) => number[];
  readonly unit: string;
  readonly timed: boolean;
}

const DEFAULTS: Record<WorkloadName, WorkloadDefaults> = {
  "random-mixed": { cycles: [20_000_000, 5_000_000], seconds: [0, 0], ws: 400, seed: 1, workers: () => [1], unit: "cycle (a free or a malloc + 1 write)", timed: false },
  larson: { cycles: [0, 0], seconds: [2, 0.5], ws: 1, seed: 4141, workers: (n) => unique([1, n]), unit: "replacement (free + malloc + 2 writes)", timed: true },
  mid: { cycles: [2_000_000, 500_000], seconds: [0, 0], ws: 256, seed: 1, workers: (n) => unique([1, n]), unit: "cycle, per worker summed", timed: false },
  xmalloc: { cycles: [0, 0], seconds: [2, 0.5], ws: 1, seed: 1, workers: (n) => [Math.max(2, n)], unit: "block (malloc in one worker, free in another)", timed: true },
  "wasm-larson": { cycles: [0, 0], seconds: [2, 0.5], ws: 1, seed: 4141, workers: (n) => unique([1, n]), unit: "replacement in C (free + malloc + 2 writes)", timed: true },
  "wasm-xmalloc": { cycles: [0, 0], seconds: [2, 0.5], ws: 1, seed: 1, workers: (n) => [Math.max(2, n)], unit: "block in C (malloc in one thread, free in another)", timed: true },
};

function unique(xs: number[]): number[] {
  return [...new Set(xs)];
}

export function cores(): number {
  return availableParallelism();
}

/** Built next to the bench bundles (scripts/build.mjs); this module is bundled into dist/cli.js. */
const TLSF_WASM = fileURLToPath(new URL("./bench/tlsf.wasm", import.meta.url));

function whyNot(c: ContenderChoice, workload: WorkloadName, workers: number, check: boolean): string | undefined {
  const info = contenderInfo(c.id);
  if (WASM_MT_WORKLOADS.includes(workload)) return whyNotMt(c, workload, workers, check);
  if (workers > 1 && !info.multiWorker) return "single-threaded: cannot share a heap between workers";
  if (workload === "xmalloc" && !info.multiWorker) return "single-threaded: xmalloc frees in another worker";
  if (check && (workload !== "random-mixed" || c.id === "native" || c.id === "gc" || c.id === "smo")) return "no checked mode here";
  if (c.id === "tlsf" && !existsSync(TLSF_WASM)) return `${TLSF_WASM} was not built (assemblyscript not installed?)`;
  if (c.id === "native") {
    const bin = nativeBinary();
    if ("reason" in bin) return bin.reason;
  }
  return undefined;
}

/**
 * The threaded C programs run on hakmem (compiled to wasm) and on glibc (compiled natively); the
 * speed-of-light reference serves wasm-larson's imports with 1 worker.
 */
function whyNotMt(c: ContenderChoice, workload: WorkloadName, workers: number, check: boolean): string | undefined {
  if (check) return "no checked mode here";
  if (c.id === "sol" && (workload !== "wasm-larson" || workers > 1)) return "single-threaded: 1 worker of wasm-larson only";
  if (c.id !== "hakmem" && c.id !== "native" && c.id !== "sol") return "not a C program's malloc";
  const program = mtProgramOf(workload);
  const built = c.id === "native" ? buildNative(mtSource(program)) : buildWasm(mtSource(program));
  return "reason" in built ? built.reason : undefined;
}

/** A Node row's twin in Chromium. */
function inChromium(r: PlannedRow, workload: WorkloadName, clock: PlanOptions["clock"]): PlannedRow {
  if (isWasmMt(workload)) return { contender: r.contender, skip: "the wasm programs run in Node only", engine: "chromium" };
  if (r.spec !== undefined && clock === "cpu") return { contender: r.contender, skip: "a page has no CPU-time clock", engine: "chromium" };
  return { ...r, engine: "chromium" };
}

export function plan(o: PlanOptions): PlannedCase[] {
  const cases: PlannedCase[] = [];
  const q = o.quick ? 1 : 0;
  for (const workload of o.workloads) {
    const d = DEFAULTS[workload];
    const cycles = o.cycles ?? d.cycles[q];
    const seconds = o.seconds ?? d.seconds[q];
    const ws = o.ws ?? d.ws;
    const seed = o.seed ?? d.seed;
    for (const workers of o.workers ?? d.workers(cores())) {
      if ((workload === "xmalloc" || workload === "wasm-xmalloc") && workers < 2) continue;
      if (workload === "random-mixed" && workers !== 1) continue;
      const rows = o.contenders.map((c): PlannedRow => {
        const skip = whyNot(c, workload, workers, o.check ?? false);
        if (skip !== undefined) return { contender: c, skip };
        const share = d.timed ? 0 : Math.max(1, Math.round(cycles / contenderInfo(c.id).slowdown));
        const only = workload === "random-mixed" ? { ...(o.repeat !== undefined && o.repeat > 1 ? { repeat: o.repeat } : {}), ...(o.clock === "cpu" ? { clock: o.clock } : {}) } : {};
        const spec: RunSpec = { workload, contender: c.id, options: c.options, workers, cycles: share, seconds, ws, seed, ...only, ...(o.check ? { check: true } : {}) };
        return { contender: c, spec };
      });
      if (o.browser) rows.push(...rows.filter((r) => contenderInfo(r.contender.id).browser).map((r) => inChromium(r, workload, o.clock)));
      const params: Record<string, number> = d.timed ? { seconds, seed } : { cycles, ws, seed };
      if (workload === "random-mixed" && o.repeat !== undefined && o.repeat > 1) params.repeat = o.repeat;
      const what = workload === "random-mixed" ? `ws ${ws}${o.clock === "cpu" ? ", CPU time" : ""}` : `${workers} worker${workers === 1 ? "" : "s"}`;
      cases.push({ workload, workers, title: `${workload}, ${what}`, unit: d.unit, params: { ...params, workers }, rows });
    }
  }
  return cases;
}
