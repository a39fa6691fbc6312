// One contender, one fresh process: builds the tables, times the whole run, frees what is
// still live, prints one JSON line on stdout. Normally started by run.ts; can be run by hand:
//   node --import tsx bench/random-mixed/worker.ts --contender sol --cycles 20000000
import { parseArgs } from "node:util";
import type { Contender, ContenderFactory } from "./contender.ts";
import { checkedLoop, freeAll, randomMixedLoop } from "./loop.ts";
import { makeTables } from "./tables.ts";

const { values } = parseArgs({
  options: {
    contender: { type: "string", default: "hakmem" },
    cycles: { type: "string", default: "20000000" },
    ws: { type: "string", default: "400" },
    seed: { type: "string", default: "1" },
    check: { type: "boolean", default: false },
  },
});

function int(name: string, s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${s}`);
  return n;
}

const cycles = int("cycles", values.cycles);
const ws = int("ws", values.ws);
const seed = int("seed", values.seed);
const [kind, profile] = values.contender.split(":");

async function load(): Promise<ContenderFactory> {
  switch (kind) {
    case "sol":
      return (await import("./contenders/sol.ts")).create;
    case "thing":
      return (await import("./contenders/thing.ts")).create;
    case "hakmem":
      return (await import("./contenders/hakmem.ts")).create;
    default:
      throw new Error(`unknown contender ${values.contender} (sol, thing, hakmem[:profile])`);
  }
}

const create = await load();
const tables = makeTables(ws, seed);
const slots = new Int32Array(ws);
const a: Contender = await create({ ws, cycles, profile: kind === "hakmem" ? (profile ?? "balanced") : undefined });

if (values.check) {
  const problems = checkedLoop(a, slots, tables.slot, tables.size, cycles);
  const freed = problems.length === 0 ? freeAll(a, slots) : 0;
  console.log(JSON.stringify({ contender: a.name, mode: "check", cycles, ws, seed, ok: problems.length === 0, problems, freed, stats: a.stats() }));
  process.exitCode = problems.length === 0 ? 0 : 1;
} else {
  const t0 = performance.now();
  const mallocs = randomMixedLoop(a, slots, tables.slot, tables.size, cycles);
  const seconds = (performance.now() - t0) / 1000;
  const peakFootprint = a.peakFootprint(); // before freeing: some pools shrink their top on free
  const statsAtEnd = a.stats();
  const liveAtEnd = freeAll(a, slots);
  const result = {
    contender: a.name,
    cycles,
    ws,
    seed,
    seconds,
    opsPerSec: cycles / seconds,
    mallocs,
    liveAtEnd,
    peakFootprint,
    statsAtEnd,
    statsAfterFreeAll: a.stats(),
  };
  a.teardown();
  console.log(JSON.stringify(result));
}
