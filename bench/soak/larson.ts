// larson as a soak: the main thread fills workers × 5000 slots (larson's setup), then N
// worker_threads (worker.ts) run larson's replacement loop on the same heap until told to stop,
// adding their counts to a shared word; the main thread only sleeps and closes an epoch each
// second. Blocks a worker frees mostly came from another thread (remote frees), and every
// round a worker's handle is replaced by a successor (detach + attach), as in mimalloc-bench.
import { createHeap } from "hakmem";
import type { Worker } from "node:worker_threads";
import { Hakmem } from "../contenders/hakmem.ts";
import { startWorker } from "../trace/scripts.ts";
import { CHUNKS, setup } from "../workloads/larson.ts";
import { EpochRecorder } from "./epochs.ts";
import { CONTROL_WORDS, GO, type LarsonWorkerData, type LarsonWorkerResult, OPS, STOP } from "./larson-data.ts";
import { leftLive, type SoakOptions, type SoakRun } from "./workload.ts";
import { SOAK_WORKER } from "./scripts.ts";

/** mimalloc-bench's larson seed (`larson 5 8 1000 5000 100 4141 N`). */
const SEED = 4141;

export async function soakLarson(opts: SoakOptions): Promise<SoakRun> {
  const heap = createHeap({ profile: opts.profile });
  const n = opts.workers * CHUNKS;
  const slots = new Int32Array(new SharedArrayBuffer(n * 4));
  setup(new Hakmem(heap), slots, SEED);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const results: Promise<LarsonWorkerResult>[] = [];
  for (let index = 0; index < opts.workers; index++) {
    const data: LarsonWorkerData = { buffer: heap.buffer as SharedArrayBuffer, slots, control, index, seed: SEED };
    const w = startWorker(SOAK_WORKER, { workerData: data });
    workers.push(w);
    let onReady!: () => void;
    ready.push(new Promise<void>((r) => (onReady = r)));
    results.push(
      new Promise<LarsonWorkerResult>((resolve, reject) => {
        w.on("message", (m: "ready" | LarsonWorkerResult) => (m === "ready" ? onReady() : resolve(m)));
        w.on("error", reject);
        w.on("exit", (code) => reject(new Error(`larson worker ${index} exited with code ${code} before reporting`)));
      }),
    );
  }
  // A worker that fails at any point ends the soak with its error instead of leaving it waiting.
  const failed = Promise.race(results.map((r) => r.then(() => new Promise<never>(() => {}))));
  const rec = new EpochRecorder(opts.epochs, heap, opts.onEpoch);
  try {
    await Promise.race([Promise.all(ready), failed]);
    Atomics.store(control, GO, 1);
    Atomics.notify(control, GO);
    rec.begin();
    let seen = 0;
    while (!rec.done) {
      await Promise.race([new Promise((r) => setTimeout(r, Math.max(0, rec.dueAt - performance.now()))), failed]);
      const total = Atomics.load(control, OPS);
      if (rec.closeIfDue(performance.now(), (total - seen) >>> 0)) seen = total;
    }
    Atomics.store(control, STOP, 1);
    const done = await Promise.all(results);
    return {
      epochs: rec.epochs,
      problems: leftLive(heap.stats()),
      detail: {
        op: "one replacement: a free and a malloc of 8-999 B (two bytes written)",
        workers: opts.workers,
        slotsPerWorker: CHUNKS,
        seed: SEED,
        successors: done.reduce((s, r) => s + r.successors, 0),
      },
    };
  } finally {
    Atomics.store(control, GO, 1);
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, GO);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
