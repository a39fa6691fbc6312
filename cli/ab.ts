// `hakmem ab`: hakmem's A/B procedure. Two configurations of hakmem run as pairs, back to back
// in fresh processes, alternating which goes first (A B, B A, ...); the verdict comes from the
// bootstrap 95% interval of the median per-pair change (bench/verdict.ts).
import { plan } from "../bench/plan.ts";
import { Progress } from "../bench/progress.ts";
import { runOnce } from "../bench/runner.ts";
import { WORKLOADS, type RunSpec, type WorkloadName } from "../bench/spec.ts";
import { summarize } from "../bench/stats.ts";
import { analyzeAb, THRESHOLD } from "../bench/verdict.ts";
import { machine } from "./machine.ts";
import { clockOption, integer, parse, positiveInt, positiveNumber, RUN_OPTIONS, UsageError } from "./usage.ts";

export const HELP = `usage: hakmem ab --a CONFIG --b CONFIG [options]

A configuration is a comma-separated list of key=value:
  profile=fast|balanced|lean|safe   the heap's profile
  HAKMEM_NAME=value                 an environment variable for the measured process

options:
  --a CONFIG, --b CONFIG   the two configurations (B is compared with A)
  --workload NAME          ${WORKLOADS.join(", ")} (default random-mixed)
  --runs N                 pairs (default 20: on a shared 2-core machine 10 rarely narrow the
                           interval to ±1 %)
  --repeat K               random-mixed: timed repetitions per process, the fastest counted
                           (default 3: a run on a shared machine is only ever slowed down)
  --clock C                random-mixed: cpu (default: the process's CPU time, which other
                           programs' load does not inflate) or wall
  --cycles N, --seconds S, --workers N, --ws N, --seed N   as for 'hakmem bench'
  --quick                  the shorter runs of 'hakmem bench --quick'
  --json                   print the result as JSON
  -h, --help               this help

Verdict on the 95% interval of the median B/A change: GO (all ≥ +${THRESHOLD * 100}%), NO-GO (all
≤ −${THRESHOLD * 100}%), NEUTRAL (all within ±${THRESHOLD * 100}%), INCONCLUSIVE (it spans a threshold:
run more pairs or longer runs).`;

const OPTIONS = {
  ...RUN_OPTIONS,
  a: { type: "string" },
  b: { type: "string" },
  workload: { type: "string" },
} as const;

const PROFILES = ["fast", "balanced", "lean", "safe"];

export interface AbConfig {
  readonly text: string;
  readonly options: Record<string, string>;
  readonly env: Record<string, string>;
}

export function parseConfig(text: string, which: string): AbConfig {
  const options: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const item of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${which}: "${item}" is not key=value`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === "profile") {
      if (!PROFILES.includes(value)) throw new UsageError(`--${which}: profile must be one of ${PROFILES.join(", ")}, got "${value}"`);
      options.profile = value;
    } else if (/^HAKMEM_[A-Z0-9_]+$/.test(key)) {
      env[key] = value;
    } else {
      throw new UsageError(`--${which}: unknown key "${key}" (profile, or a HAKMEM_* environment variable)`);
    }
  }
  return { text, options, env };
}

function pct(x: number): string {
  return `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)}%`;
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
  if (!WORKLOADS.includes(workload)) throw new UsageError(`unknown workload "${workload}"; expected ${WORKLOADS.join(", ")}`);
  const runs = positiveInt("runs", v.runs) ?? 20;
  const workers = positiveInt("workers", v.workers);
  const [planned] = plan({
    workloads: [workload],
    contenders: [{ name: "hakmem", id: "hakmem", options: {} }],
    quick: v.quick ?? false,
    cycles: positiveInt("cycles", v.cycles),
    seconds: positiveNumber("seconds", v.seconds),
    workers: workers === undefined ? undefined : [workers],
    ws: positiveInt("ws", v.ws),
    seed: integer("seed", v.seed),
    repeat: positiveInt("repeat", v.repeat) ?? 3,
    clock: clockOption(v.clock) ?? "cpu",
  });
  if (planned === undefined) throw new UsageError(`${workload} cannot run with ${workers} worker(s)`);
  const base = planned.rows[0].spec!;
  const specs: [RunSpec, AbConfig][] = [
    [{ ...base, options: a.options }, a],
    [{ ...base, options: b.options }, b],
  ];
  const ops: [number[], number[]] = [[], []];
  const progress = new Progress(2 * runs);
  try {
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0]; // A B, B A, ...: neither always goes first
      for (const k of order) {
        progress.show(`${planned.title} · pair ${i + 1}/${runs} · ${k === 0 ? "A" : "B"} ${specs[k][1].text}`);
        const outcome = await runOnce(specs[k][0], specs[k][1].env);
        progress.step();
        if ("error" in outcome) {
          progress.end();
          console.error(`hakmem ab: ${k === 0 ? "A" : "B"} (${specs[k][1].text}) failed: ${outcome.error}`);
          return 1;
        }
        ops[k].push(outcome.result.opsPerSec);
      }
    }
  } finally {
    progress.end();
  }
  const r = analyzeAb(ops[0], ops[1]);
  const sa = summarize(ops[0]);
  const sb = summarize(ops[1]);
  const m = machine(false);
  if (v.json) {
    console.log(JSON.stringify({ tool: "hakmem ab", machine: m, workload: planned.title, params: planned.params, a: { ...a, opsPerSec: ops[0], summary: sa }, b: { ...b, opsPerSec: ops[1], summary: sb }, ...r }, null, 2));
    return 0;
  }
  const p = Object.entries(planned.params).map(([k, x]) => `${k} ${x.toLocaleString("en-US")}`).join(", ");
  const line = (name: string, c: AbConfig, s: typeof sa): string =>
    `${name} ${c.text.padEnd(Math.max(a.text.length, b.text.length))}  median ${(s.median / 1e6).toFixed(2)} M ops/s  (${(s.min / 1e6).toFixed(2)}–${(s.max / 1e6).toFixed(2)}, CV ${(s.cv * 100).toFixed(1)}%)`;
  console.log(`hakmem ab — ${planned.title} (${p}), ${runs} pairs, fresh processes, order alternating; ${m.date}, ${m.cpu}, node ${m.node}
${line("A", a, sa)}
${line("B", b, sb)}
B vs A: median ${pct(r.medianDelta)}, mean ${pct(r.meanDelta)}, 95% CI of the median [${pct(r.ci[0])}, ${pct(r.ci[1])}]
verdict: ${r.verdict}${r.verdict === "INCONCLUSIVE" ? ` (the median alone says ${r.pointVerdict}; the interval spans a ±${THRESHOLD * 100}% threshold: more pairs or longer runs)` : ""}`);
  return 0;
}
