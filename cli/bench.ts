// `hakmem bench`: every workload against every contender, each run in a fresh process,
// interleaved; a table on stdout (or JSON), optional results.{json,md} and chart.svg.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BrowserBench } from "../bench/browser/session.ts";
import { DEFAULT_CONTENDERS, parseContender } from "../bench/contenders/index.ts";
import { execute } from "../bench/execute.ts";
import { plan } from "../bench/plan.ts";
import { markdownReport, textReport } from "../bench/report.ts";
import { ALL_WORKLOADS, WASM_MT_WORKLOADS, WORKLOADS, type WorkloadName } from "../bench/spec.ts";
import { svgChart } from "../bench/svg.ts";
import { machine } from "./machine.ts";
import { main as replay } from "./replay.ts";
import { clockOption, integer, parse, positiveInt, positiveNumber, RUN_OPTIONS, UsageError } from "./usage.ts";

export const HELP = `usage: hakmem bench [workload…] [options]

workloads (default: ${WORKLOADS.join(" ")}):
  random-mixed  bench_random_mixed: 20,000,000 cycles over ws 400 slots, 16–1024 B, seed 1
  larson        mimalloc-bench larson (8–1000 B, 5000 chunks/worker, 100 rounds, seed 4141)
                with 1 worker and with as many as there are cores; timed, after each worker
                warms up on 200,000 replacements (≤ 0.5 s) of blocks of its own
  mid           8–32 KiB churn, 2,000,000 cycles per worker, ws 256; 1 and all cores
  xmalloc       producers allocate 64 B blocks in batches of 4096, consumers free them; timed
  replay        real-program traces (the same as 'hakmem replay')
  wasm-larson   larson as a threaded C program (bench/wasm/mt-larson.c) compiled to wasm, one
                instance per worker over one shared memory, malloc from hakmem; natively with
                pthreads and glibc; and (1 worker) with the speed-of-light free lists behind the
                same imports (default --vs hakmem,sol,native); needs clang and wasm-ld
  wasm-xmalloc  xmalloc the same way (bench/wasm/mt-xmalloc.c): every free a remote free
  sqlite-wasm   SQLite compiled to wasm32-wasi with hakmem as its malloc, against wasi-libc's
                dlmalloc and native (runs on its own: 'hakmem bench sqlite-wasm --help')

options:
  --runs N        runs per contender, each in a fresh process, interleaved (default 5; --quick 3)
  --vs LIST       contenders, comma-separated (default ${DEFAULT_CONTENDERS.join(",")});
                  hakmem:fast / hakmem:lean / hakmem:safe for other profiles
  --quick         shorter runs: 5,000,000 random-mixed cycles, 500,000 mid cycles, 0.5 s timed
  --cycles N      cycles for random-mixed and mid (per worker); slow peers run fewer
  --seconds S     duration of larson and xmalloc (default 2)
  --workers LIST  worker counts, comma-separated (default 1 and the core count)
  --ws N          slots per worker for random-mixed and mid (default 400 and 256)
  --seed N        seed of the random tables
  --repeat K      random-mixed: K timed repetitions per process, the fastest counted (default 1)
  --clock C       random-mixed: wall (default) or cpu (the process's CPU time, which another
                  program's load on a shared machine does not inflate)
  --check         random-mixed only: fill and verify every block instead of timing
  --browser       also run hakmem (and the other pure-JS contenders: speed of light,
                  new Uint8Array) in headless Chromium (/usr/bin/chromium, driven by
                  playwright-core): single-threaded parts in a page, team members in Web
                  Workers; extra rows labelled "(Chromium)" in the same table and JSON
  --json          print the results as JSON instead of the table
  --out DIR       also write DIR/results.json, DIR/results.md and DIR/chart.svg
  -h, --help      this help

Each contender runs in its own process: hakmem (from dist/), the speed-of-light size-class
list, glibc malloc (native/bench.c, compiled with cc), AssemblyScript TLSF, new Uint8Array,
@libmedia/cheap, @thi.ng/malloc, @daneren2005/shared-memory-objects. One that cannot run a
workload shows "—" and why. Progress goes to stderr when it is a terminal.`;

const OPTIONS = {
  ...RUN_OPTIONS,
  repeat: { type: "string" },
  vs: { type: "string" },
  check: { type: "boolean" },
  browser: { type: "boolean" },
  out: { type: "string" },
} as const;

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "replay") return replay(argv.slice(1));
  if (argv[0] === "sqlite-wasm") return (await import("./sqlite-wasm.ts")).main(argv.slice(1));
  const { values: v, positionals } = parse(argv, OPTIONS, true);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  for (const w of positionals) {
    if (w === "replay" || w === "sqlite-wasm") throw new UsageError(`${w} runs on its own: 'hakmem bench ${w} [options]'`);
    if (!(ALL_WORKLOADS as readonly string[]).includes(w)) throw new UsageError(`unknown workload "${w}"; expected ${ALL_WORKLOADS.join(", ")}, replay or sqlite-wasm`);
  }
  const workloads = positionals.length > 0 ? [...new Set(positionals as WorkloadName[])] : [...WORKLOADS];
  // The C programs run on hakmem, glibc and the speed-of-light imports only: no rows of skipped peers.
  const onlyC = workloads.every((w) => WASM_MT_WORKLOADS.includes(w));
  let contenders;
  try {
    contenders = list(v.vs ?? (onlyC ? "hakmem,sol,native" : DEFAULT_CONTENDERS.join(","))).map(parseContender);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (contenders.length === 0) throw new UsageError("--vs names no contender");
  const quick = v.quick ?? false;
  const workers = v.workers === undefined ? undefined : list(v.workers).map((w) => positiveInt("workers", w)!);
  const runs = positiveInt("runs", v.runs) ?? (quick ? 3 : 5);
  const cases = plan({
    workloads,
    contenders: [...new Map(contenders.map((c) => [c.name, c])).values()],
    quick,
    cycles: positiveInt("cycles", v.cycles),
    seconds: positiveNumber("seconds", v.seconds),
    workers,
    ws: positiveInt("ws", v.ws),
    seed: integer("seed", v.seed),
    repeat: positiveInt("repeat", v.repeat),
    clock: clockOption(v.clock),
    check: v.check,
    browser: v.browser,
  });
  if (cases.length === 0) throw new UsageError("nothing to run: no workload accepts those worker counts");
  const chromium = v.browser ? await BrowserBench.start() : undefined;
  const chromiumVersion = chromium?.version;
  let results;
  try {
    results = await execute(cases, v.check ? 1 : runs, chromium);
  } finally {
    await chromium?.close();
  }
  const m = machine(contenders.some((c) => c.id === "native"), chromiumVersion);
  const command = `hakmem bench ${argv.join(" ")}`.trim();
  const doc = { tool: "hakmem bench", command, machine: m, runs, cases: results };
  if (v.json) console.log(JSON.stringify(doc, null, 2));
  else console.log(textReport(results, m));
  if (v.out !== undefined) {
    mkdirSync(v.out, { recursive: true });
    writeFileSync(join(v.out, "results.json"), `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(join(v.out, "results.md"), markdownReport(results, m, command));
    writeFileSync(join(v.out, "chart.svg"), svgChart(results, `${m.date} · ${m.cpu}, ${m.cores} cores · node ${m.node}${m.chromium ? ` · Chromium ${m.chromium}` : ""}`));
    if (!v.json) console.log(`\nwrote ${join(v.out, "results.json")}, results.md and chart.svg`);
  }
  return results.some((c) => c.rows.some((r) => r.status === "failed")) ? 1 : 0;
}
