// A C program as hakmem's client, three ways (builds.ts): each run of each build in a fresh
// process, the builds interleaved round by round. The program prints one JSON line with its own
// time and a digest of its results; the digests of every run of every build must be equal.
// `hakmem bench sqlite-wasm` runs it with SQLite (sqlite.ts); the tests with a tiny program.
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { BUILD_TITLES, type BuildName, buildProgram, command, type Program } from "./builds.ts";
import { compiler } from "./toolchain.ts";

/** What the C program prints (native/sqlite-bench.c; the tests' tiny client prints the same). */
export interface ProgramOutput {
  readonly digest: string;
  /** The work's wall-clock time, and its thread's CPU time. */
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly resultRows: number;
  readonly maxRssBytes: number;
  readonly [fact: string]: unknown;
}

/** What the wasm runner adds (child.ts). */
export interface WasmFacts {
  readonly malloc: string;
  readonly memoryBytes: number;
  readonly heapBase: number;
  readonly peakHeapBytes: number;
  readonly maxRssBytes: number;
}

export interface ClientRun {
  readonly build: BuildName;
  readonly round: number;
  readonly output: ProgramOutput;
  readonly wasm?: WasmFacts;
}

export interface BuildSummary {
  readonly build: BuildName;
  readonly title: string;
  readonly status: "ok" | "failed";
  readonly reason?: string;
  readonly runs: number;
  readonly seconds?: { readonly median: number; readonly min: number; readonly max: number };
  /** dlmalloc's median time / this build's: above 1 is faster than dlmalloc in wasm. */
  readonly speedVsDlmalloc?: number;
  /** Wasm builds: the allocator's highest extent above __heap_base (median over runs). */
  readonly peakHeapBytes?: number;
  readonly peakHeapVsDlmalloc?: number;
  /** Wasm builds: the memory's size at the end. */
  readonly memoryBytes?: number;
  /** The process's peak resident set (native: the program; wasm: Node running it). */
  readonly maxRssBytes?: number;
  readonly digest?: string;
}

export interface ClientBenchResult {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly compilers: Record<string, string>;
  readonly program: string;
  readonly args: readonly string[];
  readonly profile: string;
  readonly clock: Clock;
  readonly runs: number;
  readonly builds: BuildSummary[];
  readonly results: ClientRun[];
  /** Every run of every build that ran printed the same digest. */
  readonly sameResults: boolean;
  readonly ok: boolean;
}

/** Which of the program's times the summary uses: wall clock, or its thread's CPU time. */
export type Clock = "wall" | "cpu";

export interface ClientBenchOptions {
  readonly program: Program;
  readonly args: readonly string[];
  readonly builds: readonly BuildName[];
  readonly runs: number;
  /** hakmem's profile in the wasm-hakmem build. */
  readonly profile?: string;
  readonly clock?: Clock;
  readonly progress?: (what: string, done: number, total: number) => void;
}

