// bench_random_mixed driver: runs each contender in its own fresh Node process, interleaved
// (A B C A B C ...), and prints median / min-max ops/s and the ratio to hakmem:balanced.
//   npm run bench:random-mixed -- --runs 3 --vs hakmem,hakmem:fast,sol,thing
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = fileURLToPath(new URL(".", import.meta.url));
const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));
const srcIndex = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "20000000" },
    ws: { type: "string", default: "400" },
    seed: { type: "string", default: "1" },
    runs: { type: "string", default: "3" },
    vs: { type: "string", default: "hakmem,hakmem:fast,sol,thing" },
    "thing-cycles": { type: "string", default: "200000" },
    check: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`usage: node --import tsx bench/random-mixed/run.ts [options]
  --cycles N        cycles per run (default 20000000)
  --thing-cycles N  cycles for the thing contender (default 200000; it is ~50x slower)
  --ws N            working set: number of slots (default 400)
  --seed N          table seed (default 1)
  --runs N          runs per contender, interleaved, each in a fresh process (default 3)
  --vs LIST         contenders: hakmem[:fast|balanced|lean|safe], sol, thing
                    (default hakmem,hakmem:fast,sol,thing; "hakmem" = hakmem:balanced)
  --check           instead of timing, run the checked loop once per contender (full-block
                    fill/verify, alignment) and report problems
  --json            print the raw per-run results as JSON`);
  process.exit(0);
}

function int(name: string, s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${s}`);
  return n;
}

const cycles = int("cycles", values.cycles);
const thingCycles = int("thing-cycles", values["thing-cycles"]);
const ws = int("ws", values.ws);
const seed = Number(values.seed);
const runs = int("runs", values.runs);

const KNOWN = new Set(["sol", "thing", "hakmem"]);
function canonical(name: string): string {
  const n = name.trim().replace(/^hakmem-/, "hakmem:");
  if (n === "hakmem") return "hakmem:balanced";
  const kind = n.split(":")[0];
  if (!KNOWN.has(kind)) throw new Error(`unknown contender "${name}" (sol, thing, hakmem[:profile])`);
  return n;
}

let contenders = [...new Set(values.vs.split(",").filter((s) => s.trim() !== "").map(canonical))];
const notes: string[] = [];
if (!existsSync(srcIndex) && contenders.some((c) => c.startsWith("hakmem"))) {
  notes.push(`skipped hakmem contenders: ${srcIndex} does not exist yet`);
  contenders = contenders.filter((c) => !c.startsWith("hakmem"));
}

interface RunResult {
  contender: string;
  cycles: number;
  seconds: number;
  opsPerSec: number;
  mallocs: number;
  liveAtEnd: number;
  peakFootprint: number;
  statsAtEnd: Record<string, number>;
  statsAfterFreeAll: Record<string, number>;
}

interface Failure {
  contender: string;
  code: number | null;
  stderr: string;
  stdout: string;
}

function runWorker(contender: string, extra: string[]): Promise<{ json?: Record<string, unknown>; failure?: Failure }> {
  const n = contender === "thing" ? thingCycles : cycles;
  const args = ["--import", "tsx", workerPath, "--contender", contender, "--cycles", String(n), "--ws", String(ws), "--seed", String(seed), ...extra];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: here, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      const line = out.split("\n").reverse().find((l) => l.startsWith("{"));
      let json: Record<string, unknown> | undefined;
      try {
        json = line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      if (code !== 0 || !json) resolve({ json, failure: { contender, code, stderr: err, stdout: out } });
      else resolve({ json });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r, ri) => {
      const line = r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
      return ri === 0 ? `${line}\n${w.map((x) => "-".repeat(x)).join("  ")}` : line;
    })
    .join("\n");
}

const failures: Failure[] = [];

if (values.check) {
  const results: Record<string, unknown>[] = [];
  for (const c of contenders) {
    const { json, failure } = await runWorker(c, ["--check"]);
    if (json) results.push(json);
    if (failure) failures.push(failure);
  }
  if (values.json) console.log(JSON.stringify({ results, failures, notes }, null, 2));
  else {
    for (const r of results) {
      const problems = r.problems as string[];
      console.log(`${String(r.contender).padEnd(16)} ${r.ok ? "OK" : "FAILED"} (${r.cycles} cycles, ws ${r.ws}, seed ${r.seed})`);
      for (const p of problems) console.log(`    ${p}`);
    }
  }
} else {
  const byContender = new Map<string, RunResult[]>(contenders.map((c) => [c, []]));
  for (let r = 0; r < runs; r++) {
    for (const c of contenders) {
      const { json, failure } = await runWorker(c, []);
      if (failure) failures.push(failure);
      else byContender.get(c)!.push(json as unknown as RunResult);
      if (!values.json) process.stderr.write(`run ${r + 1}/${runs} ${c}: ${failure ? "FAILED" : ((json as unknown as RunResult).opsPerSec / 1e6).toFixed(2) + " M ops/s"}\n`);
    }
  }

  const med = new Map<string, number>();
  for (const [c, rs] of byContender) if (rs.length) med.set(c, median(rs.map((x) => x.opsPerSec)));
  const baseName = med.has("hakmem:balanced") ? "hakmem:balanced" : contenders.find((c) => med.has(c));
  const base = baseName ? med.get(baseName)! : NaN;

  if (values.json) {
    console.log(JSON.stringify({ params: { cycles, thingCycles, ws, seed, runs, node: process.version }, base: baseName, medians: Object.fromEntries(med), runs: Object.fromEntries(byContender), failures, notes }, null, 2));
  } else {
    console.log(`\nrandom-mixed: cycles=${cycles} (thing ${thingCycles}) ws=${ws} seed=${seed} sizes 16-1024 B, runs=${runs}, node ${process.version}`);
    const rows = [["contender", "cycles", "median M ops/s", "min-max", `vs ${baseName}`, "peak footprint"]];
    for (const [c, rs] of byContender) {
      if (!rs.length) {
        rows.push([c, "-", "FAILED", "-", "-", "-"]);
        continue;
      }
      const ops = rs.map((x) => x.opsPerSec / 1e6);
      const m = med.get(c)!;
      rows.push([
        c,
        String(rs[0].cycles),
        (m / 1e6).toFixed(2),
        `${Math.min(...ops).toFixed(2)}-${Math.max(...ops).toFixed(2)}`,
        `${(m / base).toFixed(3)}x`,
        `${(median(rs.map((x) => x.peakFootprint)) / 1024).toFixed(0)} KiB`,
      ]);
    }
    console.log(table(rows));
  }
}

for (const n of notes) console.log(`note: ${n}`);
for (const f of failures) {
  console.log(`\nFAILED ${f.contender} (exit ${f.code}):\n${f.stderr.trim()}\n${f.stdout.trim()}`);
}
if (failures.length) process.exitCode = 1;
