// random-mixed as a soak: hakmem's bench_random_mixed (ws 400, seed 1, sizes 16–1024 B, one byte
// written per block, the same precomputed tables and timed loop as `hakmem bench`) run without
// end, in chunks of cycles, looking at the clock between chunks.
import { createHeap } from "hakmem";
import { Hakmem } from "../contenders/hakmem.ts";
import { makeTables, windowsOf } from "../tables.ts";
import { freeAll, randomMixedLoop } from "../workloads/random-mixed-loop.ts";
import { MAX_SIZE, MIN_SIZE } from "../workloads/random-mixed.ts";
import { EpochRecorder } from "./epochs.ts";
import { leftLive, type SoakOptions, type SoakRun } from "./workload.ts";

const WS = 400;
const SEED = 1;
/** Cycles between clock checks: well under a millisecond, so an epoch ends close to its second. */
const CHUNK = 1 << 14;

export function soakRandomMixed(opts: SoakOptions): SoakRun {
  const tables = makeTables(WS, SEED, MIN_SIZE, MAX_SIZE);
  // Consecutive windows of the tables, so the run walks the whole sequence as one long bench run would.
  const { slot: slotTabs, size: sizeTabs } = windowsOf(tables, CHUNK);
  const windows = slotTabs.length;
  const a = new Hakmem(createHeap({ profile: opts.profile }));
  const slots = new Int32Array(WS);
  const rec = new EpochRecorder(opts.epochs, a.heap, opts.onEpoch);
  let ops = 0;
  let k = 0;
  rec.begin();
  while (!rec.done) {
    randomMixedLoop(a, slots, slotTabs[k], sizeTabs[k], CHUNK);
    k = (k + 1) % windows;
    ops += CHUNK;
    if (rec.closeIfDue(performance.now(), ops)) ops = 0;
  }
  freeAll(a, slots);
  return {
    epochs: rec.epochs,
    problems: leftLive(a.heap.stats()),
    detail: { op: "one cycle: a malloc (and one byte written) or a free", ws: WS, seed: SEED, sizes: `${MIN_SIZE}-${MAX_SIZE}` },
  };
}