/** Builds the program every way asked (concurrently: the first build of SQLite takes a while), then runs it. */
export async function runClientBench(opts: ClientBenchOptions): Promise<ClientBenchResult> {
  const profile = opts.profile ?? "balanced";
  const clock = opts.clock ?? "wall";
  const total = opts.builds.length * opts.runs;
  opts.progress?.(`building ${opts.program.name} (${opts.builds.join(", ")}); the first build of SQLite takes about a minute`, 0, total);
  const built = await Promise.all(opts.builds.map((b) => buildProgram(opts.program, b).then((file) => ({ file }), (e: Error) => ({ error: e.message }))));
  const files = new Map(opts.builds.map((b, i) => [b, built[i]]));
  const results: ClientRun[] = [];
  const failures = new Map<BuildName, string>();
  for (const [b, f] of files) if ("error" in f) failures.set(b, f.error);
  let done = 0;
  for (let round = 0; round < opts.runs; round++) {
    // Rotate the order each round, so that no build always runs right after another.
    for (let k = 0; k < opts.builds.length; k++) {
      const build = opts.builds[(k + round) % opts.builds.length];
      const f = files.get(build)!;
      if (failures.has(build) || "error" in f) continue;
      opts.progress?.(`${opts.program.name}: ${BUILD_TITLES[build]}, run ${round + 1} of ${opts.runs}`, done++, total);
      try {
        results.push({ build, round, ...(await runOnce(command(build, f.file, opts.args, profile))) });
      } catch (e) {
        failures.set(build, (e as Error).message);
      }
    }
  }
  const digests = new Set(results.map((r) => r.output.digest));
  const builds = summarize(opts.builds, results, failures, clock);
  const c = cpus();
  const compilers: Record<string, string> = {};
  for (const t of ["wasm32-wasi", "native"] as const) {
    if (opts.builds.some((b) => (b === "native") === (t === "native"))) compilers[t] = await compiler(t).then((x) => x.version, (e: Error) => e.message);
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    compilers,
    program: opts.program.name,
    args: opts.args,
    profile,
    clock,
    runs: opts.runs,
    builds,
    results,
    sameResults: digests.size <= 1,
    ok: digests.size <= 1 && builds.every((b) => b.status === "ok"),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summarize(builds: readonly BuildName[], results: readonly ClientRun[], failures: ReadonlyMap<BuildName, string>, clock: Clock): BuildSummary[] {
  const rows = builds.map((build): BuildSummary => {
    const mine = results.filter((r) => r.build === build);
    const title = BUILD_TITLES[build];
    const reason = failures.get(build);
    if (reason !== undefined || mine.length === 0) return { build, title, status: "failed", reason: reason ?? "no run", runs: mine.length };
    const secs = mine.map((r) => (clock === "cpu" ? r.output.cpuSeconds : r.output.seconds));
    const wasm = mine.map((r) => r.wasm).filter((w) => w !== undefined);
    const digests = [...new Set(mine.map((r) => r.output.digest))];
    return {
      build,
      title,
      status: "ok",
      runs: mine.length,
      seconds: { median: median(secs), min: Math.min(...secs), max: Math.max(...secs) },
      ...(wasm.length > 0 ? { peakHeapBytes: median(wasm.map((w) => w.peakHeapBytes)), memoryBytes: median(wasm.map((w) => w.memoryBytes)) } : {}),
      maxRssBytes: median(mine.map((r) => r.wasm?.maxRssBytes ?? r.output.maxRssBytes)),
      digest: digests.join(" / "),
    };
  });
  const base = rows.find((r) => r.build === "wasm-dlmalloc" && r.status === "ok");
  return rows.map((r) =>
    base === undefined || r.seconds === undefined
      ? r
      : {
          ...r,
          speedVsDlmalloc: base.seconds!.median / r.seconds.median,
          ...(r.peakHeapBytes !== undefined ? { peakHeapVsDlmalloc: r.peakHeapBytes / base.peakHeapBytes! } : {}),
        },
  );
}

/** Runs one process; its stdout holds the program's JSON line and, for wasm, the runner's. */
function runOnce(argv: readonly string[]): Promise<{ output: ProgramOutput; wasm?: WasmFacts }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const lines = out.trim().split("\n").filter((l) => l.startsWith("{"));
      try {
        if (code !== 0) throw new Error(`exit ${signal ?? `code ${code}`}`);
        const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        const output = parsed.find((p) => typeof p.digest === "string") as ProgramOutput | undefined;
        if (output === undefined) throw new Error("no result line");
        const wasm = parsed.find((p) => p.wasm !== undefined)?.wasm as WasmFacts | undefined;
        resolve(wasm === undefined ? { output } : { output, wasm });
      } catch (e) {
        reject(new Error(`${(e as Error).message}${err.trim() ? `: ${err.trim().split("\n").slice(-4).join(" | ")}` : ""}`));
      }
    });
  });
}

const MiB = 2 ** 20;

/** The result as a text table. */
export function formatClientTable(r: ClientBenchResult, heading: string): string {
  const f = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits));
  const head = ["build", r.clock === "cpu" ? "CPU ms" : "time ms", "min–max ms", "× dlmalloc speed", "peak heap MiB", "× dlmalloc heap", "memory MiB", "max RSS MiB", "digest"];
  const table = [head];
  for (const b of r.builds) {
    table.push([
      b.title,
      f(b.seconds && b.seconds.median * 1e3, 1),
      b.seconds ? `${f(b.seconds.min * 1e3, 0)}–${f(b.seconds.max * 1e3, 0)}` : "—",
      f(b.speedVsDlmalloc, 3),
      f(b.peakHeapBytes && b.peakHeapBytes / MiB, 2),
      f(b.peakHeapVsDlmalloc, 3),
      f(b.memoryBytes && b.memoryBytes / MiB, 1),
      f(b.maxRssBytes && b.maxRssBytes / MiB, 0),
      b.status === "ok" ? (b.digest ?? "—") : "FAILED",
    ]);
  }
  const w = head.map((_, i) => Math.max(...table.map((t) => t[i].length)));
  const lines = [
    heading,
    `median of ${r.runs} run${r.runs === 1 ? "" : "s"} per build, each in a fresh process, builds interleaved; hakmem profile ${r.profile}`,
    `${r.date.slice(0, 10)}, node ${r.node}, ${r.cpu} × ${r.cores}; ${Object.entries(r.compilers).map(([t, v]) => `${t}: ${v}`).join("; ")}`,
    "",
  ];
  table.forEach((t, i) => {
    lines.push(t.map((c, k) => (k === 0 ? c.padEnd(w[k]) : k === t.length - 1 ? c : c.padStart(w[k]))).join("  ").trimEnd());
    if (i === 0) lines.push(w.map((x) => "-".repeat(x)).join("  "));
  });
  lines.push(
    `time: the program's own ${r.clock === "cpu" ? "thread CPU time" : "wall clock"} around its work (not Node's start-up or the module's compilation). peak heap: the`,
    "allocator's highest extent above __heap_base (dlmalloc: the memory's end, which sbrk only grows; hakmem: its peak footprint).",
  );
  lines.push(r.sameResults ? "results: every run of every build printed the same digest" : "RESULTS DIFFER: the digests above are not all equal");
  for (const b of r.builds) if (b.status === "failed") lines.push(`FAILED ${b.title}: ${b.reason}`);
  return lines.join("\n");
}
