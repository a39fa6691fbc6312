// One larson thread of `hakmem soak --workload larson` (built to dist/bench/soak-worker.js): it
// attaches to the heap, waits for GO, then does larson's rounds of replacements until STOP,
// adding each chunk's count to the shared OPS word. After every round the thread "exits": its
// handle detaches and a successor handle attaches in the same worker, as mimalloc-bench's larson
// starts a new thread. At STOP it frees its slots, detaches and reports.
import { attachHeap } from "hakmem";
import { parentPort, workerData } from "node:worker_threads";
import { Hakmem } from "../contenders/hakmem.ts";
import { CHUNKS, exercise, freeSlice, ROUNDS } from "../workloads/larson.ts";
import { GO, type LarsonWorkerData, type LarsonWorkerResult, OPS, STOP } from "./larson-data.ts";

const { buffer, slots, control, index, seed } = workerData as LarsonWorkerData;
const lo = index * CHUNKS;
// The seed per worker is larson.ts's, so a soak and a bench run draw the same sequence.
const rng = Int32Array.of(seed + 1 + index);
const never = (): boolean => false;
let a = new Hakmem(attachHeap(buffer));
let successors = 0;
parentPort!.postMessage("ready");
Atomics.wait(control, GO, 0);
run: for (;;) {
  for (let c = 0; c < ROUNDS; c++) {
    exercise(a, slots, lo, rng, CHUNKS, never);
    Atomics.add(control, OPS, CHUNKS);
    if (Atomics.load(control, STOP) !== 0) break run;
  }
  a.heap.detach();
  a = new Hakmem(attachHeap(buffer));
  successors++;
}
freeSlice(a, slots, lo);
a.heap.detach();
parentPort!.postMessage({ successors } satisfies LarsonWorkerResult);
