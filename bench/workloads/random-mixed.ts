// random-mixed (hakmem's bench_random_mixed): cycles over ws slots; each cycle frees the slot if
// live, else allocates a size uniform in 16–1024 B into it and writes one byte.
import type { ContenderModule } from "../contender.ts";
import type { RunSpec } from "../spec.ts";
import { makeTables, tableChecksum } from "../tables.ts";
import { checkedLoop, freeAll, randomMixedLoop } from "./random-mixed-loop.ts";
import type { Measurement, Workload } from "./workload.ts";

export const MIN_SIZE = 16;
export const MAX_SIZE = 1024;

function wallSeconds(): number {
  return performance.now() / 1000;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function run(spec: RunSpec, mod: ContenderModule): Promise<Measurement> {
  const tables = makeTables(spec.ws, spec.seed, MIN_SIZE, MAX_SIZE);
  const slots = new Int32Array(spec.ws);
  const a = await mod.create(randomMixed.options(spec));
  const extra: Record<string, number> = { tableChecksum: tableChecksum(tables) };
  if (spec.check) {
    const t0 = performance.now();
    const problems = checkedLoop(a, slots, tables.slot, tables.size, spec.cycles);
    if (problems.length === 0) freeAll(a, slots);
    return { ops: spec.cycles, seconds: (performance.now() - t0) / 1000, peakFootprintBytes: a.peakFootprint(), problems, extra };
  }
  const clock = spec.clock === "cpu" ? cpuSeconds : wallSeconds;
  let seconds = Infinity;
  let peakFootprintBytes: number | null = null;
  for (let r = 0; r < (spec.repeat ?? 1); r++) {
    const t0 = clock();
    extra.mallocs = randomMixedLoop(a, slots, tables.slot, tables.size, spec.cycles);
    seconds = Math.min(seconds, clock() - t0);
    if (r === 0) peakFootprintBytes = a.peakFootprint(); // before freeing: some pools lower their top on free
    extra.liveAtEnd = freeAll(a, slots);
  }
  const stats = a.stats();
  const problems = "liveBlocks" in stats && stats.liveBlocks !== 0 ? [`liveBlocks is ${stats.liveBlocks} after every block was freed`] : [];
  return { ops: spec.cycles, seconds, peakFootprintBytes, problems, extra };
}

export const randomMixed: Workload = {
  options: (spec) => ({ liveBytes: spec.ws * MAX_SIZE, maxSize: MAX_SIZE, options: spec.options }),
  run,
};
