// `hakmem ab`: hakmem's A/B procedure. Two configurations of hakmem run as pairs of fresh
// processes, alternating which goes first; the verdict comes from the bootstrap 95% interval of
// the median per-pair change (bench/verdict.ts). random-mixed pairs run in lockstep
// (bench/lockstep.ts), the other workloads as whole runs back to back. Pairs keep coming after
// --runs until the interval decides or --max-runs is reached.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { LOCKSTEP_SCRIPT, lockstepPair, pinningHere, stepsOf } from "../bench/lockstep.ts";
import { plan } from "../bench/plan.ts";
import { Progress } from "../bench/progress.ts";
import { PROCESS_SCRIPT, runOnce } from "../bench/runner.ts";
import { ALL_WORKLOADS, type RunSpec, type WorkloadName } from "../bench/spec.ts";
import { summarize } from "../bench/stats.ts";
import { type AbAnalysis, analyzeDeltas, THRESHOLD } from "../bench/verdict.ts";
import { STEP_CYCLES } from "../bench/workloads/random-mixed.ts";
import { machine } from "./machine.ts";
import { clockOption, integer, parse, positiveInt, positiveNumber, RUN_OPTIONS, UsageError } from "./usage.ts";

/** random-mixed cycles per process: 20 lockstep steps. */
const LOCKSTEP_CYCLES = 20 * STEP_CYCLES;

export const HELP = `usage: hakmem ab --a CONFIG --b CONFIG [options]

A configuration is a comma-separated list of key=value:
  profile=fast|balanced|lean|safe   the heap's profile
  HAKMEM_NAME=value                 an environment variable for the measured process
  build=DIR                         measure the hakmem built in DIR (another checkout's dist/)
                                    instead of this one: A/B of a code change

options:
  --a CONFIG, --b CONFIG   the two configurations (B is compared with A)
  --workload NAME          ${ALL_WORKLOADS.join(", ")} (default random-mixed)
  --runs N                 pairs at least (default 20)
  --max-runs M             pairs at most (default the larger of 80 and N): after N pairs,
                           more run one by one until the interval decides (GO, NEUTRAL or NO-GO)
  --cycles N               random-mixed: cycles per process (default ${LOCKSTEP_CYCLES.toLocaleString("en-US")}, ${LOCKSTEP_CYCLES / STEP_CYCLES} steps);
                           mid: per worker
  --clock C                random-mixed: cpu (default: the process's CPU time) or wall
  --seconds S, --workers N, --ws N, --seed N   as for 'hakmem bench'
  --quick                  the shorter larson, mid and xmalloc runs of 'hakmem bench --quick'
  --json                   print the result as JSON
  -h, --help               this help

random-mixed pairs run in lockstep: both processes start and warm up, then take turns running
${STEP_CYCLES.toLocaleString("en-US")} cycles at a time (A B, B A, ...), pinned to one CPU with taskset when it is
there; a pair's change is the median of its per-step speed ratios, so a shared machine's drift,
which both sides of a step see alike, cancels. Other workloads run whole, A and B back to back.

Verdict on the 95% interval of the median B/A change: GO (all ≥ +${THRESHOLD * 100}%), NO-GO (all
≤ −${THRESHOLD * 100}%), NEUTRAL (all within ±${THRESHOLD * 100}%), INCONCLUSIVE (it spans a threshold
after --max-runs pairs: longer runs or a quieter machine).`;

const OPTIONS = {
  ...RUN_OPTIONS,
  a: { type: "string" },
  b: { type: "string" },
  workload: { type: "string" },
  "max-runs": { type: "string" },
} as const;

const PROFILES = ["fast", "balanced", "lean", "safe"];

export interface AbConfig {
  readonly text: string;
  readonly options: Record<string, string>;
  readonly env: Record<string, string>;
  /** The dist/ directory whose bench processes run this side (default: this package's). */
  readonly build?: string;
}

