// `hakmem bench sqlite-wasm`: SQLite compiled to wasm32-wasi as hakmem's client, against the
// module's own dlmalloc and against the same C built natively. The work is in bench/wasm/.
import { Progress } from "../bench/progress.ts";
import { BUILDS, type BuildName } from "../bench/wasm/builds.ts";
import { type ClientBenchResult, formatClientTable, runClientBench } from "../bench/wasm/client.ts";
import { sqliteProgram } from "../bench/wasm/sqlite.ts";
import { BuildError } from "../bench/wasm/toolchain.ts";
import { clockOption, integer, parse, positiveInt, UsageError } from "./usage.ts";

const PROFILES = ["balanced", "fast", "lean", "safe"];

export const HELP = `usage: hakmem bench sqlite-wasm [options]

SQLite (the amalgamation from the npm tarball of better-sqlite3, fetched with npm pack into
.cache/wasm on first use, with the objects compiled there: about a minute once) runs an
in-memory SQL workload (native/sqlite-bench.c: inserts in a transaction, indexes, aggregates,
ORDER BY, a join, updates, deletes, VACUUM, PRAGMA integrity_check), built three ways:
  wasm-hakmem    wasm32-wasi, every malloc of SQLite and libc through hakmem (wasm/malloc.c)
  wasm-dlmalloc  wasm32-wasi with wasi-libc's own malloc (dlmalloc)
  native         the same C built with cc and the C library's malloc
Each run in a fresh process, builds interleaved; the results' digests must all be equal.

  --runs N       runs per build (default 5; --quick 3)
  --rows N       rows inserted (default 100000; --quick 20000)
  --seed N       seed of the data (default 1)
  --vs LIST      builds, comma-separated (default ${BUILDS.join(",")})
  --profile P    hakmem's profile: balanced (default), fast, lean, safe
  --clock C      wall (default) or cpu: the program's thread CPU time, which other programs'
                 load on a shared machine inflates less
  --quick        fewer rows and runs
  --json         print the result as JSON
  -h, --help     this help

Needs clang with wasi-libc and wasm-ld (scripts/system-deps.sh) and npm. Exit code 1 when a
build fails or the results differ.`;

export async function main(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    runs: { type: "string" },
    rows: { type: "string" },
    seed: { type: "string" },
    vs: { type: "string" },
    profile: { type: "string", default: "balanced" },
    clock: { type: "string" },
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if (!PROFILES.includes(v.profile)) throw new UsageError(`unknown profile "${v.profile}" (${PROFILES.join(", ")})`);
  const builds = (v.vs ?? BUILDS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const b of builds) if (!(BUILDS as readonly string[]).includes(b)) throw new UsageError(`unknown build "${b}"; expected ${BUILDS.join(", ")}`);
  if (builds.length === 0) throw new UsageError("--vs names no build");
  const seed = integer("seed", v.seed) ?? 1;
  if (seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be 0..4294967295, got ${seed}`);
  const rows = positiveInt("rows", v.rows) ?? (v.quick ? 20_000 : 100_000);
  if (rows > 10_000_000) throw new UsageError(`--rows must be at most 10000000, got ${rows}`);
  const args = ["--rows", String(rows), "--seed", String(seed)];
  let bar: Progress | undefined;
  let stepped = 0;
  let result: ClientBenchResult;
  try {
    result = await runClientBench({
      program: await sqliteProgram(),
      args,
      builds: [...new Set(builds as BuildName[])],
      runs: positiveInt("runs", v.runs) ?? (v.quick ? 3 : 5),
      profile: v.profile,
      clock: clockOption(v.clock),
      progress: (what, done, total) => {
        bar ??= new Progress(total);
        for (; stepped < done; stepped++) bar.step();
        bar.show(what);
      },
    });
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(`hakmem bench sqlite-wasm: ${e.message}`);
    return 1;
  } finally {
    bar?.end();
  }
  if (v.json) console.log(JSON.stringify({ tool: "hakmem bench sqlite-wasm", command: `hakmem bench sqlite-wasm ${argv.join(" ")}`.trim(), ...result }, null, 2));
  else console.log(formatClientTable(result, `sqlite-wasm: SQLite ${String(result.results[0]?.output.sqlite ?? "")}, ${rows.toLocaleString("en-US")} rows, seed ${seed}`));
  return result.ok ? 0 : 1;
}
