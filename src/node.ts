/**
 * Node-only helpers ("hakmem/node"): recovering the heap memory of worker_threads that exit or
 * are terminated without calling detach().
 *
 *   // in the worker                         // in the thread that owns the Worker
 *   const heap = attachHeap(buffer);         const w = new Worker(url, { workerData: heap.buffer });
 *   announceWorker(heap);                    reclaimOnExit(heap, w);
 */
import { parentPort } from "node:worker_threads";
import type { Worker } from "node:worker_threads";
import type { Heap } from "./heap.ts";

interface Announcement {
  hakmemWorkerId: number;
}

function isAnnouncement(m: unknown): m is Announcement {
  return typeof m === "object" && m !== null && typeof (m as Announcement).hakmemWorkerId === "number";
}

/** Tells the parent thread which heap worker id this thread's handle has (see reclaimOnExit). */
export function announceWorker(heap: Heap): void {
  if (parentPort === null) throw new Error("announceWorker must be called in a worker thread");
  parentPort.postMessage({ hakmemWorkerId: heap.workerId } satisfies Announcement);
}

/**
 * When `worker` exits, reclaims every heap handle it announced and did not detach: its slabs
 * become adoptable, blocks lost in its caches return to their slabs, and a lock it died holding
 * is released. Announcement messages are consumed here; other messages pass through.
 */
export function reclaimOnExit(heap: Heap, worker: Worker): void {
  const ids: number[] = [];
  worker.on("message", (m: unknown) => {
    if (isAnnouncement(m)) ids.push(m.hakmemWorkerId);
  });
  worker.once("exit", () => {
    for (const id of ids) heap.reclaim(id);
  });
}
