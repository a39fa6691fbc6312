// replay as a soak: one trace replayed in a loop through one heap handle (the trace's threads in
// recorded order in this one thread, as `hakmem replay` times it), everything still live freed
// between passes, a chunk of records at a time with a look at the clock between chunks. An op
// is one record; the frees between passes are part of the time but not of the count.
import { createHeap, MAX_HEAP_BYTES } from "hakmem";
import { readHkt } from "../trace/hkt.ts";
import { freeLive, replayTimed } from "../trace/replay.ts";
import { EpochRecorder } from "./epochs.ts";
import { leftLive, type SoakOptions, type SoakRun } from "./workload.ts";

/** Records between clock checks. */
const CHUNK = 1 << 15;

export async function soakReplay(opts: SoakOptions): Promise<SoakRun> {
  const t = await readHkt(opts.trace!);
  if (t.recordCount === 0) throw new Error(`${t.name}: the trace has no records`);
  const heap = createHeap({ maxBytes: MAX_HEAP_BYTES, profile: opts.profile });
  const off = new Int32Array(t.blockCount + 1);
  const rec = new EpochRecorder(opts.epochs, heap, opts.onEpoch);
  let at = 0;
  let ops = 0;
  let passes = 0;
  rec.begin();
  while (!rec.done) {
    const to = Math.min(t.recordCount, at + CHUNK);
    replayTimed(heap, t, off, at, to);
    ops += to - at;
    at = to;
    if (at === t.recordCount) {
      freeLive(heap, t, off);
      at = 0;
      passes++;
    }
    if (rec.closeIfDue(performance.now(), ops)) ops = 0;
  }
  freeLive(heap, t, off);
  return {
    epochs: rec.epochs,
    problems: leftLive(heap.stats()),
    detail: { op: "one trace record", trace: t.name, records: t.recordCount, peakLiveBytes: t.peakLiveBytes, passes: passes + at / t.recordCount },
  };
}
