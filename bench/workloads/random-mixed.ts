// random-mixed (hakmem's bench_random_mixed): cycles over ws slots; each cycle frees the slot if
// live, else allocates a size uniform in 16–1024 B into it and writes one byte.
import type { ContenderModule } from "../contender.ts";
import type { RunSpec } from "../spec.ts";
import { makeTables, TABLE_LENGTH, tableChecksum, windowsOf } from "../tables.ts";
import { checkedLoop, freeAll, randomMixedLoop } from "./random-mixed-loop.ts";
import { liveAfterFree, type Measurement, type Workload } from "./workload.ts";

export const MIN_SIZE = 16;
export const MAX_SIZE = 1024;

function wallSeconds(): number {
  return performance.now() / 1000;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function clockOf(spec: RunSpec): () => number {
  return spec.clock === "cpu" ? cpuSeconds : wallSeconds;
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
  const clock = clockOf(spec);
  let seconds = Infinity;
  let peakFootprintBytes: number | null = null;
  for (let r = 0; r < (spec.repeat ?? 1); r++) {
    const t0 = clock();
    extra.mallocs = randomMixedLoop(a, slots, tables.slot, tables.size, spec.cycles);
    seconds = Math.min(seconds, clock() - t0);
    if (r === 0) peakFootprintBytes = a.peakFootprint(); // before freeing: some pools lower their top on free
    extra.liveAtEnd = freeAll(a, slots);
  }
  return { ops: spec.cycles, seconds, peakFootprintBytes, problems: liveAfterFree(a), extra };
}

/** Cycles per step of a stepped run: a quarter of the tables, about 8 ms of hakmem. */
export const STEP_CYCLES = TABLE_LENGTH / 4;

/** random-mixed advanced step by step (`hakmem ab`'s lockstep pairs, bench/lockstep.ts). */
export interface SteppedRun {
  /** Runs the next `cycles` (≤ STEP_CYCLES) cycles; returns their duration by the spec's clock. */
  step(cycles: number): number;
  /** Frees every live block; returns the run's footprint and problems. */
  finish(): Pick<Measurement, "peakFootprintBytes" | "problems">;
}

/**
 * The same workload cut into steps of at most STEP_CYCLES: step k replays table window k mod 4,
 * so two processes stepping in lockstep run identical cycles at each step.
 */
export async function stepped(spec: RunSpec, mod: ContenderModule): Promise<SteppedRun> {
  const { slot: slotTabs, size: sizeTabs } = windowsOf(makeTables(spec.ws, spec.seed, MIN_SIZE, MAX_SIZE), STEP_CYCLES);
  const windows = slotTabs.length;
  const slots = new Int32Array(spec.ws);
  const a = await mod.create(randomMixed.options(spec));
  const clock = clockOf(spec);
  let k = 0;
  return {
    step(cycles: number): number {
      if (!(cycles >= 1 && cycles <= STEP_CYCLES)) throw new RangeError(`a step is 1 to ${STEP_CYCLES} cycles, got ${cycles}`);
      const t0 = clock();
      randomMixedLoop(a, slots, slotTabs[k], sizeTabs[k], cycles);
      const seconds = clock() - t0;
      k = (k + 1) % windows;
      return seconds;
    },
    finish() {
      const peakFootprintBytes = a.peakFootprint();
      freeAll(a, slots);
      return { peakFootprintBytes, problems: liveAfterFree(a) };
    },
  };
}

export const randomMixed: Workload = {
  options: (spec) => ({ liveBytes: spec.ws * MAX_SIZE, maxSize: MAX_SIZE, options: spec.options }),
  run,
};
