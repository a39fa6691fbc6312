// Replays one trace through hakmem in this process and checks the end state. Timing covers the
// replay only: the trace is decoded and validated first, and the checks and frees after each
// run are outside the clock.
import { createHeap, MAX_HEAP_BYTES, type ProfileName } from "hakmem";
import { type HktTrace, readHkt } from "./hkt.ts";
import { checkLive, freeLive, ReplayError, replayTimed, replayVerified } from "./replay.ts";
import { replayThreads } from "./threads.ts";

type Heap = ReturnType<typeof createHeap>;

export interface HakmemRunOptions {
  readonly profile: ProfileName;
  /** Fill and check every block (see replay.ts); the times are then not comparable. */
  readonly verify: boolean;
  /** One worker per trace thread, records in recorded order (see threads.ts). */
  readonly threads: boolean;
  /** Replays in this process through the same heap (everything freed between runs); ≥ 1. */
  readonly runs: number;
  /** More runs if needed until this many records have been replayed (at most 1000 runs; as native/replay.c). */
  readonly minRecords?: number;
}

/** Runs for a trace of `records`: `runs`, or as many as replay `minRecords` records, up to 1000 (as native/replay.c). */
export function runsFor(runs: number, minRecords: number, records: number): number {
  return records > 0 && minRecords > runs * records ? Math.min(1000, Math.ceil(minRecords / records)) : runs;
}

export interface TraceFacts {
  readonly trace: string;
  readonly records: number;
  readonly threads: number;
  readonly remoteFrees: number;
  readonly peakLiveBytes: number;
  readonly peakLiveBlocks: number;
  readonly liveAtEndBlocks: number;
  readonly liveAtEndBytes: number;
}

export interface HakmemRun extends TraceFacts {
  readonly contender: string;
  readonly mode: "timed" | "verified" | "threads" | "threads, verified";
  readonly decodeSeconds: number;
  /** Each run's replay time. */
  readonly seconds: number[];
  /** Each run's CPU time (process.cpuUsage: this thread's, plus Node's compiler and GC threads). */
  readonly cpuSeconds: number[];
  /** Of the fastest run. */
  readonly opsPerSec: number;
  /** hakmem's break at its highest, in the first run (a fresh heap). */
  readonly peakFootprintBytes: number;
  /** peakFootprintBytes / peakLiveBytes. */
  readonly footprintRatio: number;
  /** What the heap says is live after the last record (equal to the trace's, or the run fails). */
  readonly liveBlocks: number;
  readonly liveBytes: number;
  readonly bufferBytes: number;
  readonly maxRssBytes: number;
}

function factsOf(t: HktTrace): TraceFacts {
  return {
    trace: t.name,
    records: t.recordCount,
    threads: t.threadCount,
    remoteFrees: t.crossThreadFrees,
    peakLiveBytes: t.peakLiveBytes,
    peakLiveBlocks: t.peakLiveBlocks,
    liveAtEndBlocks: t.liveAtEndBlocks,
    liveAtEndBytes: t.liveAtEndBytes,
  };
}

/** Replays the trace at `path`; throws HktFormatError or ReplayError when anything is wrong. */
export async function runHakmem(path: string, opts: HakmemRunOptions): Promise<HakmemRun> {
  const d0 = performance.now();
  const t = await readHkt(path, opts.threads);
  const decodeSeconds = (performance.now() - d0) / 1000;
  const heap = createHeap({ maxBytes: MAX_HEAP_BYTES, profile: opts.profile });
  const off = new Int32Array(opts.threads ? new SharedArrayBuffer(4 * (t.blockCount + 1)) : new ArrayBuffer(4 * (t.blockCount + 1)));
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let peakFootprintBytes = 0;
  let end = { blocks: 0, bytes: 0 };
  const runs = runsFor(opts.runs, opts.minRecords ?? 0, t.recordCount);
  for (let run = 0; run < runs; run++) {
    if (opts.threads) {
      seconds.push(await replayThreads(heap, t, off, opts.verify, opts.profile));
    } else {
      const replay = opts.verify ? replayVerified : replayTimed;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      replay(heap, t, off, 0, t.recordCount);
      const c = process.cpuUsage(c0);
      seconds.push((performance.now() - t0) / 1000);
      cpuSeconds.push((c.user + c.system) / 1e6);
    }
    if (run === 0) peakFootprintBytes = heap.stats().peakFootprintBytes;
    end = checkEnd(heap, t, off, opts.verify);
    freeLive(heap, t, off);
    const s = heap.stats();
    if (s.liveBlocks !== 0 || s.liveBytes !== 0) {
      throw new ReplayError(`${t.name}: after freeing every block still live, the heap says ${s.liveBlocks} blocks / ${s.liveBytes} bytes are live`, t.recordCount, 0);
    }
  }
  const best = Math.min(...seconds);
  const s = heap.stats();
  return {
    ...factsOf(t),
    contender: `hakmem:${opts.profile}`,
    mode: opts.threads ? (opts.verify ? "threads, verified" : "threads") : opts.verify ? "verified" : "timed",
    decodeSeconds,
    seconds,
    cpuSeconds,
    opsPerSec: t.recordCount / best,
    peakFootprintBytes,
    footprintRatio: peakFootprintBytes / t.peakLiveBytes,
    liveBlocks: end.blocks,
    liveBytes: end.bytes,
    bufferBytes: s.bufferBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/**
 * After the last record: the blocks still live are intact (checkLive), and the heap's counts,
 * the replay's and the trace's agree.
 */
function checkEnd(heap: Heap, t: HktTrace, off: Int32Array, verified: boolean): { blocks: number; bytes: number } {
  const held = checkLive(heap, t, off, verified);
  const s = heap.stats();
  const wantBlocks = t.liveAtEndBlocks - t.liveAtEndEmpty;
  // "fast" counts tiny and mid blocks at their usable size (src/fast.ts): at least what was asked.
  const bytesAgree = heap.profile.name === "fast" ? s.liveBytes >= t.liveAtEndBytes : s.liveBytes === t.liveAtEndBytes;
  if (held.blocks !== wantBlocks || held.bytes !== t.liveAtEndBytes || s.liveBlocks !== wantBlocks || !bytesAgree) {
    throw new ReplayError(
      `${t.name}: after the last record: the trace leaves ${wantBlocks} blocks / ${t.liveAtEndBytes} bytes live, the replay holds ${held.blocks} / ${held.bytes}, the heap's stats() say ${s.liveBlocks} / ${s.liveBytes}`,
      t.recordCount,
      0,
    );
  }
  return { blocks: s.liveBlocks, bytes: s.liveBytes };
}
