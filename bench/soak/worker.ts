// One larson thread of `hakmem soak --workload larson` (built to dist/bench/soak-worker.js): it
// attaches to the heap, waits for GO, then does larson's rounds of replacements until STOP,
// adding each chunk's count to the shared OPS word. After every round the thread "exits": its
// handle detaches and a successor handle attaches in the same worker, as mimalloc-bench's larson
// starts a new thread. At STOP it frees its slots, detaches and reports.
import { attachHeap } from "hakmem";
import { parentPort, workerData } from "node:worker_threads";
import { splitmix32 } from "../tables.ts";
import { CHUNKS, ROUNDS } from "../workloads/larson.ts";
import { GO, type LarsonWorkerData, type LarsonWorkerResult, OPS, STOP } from "./larson-data.ts";
import { freeSlots, replace } from "./larson-loop.ts";

const { buffer, slots, control, index, seed } = workerData as LarsonWorkerData;
const lo = index * CHUNKS;
// The seed per worker is larson.ts's, so a soak and a bench run draw the same sequence.
const next = splitmix32(seed + 1 + index);
let heap = attachHeap(buffer);
let successors = 0;
parentPort!.postMessage("ready");
Atomics.wait(control, GO, 0);
run: for (;;) {
  for (let c = 0; c < ROUNDS; c++) {
    replace(heap, slots, lo, CHUNKS, next, CHUNKS);
    Atomics.add(control, OPS, CHUNKS);
    if (Atomics.load(control, STOP) !== 0) break run;
  }
  heap.detach();
  heap = attachHeap(buffer);
  successors++;
}
freeSlots(heap, slots, lo, CHUNKS);
heap.detach();
parentPort!.postMessage({ successors } satisfies LarsonWorkerResult);
