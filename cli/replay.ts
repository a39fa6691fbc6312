// `hakmem replay` (and `hakmem bench replay`): real-program allocation traces through hakmem and
// the C library's malloc. The work is in bench/trace/; this is the command line.
import { Progress } from "../bench/progress.ts";
import { formatReplayTable, type ReplayBenchResult, ReplayUsageError, runReplayBench } from "../bench/trace/bench.ts";
import { integer, parse, positiveInt, UsageError } from "./usage.ts";

export const HELP = `usage: hakmem replay [<file.hkt.gz | directory>] [options]

Replays allocation traces of real programs (HKT1: ../shared/traces/README.md) through hakmem,
each contender in a fresh process, and prints speed, footprint and end state per trace.
Without a path: every trace in ../shared/traces.

  --vs LIST        contenders besides hakmem: native (the C library's malloc, built with
                   $CC or cc; skipped with a note when there is none), hakmem:fast,
                   hakmem:lean, hakmem:safe, wasm-dlmalloc and wasm-hakmem[:profile]
                   (the C replay compiled to wasm32-wasi with clang, its malloc wasi-libc's
                   dlmalloc or hakmem through wasm/malloc.c) (comma list; default native)
  --profile NAME   hakmem's profile: balanced (default), fast, lean, safe
  --runs N         replays per contender in its process, the fastest counted (default 3;
                   1 with --verify or --threads)
  --min-records M  timed mode: more runs of a short trace, as many for every contender,
                   until M records have been replayed (default 10000000; at most 1000
                   runs; 0: exactly --runs). The C replay is at full speed from its first
                   record, hakmem only once V8 has optimised it: with 3 runs of a short
                   trace the fastest would time V8's warm-up. "1st run" shows the cold run
  --threads        one worker per trace thread; records still run in recorded order, so
                   every cross-thread free is a real remote free (correctness mode)
  --verify         fill every block with a pattern from its id, check it on free, after
                   realloc and at the end, and check calloc memory is zero (not a timing)
  --no-verify      time the replay (the default)
  --traces DIR     the same as the path argument
  --json           print the result as JSON
  -h, --help       this help

The trace's decoding is not timed. Exit code 1 when a replay fails (corrupt block, wrong
live counts, malformed trace), 2 for a usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      vs: { type: "string" },
      profile: { type: "string", default: "balanced" },
      runs: { type: "string" },
      "min-records": { type: "string" },
      threads: { type: "boolean", default: false },
      verify: { type: "boolean", default: false },
      "no-verify": { type: "boolean", default: false },
      traces: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    true,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.verify && values["no-verify"]) throw new UsageError("--verify and --no-verify contradict each other");
  if (positionals.length > 1) throw new UsageError(`one trace file or directory, got ${positionals.length}`);
  if (positionals.length === 1 && values.traces !== undefined) throw new UsageError("give the traces as the path argument or with --traces, not both");
  const vs = values.vs === undefined ? ["native"] : values.vs.split(",").filter((s) => s.trim() !== "");
  let bar: Progress | undefined;
  let stepped = 0;
  const progress = (what: string, done: number, total: number): void => {
    bar ??= new Progress(total);
    for (; stepped < done; stepped++) bar.step();
    bar.show(what);
  };
  let result: ReplayBenchResult;
  try {
    result = await runReplayBench({
      traces: positionals[0] ?? values.traces,
      vs: [`hakmem:${values.profile}`, ...vs],
      runs: positiveInt("runs", values.runs),
      minRecords: integer("min-records", values["min-records"]),
      verify: values.verify,
      threads: values.threads,
      progress,
    });
  } catch (e) {
    if (e instanceof ReplayUsageError) throw new UsageError(e.message);
    throw e;
  } finally {
    bar?.end();
  }
  console.log(values.json ? JSON.stringify(result, null, 2) : formatReplayTable(result));
  return result.ok ? 0 : 1;
}
