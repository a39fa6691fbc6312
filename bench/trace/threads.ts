// --threads: one worker_threads Worker per trace thread, each with its own attachHeap() handle
// on the one heap. Records still run one at a time, in recorded order: a shared sequence
// counter says which record is next, and the worker whose thread made it runs the stretch of
// records up to the next record of another thread, then hands over (Atomics.notify). So every
// free of a block another thread allocated is a real remote free, and the replay is exactly
// the trace, reproducible run after run. It measures correctness; its speed includes the
// hand-offs.
import type { Worker } from "node:worker_threads";
import type { Heap, ProfileName } from "hakmem";
import type { HktTrace } from "./hkt.ts";
import { ReplayError } from "./replay.ts";
import { startWorker, THREAD_SCRIPT } from "./scripts.ts";

/** Control words: SEQ is the next record to run, NOT_STARTED before the start, STOPPED after a failure. */
export const SEQ = 0;
export const NOT_STARTED = -1;
export const STOPPED = -2;

/** What each worker gets (workerData). The trace's arrays and `off` are SharedArrayBuffer-backed. */
export interface ThreadJob {
  readonly buffer: SharedArrayBuffer;
  readonly trace: HktTrace;
  readonly off: Int32Array;
  readonly control: Int32Array;
  readonly thread: number;
  readonly verify: boolean;
  readonly profile: ProfileName;
}

export type ThreadMessage =
  | { readonly type: "ready" }
  | { readonly type: "done" }
  | { readonly type: "error"; readonly message: string; readonly record: number; readonly blockId: number };

/**
 * Replays all of `t` (decoded with shared = true) on `heap`, whose buffer must be a
 * SharedArrayBuffer. `off` (SharedArrayBuffer-backed) maps block ids to offsets. Returns the
 * seconds from the start signal until every worker has finished and detached.
 */
export async function replayThreads(heap: Heap, t: HktTrace, off: Int32Array, verify: boolean, profile: ProfileName): Promise<number> {
  const buffer = heap.buffer;
  if (!(buffer instanceof SharedArrayBuffer)) throw new Error("--threads needs a heap in a SharedArrayBuffer");
  const control = new Int32Array(new SharedArrayBuffer(4));
  control[SEQ] = NOT_STARTED;
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<void>[] = [];
  for (let thread = 0; thread < t.threadCount; thread++) {
    if (t.threadRecords[thread] === 0) continue;
    const job: ThreadJob = { buffer, trace: t, off, control, thread, verify, profile };
    const w = startWorker(THREAD_SCRIPT, { workerData: job });
    workers.push(w);
    let onReady!: () => void;
    ready.push(new Promise<void>((resolve) => (onReady = resolve)));
    done.push(
      new Promise<void>((resolve, reject) => {
        w.on("message", (m: ThreadMessage) => {
          if (m.type === "ready") onReady();
          else if (m.type === "done") resolve();
          else reject(new ReplayError(m.message, m.record, m.blockId));
        });
        w.on("error", reject);
        w.on("exit", (code) => reject(new Error(`${t.name}: the worker of thread ${thread} exited (code ${code}) before finishing`)));
      }),
    );
  }
  // A worker that fails, even before it is ready, stops the others: they wait on SEQ.
  const stop = (): void => {
    Atomics.store(control, SEQ, STOPPED);
    Atomics.notify(control, SEQ);
  };
  for (const d of done) d.catch(stop);
  // Every worker settles (the others stop once one fails); a worker's own report of what went
  // wrong wins over another's exit, whose event may arrive first.
  const all = Promise.allSettled(done).then((results) => {
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (failures.length > 0) throw failures.find((e) => e instanceof ReplayError) ?? failures[0];
  });
  try {
    await Promise.race([Promise.all(ready), all]);
    const t0 = performance.now();
    Atomics.store(control, SEQ, 0);
    Atomics.notify(control, SEQ);
    await all;
    return (performance.now() - t0) / 1000;
  } finally {
    stop();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