export function parseConfig(text: string, which: string): AbConfig {
  const options: Record<string, string> = {};
  const env: Record<string, string> = {};
  let build: string | undefined;
  for (const item of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${which}: "${item}" is not key=value`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === "profile") {
      if (!PROFILES.includes(value)) throw new UsageError(`--${which}: profile must be one of ${PROFILES.join(", ")}, got "${value}"`);
      options.profile = value;
    } else if (key === "build") {
      build = resolve(value);
      for (const script of [LOCKSTEP_SCRIPT, PROCESS_SCRIPT]) {
        if (!existsSync(join(build, script))) throw new UsageError(`--${which}: build=${value}: ${join(build, script)} does not exist (a built hakmem's dist/ directory?)`);
      }
    } else if (/^HAKMEM_[A-Z0-9_]+$/.test(key)) {
      env[key] = value;
    } else {
      throw new UsageError(`--${which}: unknown key "${key}" (profile, build, or a HAKMEM_* environment variable)`);
    }
  }
  return { text, options, env, ...(build === undefined ? {} : { build }) };
}

function pct(x: number): string {
  return `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)}%`;
}

/** One pair's throughputs (ops/s) and B's relative change. */
interface Pair {
  readonly a: number;
  readonly b: number;
  readonly delta: number;
}

type Measure = (i: number) => Promise<Pair | string>;

/** random-mixed: a lockstep pair; pair i lets A step first when i is even. */
function lockstepMeasure(specs: readonly [[RunSpec, AbConfig], [RunSpec, AbConfig]]): Measure {
  return async (i) => {
    const side = ([spec, c]: [RunSpec, AbConfig]) => ({ spec, env: c.env, script: c.build && join(c.build, LOCKSTEP_SCRIPT) });
    const r = await lockstepPair(side(specs[0]), side(specs[1]), (i % 2) as 0 | 1);
    return "error" in r ? r.error : { a: r.result.a.opsPerSec, b: r.result.b.opsPerSec, delta: r.result.delta };
  };
}

