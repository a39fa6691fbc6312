// Replays every HKT1 trace in a directory through hakmem, single-threaded (threads are
// interleaved as recorded), and reports throughput and footprint against the trace's own peak
// live bytes.
//   npm run bench:footprint -- [--traces DIR] [--profile balanced] [--only jq,perl] [--json]
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createHeap } from "../../src/index.ts";
import { readHkt } from "./hkt.ts";
import { checkLive, freeLive, replay } from "./replay.ts";

type HeapOptions = NonNullable<Parameters<typeof createHeap>[0]>;

const { values } = parseArgs({
  options: {
    traces: { type: "string" },
    profile: { type: "string", default: "balanced" },
    only: { type: "string" },
    "max-bytes": { type: "string", default: String(2 ** 31 - 2 ** 20) },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`usage: node --import tsx bench/trace/footprint.ts [options]
  --traces DIR      directory of *.hkt.gz (default /work/shared/traces, else ../shared/traces)
  --profile NAME    hakmem profile: fast | balanced | lean | safe (default balanced)
  --only LIST       comma list of trace names (e.g. jq,perl)
  --max-bytes N     heap maxBytes (default 2**31 - 2**20)
  --json            print results as JSON`);
  process.exit(0);
}

function defaultTraceDir(): string {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  for (const d of ["/work/shared/traces", resolve(repo, "../shared/traces")]) if (existsSync(d)) return d;
  throw new Error("no trace directory found; pass --traces DIR");
}

const dir = values.traces ?? defaultTraceDir();
const only = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : undefined;
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".hkt.gz") || f.endsWith(".hkt"))
  .filter((f) => !only || only.has(f.replace(/\.hkt(\.gz)?$/, "")))
  .sort();
if (files.length === 0) throw new Error(`no .hkt.gz traces in ${dir}${only ? ` matching ${values.only}` : ""}`);
const maxBytes = Number(values["max-bytes"]);
const profile = values.profile as HeapOptions["profile"];

interface Row {
  trace: string;
  records: number;
  seconds: number;
  opsPerSec: number;
  peakLiveBytes: number;
  peakLiveBlocks: number;
  peakFootprintBytes: number;
  ratio: number;
  bufferBytes: number;
  liveBlocks: number;
  liveBytes: number;
  traceLiveAtEndBlocks: number;
  traceLiveAtEndBytes: number;
  liveCheck: string;
  drained: string;
  error?: string;
}

const rows: Row[] = [];
let failed = false;
for (const f of files) {
  const t = readHkt(join(dir, f));
  const heap = createHeap({ maxBytes, profile });
  const off = new Uint32Array(t.blockCount + 1);
  const row: Row = {
    trace: t.name,
    records: t.recordCount,
    seconds: NaN,
    opsPerSec: NaN,
    peakLiveBytes: t.peakLiveBytes,
    peakLiveBlocks: t.peakLiveBlocks,
    peakFootprintBytes: NaN,
    ratio: NaN,
    bufferBytes: NaN,
    liveBlocks: NaN,
    liveBytes: NaN,
    traceLiveAtEndBlocks: t.liveAtEndBlocks,
    traceLiveAtEndBytes: t.liveAtEndBytes,
    liveCheck: "-",
    drained: "-",
  };
  rows.push(row);
  try {
    const t0 = performance.now();
    replay(heap, t, off);
    row.seconds = (performance.now() - t0) / 1000;
    row.opsPerSec = t.recordCount / row.seconds;
    const s = heap.stats();
    row.peakFootprintBytes = s.peakFootprintBytes;
    row.ratio = s.peakFootprintBytes / t.peakLiveBytes;
    row.bufferBytes = s.bufferBytes;
    row.liveBlocks = s.liveBlocks;
    row.liveBytes = s.liveBytes;
    const [n, problems] = checkLive(heap, off);
    row.liveCheck = problems.length ? `FAILED: ${problems.join("; ")}` : `ok (${n})`;
    if (problems.length || s.liveBlocks !== t.liveAtEndBlocks || s.liveBytes !== t.liveAtEndBytes) failed = true;
    freeLive(heap, off);
    const s2 = heap.stats();
    row.drained = s2.liveBlocks === 0 && s2.liveBytes === 0 ? "ok" : `FAILED: ${s2.liveBlocks} blocks / ${s2.liveBytes} B live after freeing all`;
    if (s2.liveBlocks !== 0 || s2.liveBytes !== 0) failed = true;
  } catch (e) {
    row.error = (e as Error).stack ?? String(e);
    failed = true;
  }
}

const mb = (x: number): string => (Number.isFinite(x) ? (x / 2 ** 20).toFixed(2) : "-");
if (values.json) {
  console.log(JSON.stringify({ dir, profile: values.profile, maxBytes, node: process.version, rows }, null, 2));
} else {
  console.log(`footprint: hakmem profile=${values.profile}, single-threaded replay, traces from ${dir}, node ${process.version}`);
  const table = [
    ["trace", "records", "M ops/s", "peak live MiB", "peak footprint MiB", "ratio", "end liveBlocks (trace)", "end liveBytes (trace)", "check"],
  ];
  for (const r of rows) {
    table.push([
      r.trace,
      String(r.records),
      Number.isFinite(r.opsPerSec) ? (r.opsPerSec / 1e6).toFixed(2) : "FAILED",
      mb(r.peakLiveBytes),
      mb(r.peakFootprintBytes),
      Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : "-",
      `${r.liveBlocks} (${r.traceLiveAtEndBlocks})`,
      `${r.liveBytes} (${r.traceLiveAtEndBytes})`,
      r.error ? "ERROR" : r.liveCheck.startsWith("ok") && r.drained === "ok" && r.liveBlocks === r.traceLiveAtEndBlocks && r.liveBytes === r.traceLiveAtEndBytes ? "ok" : "MISMATCH",
    ]);
  }
  const w = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  table.forEach((r, ri) => {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  "));
    if (ri === 0) console.log(w.map((x) => "-".repeat(x)).join("  "));
  });
  for (const r of rows) {
    if (r.error) console.log(`\n${r.trace}: ${r.error}`);
    else if (!r.liveCheck.startsWith("ok")) console.log(`\n${r.trace}: live check ${r.liveCheck}`);
    if (r.drained !== "-" && r.drained !== "ok") console.log(`\n${r.trace}: drain ${r.drained}`);
  }
}
if (failed) process.exitCode = 1;
