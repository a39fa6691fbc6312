// Replays traces through each contender, each (trace, contender) in a fresh process, and builds
// the table: hakmem's speed against the C library's, and its footprint against the trace's own
// peak of live bytes. Used by `hakmem replay` and, through runReplayBench, `hakmem bench replay`.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProfileName } from "hakmem";
import { traceName } from "./hkt.ts";
import { type BuildName, buildProgram, command } from "../wasm/builds.ts";
import type { WasmFacts } from "../wasm/client.ts";
import { nativeDriver, type NativeRun, runDriver, runNative } from "./native.ts";
import type { HakmemRun } from "./run.ts";
import { CHILD_SCRIPT, NATIVE_SOURCE, nodeArgs, PACKAGE_ROOT } from "./scripts.ts";

const PROFILES: readonly string[] = ["fast", "balanced", "lean", "safe"];
/** The bench's other contenders: their API (malloc/free) has no realloc, calloc or aligned allocation. */
const CANNOT_REPLAY = new Set(["sol", "tlsf", "gc", "cheap", "thing", "smo"]);

export interface ReplayBenchOptions {
  /** A .hkt.gz / .hkt file or a directory of them (default: defaultTracesDir()). */
  readonly traces?: string;
  /** "hakmem[:profile]", "native", "wasm-dlmalloc" and "wasm-hakmem[:profile]" replay; the
   *  bench's other contenders get a row saying why they cannot. Default: hakmem:balanced, native. */
  readonly vs?: readonly string[];
  /** Replays per contender in its process, the fastest counted (default 3; 1 with verify or threads). */
  readonly runs?: number;
  /**
   * Timed mode: more runs of a short trace, the same number for every contender, until this many
   * records have been replayed (default MIN_RECORDS; at most 1000 runs). 0: exactly `runs`.
   */
  readonly minRecords?: number;
  /** Fill and check every block (hakmem only). */
  readonly verify?: boolean;
  /** One worker per trace thread (hakmem only). */
  readonly threads?: boolean;
  /** Called before each (trace, contender) starts: what it is, how many are done, of how many. */
  readonly progress?: (what: string, done: number, total: number) => void;
}

export interface ReplayRow {
  readonly trace: string;
  readonly contender: string;
  readonly status: "ok" | "failed" | "skipped";
  /** Why it failed or was skipped. */
  readonly reason?: string;
  readonly records?: number;
  /** Each run's replay seconds; opsPerSec is of the fastest, firstRunOpsPerSec of the first. */
  readonly seconds?: readonly number[];
  readonly opsPerSec?: number;
  readonly firstRunOpsPerSec?: number;
  /** opsPerSec / native's on the same trace. */
  readonly vsNative?: number;
  /** The same by CPU time (fastest run each): steadier than vsNative on a loaded machine. */
  readonly cpuVsNative?: number;
  /** opsPerSec / wasm-dlmalloc's on the same trace (wasm rows). */
  readonly vsWasmDlmalloc?: number;
  /** The same ratio by each one's fastest thread CPU time (wasm rows). */
  readonly cpuVsWasmDlmalloc?: number;
  readonly maxRssBytes?: number;
  /** hakmem only: the full result of its process. */
  readonly hakmem?: HakmemRun;
  /** wasm rows: the memory of the module (its heap holds the decoded trace too). */
  readonly wasm?: WasmFacts;
  /** wasm rows: each run's thread CPU time. */
  readonly cpuSeconds?: readonly number[];
}

export interface ReplayBenchResult {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly traces: string;
  readonly mode: string;
  readonly runs: number;
  readonly minRecords: number;
  readonly rows: ReplayRow[];
  readonly notes: string[];
  /** No row failed. */
  readonly ok: boolean;
}

export class ReplayUsageError extends Error {}