/** Other workloads: A and B run whole, back to back; pair i runs A first when i is even. */
function wholeRunMeasure(specs: readonly [RunSpec, AbConfig][]): Measure {
  return async (i) => {
    const ops = [0, 0];
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const build = specs[k][1].build;
      const outcome = await runOnce(specs[k][0], specs[k][1].env, build && join(build, PROCESS_SCRIPT));
      if ("error" in outcome) return `${k === 0 ? "A" : "B"}: ${outcome.error}`;
      ops[k] = outcome.result.opsPerSec;
    }
    return { a: ops[0], b: ops[1], delta: ops[1] / ops[0] - 1 };
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if (v.a === undefined || v.b === undefined) throw new UsageError("both --a and --b are required");
  const a = parseConfig(v.a, "a");
  const b = parseConfig(v.b, "b");
  const workload = (v.workload ?? "random-mixed") as WorkloadName;
  if (!ALL_WORKLOADS.includes(workload)) throw new UsageError(`unknown workload "${workload}"; expected ${ALL_WORKLOADS.join(", ")}`);
  const runs = positiveInt("runs", v.runs) ?? 20;
  const maxRuns = positiveInt("max-runs", v["max-runs"]) ?? Math.max(runs, 80);
  if (maxRuns < runs) throw new UsageError(`--max-runs (${maxRuns}) is below --runs (${runs})`);
  const workers = positiveInt("workers", v.workers);
  const lockstep = workload === "random-mixed";
  const [planned] = plan({
    workloads: [workload],
    contenders: [{ name: "hakmem", id: "hakmem", options: {} }],
    quick: v.quick ?? false,
    cycles: positiveInt("cycles", v.cycles) ?? (lockstep ? LOCKSTEP_CYCLES : undefined),
    seconds: positiveNumber("seconds", v.seconds),
    workers: workers === undefined ? undefined : [workers],
    ws: positiveInt("ws", v.ws),
    seed: integer("seed", v.seed),
    clock: clockOption(v.clock) ?? "cpu",
  });
  if (planned === undefined) throw new UsageError(`${workload} cannot run with ${workers} worker(s)`);
  const base = planned.rows[0].spec!;
  const specs: [[RunSpec, AbConfig], [RunSpec, AbConfig]] = [
    [{ ...base, options: a.options }, a],
    [{ ...base, options: b.options }, b],
  ];
  const measure = lockstep ? lockstepMeasure(specs) : wholeRunMeasure(specs);
  const pairs: Pair[] = [];
  let r: AbAnalysis | undefined;
  const progress = new Progress(maxRuns);
  try {
    while (pairs.length < maxRuns && (r === undefined || pairs.length < runs || r.verdict === "INCONCLUSIVE")) {
      progress.show(`${planned.title} · pair ${pairs.length + 1} (${runs}–${maxRuns}) · A ${a.text} · B ${b.text}${r === undefined ? "" : ` · so far ${r.verdict}`}`);
      const pair = await measure(pairs.length);
      progress.step();
      if (typeof pair === "string") {
        progress.end();
        console.error(`hakmem ab: pair ${pairs.length + 1} failed: ${pair}`);
        return 1;
      }
      pairs.push(pair);
      r = analyzeDeltas(pairs.map((p) => p.delta));
    }
  } finally {
    progress.end();
  }
  const result = r!;
  const ops = [pairs.map((p) => p.a), pairs.map((p) => p.b)];
  const sa = summarize(ops[0]);
  const sb = summarize(ops[1]);
  const m = machine(false);
  const pin = pinningHere();
  const method = lockstep
    ? `lockstep pairs of fresh processes, ${plural(stepsOf(base.cycles).length, "step")} each, ${"cpu" in pin ? `pinned to CPU ${pin.cpu}` : `not pinned (${pin.reason})`}`
    : "whole runs back to back in fresh processes";
  if (v.json) {
    const doc = { tool: "hakmem ab", machine: m, workload: planned.title, params: planned.params, method, pairs: pairs.length, minPairs: runs, maxPairs: maxRuns };
    console.log(JSON.stringify({ ...doc, a: { ...a, opsPerSec: ops[0], summary: sa }, b: { ...b, opsPerSec: ops[1], summary: sb }, deltas: pairs.map((p) => p.delta), ...result }, null, 2));
    return 0;
  }
  const p = Object.entries(planned.params).map(([k, x]) => `${k} ${x.toLocaleString("en-US")}`).join(", ");
  const line = (name: string, c: AbConfig, s: typeof sa): string =>
    `${name} ${c.text.padEnd(Math.max(a.text.length, b.text.length))}  median ${(s.median / 1e6).toFixed(2)} M ops/s  (${(s.min / 1e6).toFixed(2)}–${(s.max / 1e6).toFixed(2)}, CV ${(s.cv * 100).toFixed(1)}%)`;
  const stopped = result.verdict === "INCONCLUSIVE" ? `after ${pairs.length} pairs, the most allowed` : pairs.length > runs ? `decided after ${pairs.length} pairs` : `${pairs.length} pairs`;
  console.log(`hakmem ab — ${planned.title} (${p}); ${method}, order alternating; ${m.date}, ${m.cpu}, node ${m.node}
${line("A", a, sa)}
${line("B", b, sb)}
B vs A over ${pairs.length} pairs: median ${pct(result.medianDelta)}, mean ${pct(result.meanDelta)}, 95% CI of the median [${pct(result.ci[0])}, ${pct(result.ci[1])}]
verdict: ${result.verdict} (${stopped})${result.verdict === "INCONCLUSIVE" ? `; the median alone says ${result.pointVerdict}, the interval spans a ±${THRESHOLD * 100}% threshold` : ""}`);
  return 0;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
