// random-mixed as a soak: hakmem's bench_random_mixed (ws 400, seed 1, sizes 16–1024 B, one byte
// written per block, the same precomputed tables and timed loop as `hakmem bench`) run without
// end, in chunks of cycles, looking at the clock between chunks.
import { create } from "../contenders/hakmem.ts";
import { makeTables, TABLE_LENGTH } from "../tables.ts";
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
  // The loop indexes its tables from 0 with a power-of-two mask: hand it consecutive windows of
  // the tables, made once, so the run walks the whole sequence as one long bench run would.
  const windows = TABLE_LENGTH / CHUNK;
  const slotTabs = Array.from({ length: windows }, (_, k) => tables.slot.subarray(k * CHUNK, (k + 1) * CHUNK));
  const sizeTabs = Array.from({ length: windows }, (_, k) => tables.size.subarray(k * CHUNK, (k + 1) * CHUNK));
  const a = create({ liveBytes: WS * MAX_SIZE, maxSize: MAX_SIZE, options: { profile: opts.profile } });
  const slots = new Int32Array(WS);
  const rec = new EpochRecorder(
    opts.epochs,
    () => {
      const s = a.stats();
      return { footprintBytes: s.footprintBytes, growths: s.growths };
    },
    opts.onEpoch,
  );
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
  const s = a.stats();
  return {
    epochs: rec.epochs,
    problems: leftLive({ liveBlocks: s.liveBlocks, liveBytes: s.liveBytes }),
    detail: { op: "one cycle: a malloc (and one byte written) or a free", ws: WS, seed: SEED, sizes: `${MIN_SIZE}-${MAX_SIZE}` },
  };
}