/**
 * Default of ReplayBenchOptions.minRecords. The C replay runs at full speed from its first
 * record; the JavaScript one only once V8 has optimised the allocator's paths the trace takes,
 * which took 5–8 million records of the shared traces (2026-11-30, CPU M ops/s of successive
 * runs of sqlite's 1.1 M records: 19, 41, 67, 80, 65, 84, 89, 90, 88; py-compileall's 0.77 M:
 * 9, 27, 37, 37, 39, 41, 44). Three runs of a short trace (bench/trace/small: 20,000–125,000
 * records) time V8's tier-up, not the allocator. This many records give every trace that
 * warm-up, and every contender the same number of runs; the first run's speed stays in the
 * table ("1st run").
 */
export const MIN_RECORDS = 10_000_000;

/** ../shared/traces beside the package (the repository), or beside the working directory. */
export function defaultTracesDir(): string | undefined {
  for (const d of [fileURLToPath(new URL("../shared/traces", PACKAGE_ROOT)), resolve("../shared/traces")]) if (existsSync(d)) return d;
  return undefined;
}

/** The trace files at `path`: the file itself, or a directory's *.hkt.gz and *.hkt, sorted. */
export function traceFiles(path: string): string[] {
  if (!existsSync(path)) throw new ReplayUsageError(`${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => f.endsWith(".hkt.gz") || f.endsWith(".hkt"))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new ReplayUsageError(`${path}: no .hkt.gz or .hkt traces in this directory`);
  return files;
}

interface Choice {
  readonly name: string;
  readonly profile?: ProfileName;
  readonly cannot?: string;
  /** native/replay.c compiled to wasm32-wasi with this malloc (bench/wasm/builds.ts). */
  readonly wasm?: BuildName;
}

/** native/replay.c as a program for bench/wasm/builds.ts. */
const REPLAY_PROGRAM = { name: "replay", objects: [{ source: fileURLToPath(NATIVE_SOURCE), flags: ["-Wall"] }] };

function parseContender(text: string): Choice {
  const [id, profile, ...rest] = text.trim().split(":");
  if (id === "hakmem" && rest.length === 0) {
    const p = profile || "balanced";
    if (!PROFILES.includes(p)) throw new ReplayUsageError(`unknown hakmem profile "${p}" (${PROFILES.join(", ")})`);
    return { name: `hakmem:${p}`, profile: p as ProfileName };
  }
  if (profile === undefined && id === "native") return { name: id };
  if (profile === undefined && id === "wasm-dlmalloc") return { name: id, wasm: id };
  if (id === "wasm-hakmem" && rest.length === 0) {
    const p = profile || "balanced";
    if (!PROFILES.includes(p)) throw new ReplayUsageError(`unknown hakmem profile "${p}" (${PROFILES.join(", ")})`);
    return { name: `wasm-hakmem:${p}`, profile: p as ProfileName, wasm: id };
  }
  if (profile === undefined && CANNOT_REPLAY.has(id)) return { name: id, cannot: "its API has no realloc, calloc or aligned allocation, which the traces use" };
  throw new ReplayUsageError(`unknown contender "${text}" for replay: hakmem, hakmem:fast, hakmem:lean, hakmem:safe, native, wasm-dlmalloc, wasm-hakmem[:profile]`);
}

/** Replays every trace through every contender; see ReplayBenchOptions. */
export async function runReplayBench(opts: ReplayBenchOptions = {}): Promise<ReplayBenchResult> {
  const dir = opts.traces ?? defaultTracesDir();
  if (dir === undefined) throw new ReplayUsageError("no traces directory: ../shared/traces does not exist here; pass one");
  const files = traceFiles(dir);
  const choices = [...new Map((opts.vs ?? ["hakmem", "native"]).map(parseContender).map((c) => [c.name, c])).values()];
  if (choices.length === 0) throw new ReplayUsageError("no contenders");
  const verify = opts.verify ?? false;
  const threads = opts.threads ?? false;
  const runs = opts.runs ?? (verify || threads ? 1 : 3);
  if (!Number.isSafeInteger(runs) || runs < 1 || runs > 100) throw new ReplayUsageError(`runs must be an integer from 1 to 100, got ${runs}`);
  const timed = !verify && !threads;
  const minRecords = timed ? (opts.minRecords ?? MIN_RECORDS) : 0;
  if (!Number.isSafeInteger(minRecords) || minRecords < 0) throw new ReplayUsageError(`minRecords must be a non-negative integer, got ${minRecords}`);
  const notes: string[] = [];
  const native = choices.some((c) => c.name === "native") && timed ? await nativeDriver() : undefined;
  const wasmBuilds = new Map<BuildName, Promise<{ file: string } | { skipped: string }>>();
  if (timed) {
    for (const c of choices) {
      if (c.wasm !== undefined && !wasmBuilds.has(c.wasm)) wasmBuilds.set(c.wasm, buildProgram(REPLAY_PROGRAM, c.wasm).then((file) => ({ file }), (e: Error) => ({ skipped: e.message })));
    }
  }
  notes.push("max RSS is the whole replay process, the decoded trace (16 bytes per record) included");
  if (threads) notes.push("--threads is a correctness mode: records run one at a time in recorded order, handed from worker to worker, so its speed includes the hand-offs");
  else if (verify) notes.push("--verify fills and checks every block: its speed is not comparable with timed runs");

  const rows: ReplayRow[] = [];
  const total = files.length * choices.length;
  const show = (what: string): void => opts.progress?.(what, rows.length + mine.length, total);
  let mine: ReplayRow[] = [];
  for (const file of files) {
    const trace = traceName(file);
    mine = [];
    let formatError: string | undefined;
    for (const c of choices) {
      if (c.cannot !== undefined) {
        mine.push({ trace, contender: c.name, status: "skipped", reason: c.cannot });
      } else if (c.wasm !== undefined) {
        mine.push(await wasmRow(trace, file, c, timed ? await wasmBuilds.get(c.wasm)! : undefined, formatError, runs, minRecords, show));
      } else if (c.profile !== undefined) {
        show(`${trace}: hakmem ${c.profile}${threads ? ", one worker per trace thread" : ""}${verify ? ", verifying" : ""}`);
        const r = await runChild(file, c.profile, verify, threads, runs, minRecords);
        if ("error" in r) {
          if (r.format) formatError = r.error;
          mine.push({ trace, contender: c.name, status: "failed", reason: r.error });
        } else {
          mine.push({
            trace,
            contender: c.name,
            status: "ok",
            records: r.records,
            seconds: r.seconds,
            cpuSeconds: r.cpuSeconds.length > 0 ? r.cpuSeconds : undefined,
            opsPerSec: r.opsPerSec,
            firstRunOpsPerSec: r.records / r.seconds[0],
            maxRssBytes: r.maxRssBytes,
            hakmem: r,
          });
        }
      } else if (!timed) {
        mine.push({ trace, contender: c.name, status: "skipped", reason: "timed mode only (without --verify and --threads)" });
      } else if (native === undefined || "skipped" in native) {
        mine.push({ trace, contender: c.name, status: "skipped", reason: native?.skipped ?? "no driver" });
      } else if (formatError !== undefined) {
        mine.push({ trace, contender: c.name, status: "skipped", reason: "the trace is malformed" });
      } else {
        show(`${trace}: native (C library malloc)`);
        try {
          const n = await runNative(native.path, file, runs, minRecords);
          mine.push({ trace, contender: c.name, ...timedRow(n, n.maxRssBytes) });
        } catch (e) {
          mine.push({ trace, contender: c.name, status: "failed", reason: (e as Error).message });
        }
      }
    }
    const natRow = mine.find((r) => r.contender === "native" && r.status === "ok");
    const nat = natRow?.opsPerSec;
    const dl = mine.find((r) => r.contender === "wasm-dlmalloc" && r.status === "ok");
    for (const r of mine) {
      const vsNative = nat !== undefined && r.opsPerSec !== undefined ? { vsNative: r.opsPerSec / nat } : {};
      const cpuVsNative =
        natRow?.cpuSeconds !== undefined && r.cpuSeconds !== undefined && r.wasm === undefined
          ? { cpuVsNative: Math.min(...natRow.cpuSeconds) / Math.min(...r.cpuSeconds) }
          : {};
      const vsWasm =
        dl !== undefined && r.wasm !== undefined && r.opsPerSec !== undefined
          ? { vsWasmDlmalloc: r.opsPerSec / dl.opsPerSec!, cpuVsWasmDlmalloc: Math.min(...dl.cpuSeconds!) / Math.min(...r.cpuSeconds!) }
          : {};
      rows.push({ ...r, ...vsNative, ...cpuVsNative, ...vsWasm });
    }
  }
  for (const c of choices) {
    if (c.profile === undefined) continue;
    const mineOk = rows.filter((r) => r.contender === c.name && r.vsNative !== undefined && r.cpuVsNative !== undefined);
    if (mineOk.length === 0) continue;
    const wall = geomean(mineOk.map((r) => r.vsNative!));
    const cpu = geomean(mineOk.map((r) => r.cpuVsNative!));
    notes.push(`${c.name} / native, geometric mean over ${mineOk.length} trace${mineOk.length === 1 ? "" : "s"}: ${wall.toFixed(3)}× (by CPU time: ${cpu.toFixed(3)}×)`);
  }
  for (const c of choices) {
    if (c.wasm !== "wasm-hakmem") continue;
    const mineOk = rows.filter((r) => r.contender === c.name && r.vsWasmDlmalloc !== undefined);
    if (mineOk.length === 0) continue;
    const wall = geomean(mineOk.map((r) => r.vsWasmDlmalloc!));
    const cpu = geomean(mineOk.map((r) => r.cpuVsWasmDlmalloc!));
    notes.push(`${c.name} / wasm-dlmalloc, geometric mean over ${mineOk.length} trace${mineOk.length === 1 ? "" : "s"}: ${wall.toFixed(3)}× (by thread CPU time: ${cpu.toFixed(3)}×)`);
  }
  if (wasmBuilds.size > 0) notes.push("wasm rows: native/replay.c compiled to wasm32-wasi, run by Node; their heap also holds the decoded trace (32 bytes per record)");
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    traces: dir,
    mode: threads ? (verify ? "threads, verified" : "threads") : verify ? "verified" : "timed",
    runs,
    minRecords,
    rows,
    notes,
    ok: rows.every((r) => r.status !== "failed"),
  };
}

/** The measured part of a row of a C replayer's runs (native or in wasm). */
function timedRow(n: NativeRun, maxRssBytes: number | undefined) {
  return {
    status: "ok" as const,
    records: n.records,
    seconds: n.seconds,
    cpuSeconds: n.cpuSeconds,
    opsPerSec: n.records / Math.min(...n.seconds),
    firstRunOpsPerSec: n.records / n.seconds[0],
    maxRssBytes,
  };
}

function geomean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** One trace through one wasm build of the C replay (timed mode only). */
async function wasmRow(
  trace: string,
  file: string,
  c: Choice,
  built: { file: string } | { skipped: string } | undefined,
  formatError: string | undefined,
  runs: number,
  minRecords: number,
  show: (what: string) => void,
): Promise<ReplayRow> {
  const row = { trace, contender: c.name };
  if (built === undefined) return { ...row, status: "skipped", reason: "timed mode only (without --verify and --threads)" };
  if ("skipped" in built) return { ...row, status: "skipped", reason: built.skipped };
  if (formatError !== undefined) return { ...row, status: "skipped", reason: "the trace is malformed" };
  show(`${trace}: ${c.name} (the C replay in wasm32-wasi)`);
  try {
    const out = await runDriver(command(c.wasm!, built.file, ["--runs", String(runs), "--min-records", String(minRecords)], c.profile), file, c.name);
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as NativeRun & { wasm?: WasmFacts });
    const n = lines.find((l) => l.records !== undefined)!;
    const wasm = lines.find((l) => l.wasm !== undefined)!.wasm!;
    return { ...row, ...timedRow(n, wasm.maxRssBytes), wasm };
  } catch (e) {
    return { ...row, status: "failed", reason: (e as Error).message };
  }
}

type ChildResult = HakmemRun | { error: string; format?: boolean; record?: number; blockId?: number };

/** Runs bench/trace/child.ts in a fresh Node process and reads its JSON line. */
function runChild(file: string, profile: ProfileName, verify: boolean, threads: boolean, runs: number, minRecords: number): Promise<ChildResult> {
  const args = [...nodeArgs(CHILD_SCRIPT), file, "--profile", profile, "--runs", String(runs), "--min-records", String(minRecords)];
  if (verify) args.push("--verify");
  if (threads) args.push("--threads");
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.on("error", (e) => resolvePromise({ error: `could not start node: ${e.message}` }));
    child.on("close", (code, signal) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolvePromise(JSON.parse(line) as ChildResult);
      } catch {
        resolvePromise({ error: `the replay process ended (${signal ?? `code ${code}`}) without a result${err.trim() ? `: ${err.trim()}` : ""}` });
      }
    });
  });
}

const MiB = 2 ** 20;

/** The result as a text table, with notes and every failure in full below it. */
export function formatReplayTable(r: ReplayBenchResult): string {
  const lines = [
    `replay (${r.mode}; ${r.mode === "timed" ? `fastest of ${r.runs} run${r.runs === 1 ? "" : "s"}${r.minRecords > 0 ? `, or of as many as replay ${r.minRecords.toLocaleString("en-US")} records,` : ""} per fresh process; decoding not timed` : `${r.runs} run${r.runs === 1 ? "" : "s"}`}) — ${r.traces}`,
    `${r.date.slice(0, 10)}, node ${r.node}, ${r.cpu} × ${r.cores}`,
    "",
  ];
  const wasm = r.rows.some((row) => row.wasm !== undefined);
  const head = ["trace", "contender", "records", "M ops/s", "1st run", "× native", "CPU × native", ...(wasm ? ["× wasm-dlmalloc", "CPU × wasm-dlmalloc", "wasm heap MiB"] : []), "peak live MiB", "peak footprint MiB", "ratio", "end live blocks (trace)", "max RSS MiB", "status"];
  const table = [head];
  const f = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits));
  for (const row of r.rows) {
    const h = row.hakmem;
    table.push([
      row.trace,
      row.contender,
      row.records?.toLocaleString("en-US") ?? "—",
      f(row.opsPerSec && row.opsPerSec / 1e6, 1),
      f(row.firstRunOpsPerSec && row.firstRunOpsPerSec / 1e6, 1),
      f(row.vsNative, 2),
      f(row.cpuVsNative, 2),
      ...(wasm ? [f(row.vsWasmDlmalloc, 3), f(row.cpuVsWasmDlmalloc, 3), f(row.wasm && row.wasm.peakHeapBytes / MiB, 1)] : []),
      f(h && h.peakLiveBytes / MiB, 2),
      f(h && h.peakFootprintBytes / MiB, 2),
      f(h?.footprintRatio, 3),
      h ? `${h.liveBlocks} (${h.liveAtEndBlocks})` : "—",
      f(row.maxRssBytes && row.maxRssBytes / MiB, 0),
      row.status === "ok" ? "ok" : row.status === "skipped" ? "skipped" : "FAILED",
    ]);
  }
  const w = head.map((_, i) => Math.max(...table.map((t) => t[i].length)));
  table.forEach((t, i) => {
    lines.push(t.map((c, k) => (k < 2 ? c.padEnd(w[k]) : c.padStart(w[k]))).join("  ").trimEnd());
    if (i === 0) lines.push(w.map((x) => "-".repeat(x)).join("  "));
  });
  for (const n of r.notes) lines.push(`note: ${n}`);
  const skipped = new Map<string, string>();
  for (const row of r.rows) if (row.status === "skipped" && row.reason !== undefined) skipped.set(`${row.contender}: ${row.reason}`, "");
  for (const s of skipped.keys()) lines.push(`skipped: ${s}`);
  for (const row of r.rows) if (row.status === "failed") lines.push(`FAILED ${row.contender}: ${row.reason}`);
  return lines.join("\n");
}
