// Multi-worker stress with cookies (modelled on mimalloc's test-stress), a worker terminated
// mid-run, and a remote-free heavy producer/consumer run. Workers use the built bundle.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { attachHeap, createHeap, type Heap } from "../dist/index.js";
import { reclaimOnExit } from "../dist/node.js";
import { M_NPAGES, M_TAG, PAGE_SHIFT, T_NONE } from "../src/layout.ts";
import { metaOfPage } from "../src/pool.ts";

const workerUrl = new URL("./fixtures/stress-worker.mjs", import.meta.url);

interface Result {
  mismatches: number;
  ops: number;
  reclaimed?: boolean;
}

function run(heap: Heap, data: Record<string, unknown>): { worker: Worker; done: Promise<Result> } {
  const worker = new Worker(workerUrl, { workerData: { buffer: heap.buffer, ...data } });
  reclaimOnExit(heap, worker);
  const done = new Promise<Result>((resolve, reject) => {
    worker.on("message", (m: { done?: boolean } & Result) => {
      if (m.done) resolve(m);
    });
    worker.on("error", reject);
    worker.on("exit", (code) => (code !== 0 ? reject(new Error(`worker exited with ${code}`)) : undefined));
  });
  return { worker, done };
}

function checkAndFree(heap: Heap, p: number): boolean {
  const id = heap.u32[p >>> 2];
  const size = heap.u32[(p >>> 2) + 1];
  let ok = heap.usableSize(p) >= size;
  for (let i = 8; ok && i < Math.min(size, 40); i++) ok = heap.u8[p + i] === ((id * 31 + i * 7) & 255);
  heap.free(p);
  return ok;
}

/** Writes the cookies checkAndFree checks. */
function fillCookies(heap: Heap, p: number, size: number, id: number): void {
  heap.u32[p >>> 2] = id;
  heap.u32[(p >>> 2) + 1] = size;
  for (let i = 8; i < Math.min(size, 40); i++) heap.u8[p + i] = (id * 31 + i * 7) & 255;
}

describe("multi-worker heap", () => {
  it("4 workers per round, 6 rounds, objects migrate and outlive their workers: no corruption, no leak", async () => {
    const heap = createHeap({ maxBytes: 512 << 20 });
    const transfer = new Int32Array(new SharedArrayBuffer(1000 * 4));
    const ROUNDS = 6;
    const WORKERS = 4;
    const ITERS = 100_000;
    let ops = 0;
    let mismatches = 0;
    const footprints: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(
        Array.from({ length: WORKERS }, (_, w) => run(heap, { kind: "stress", transfer, iters: ITERS, seed: round * 16 + w + 1 }).done),
      );
      for (const r of results) {
        ops += r.ops;
        mismatches += r.mismatches;
      }
      // Free half of the migrated objects here, in another thread again.
      for (let i = 0; i < transfer.length; i += 2) {
        const p = Atomics.exchange(transfer, i, 0);
        if (p !== 0 && !checkAndFree(heap, p)) mismatches++;
      }
      footprints.push(heap.stats().footprintBytes);
    }
    for (let i = 0; i < transfer.length; i++) {
      const p = Atomics.exchange(transfer, i, 0);
      if (p !== 0 && !checkAndFree(heap, p)) mismatches++;
    }
    assert.equal(mismatches, 0, "cookie mismatches");
    assert.ok(ops >= 2_000_000, `${ops} operations`);
    const s = heap.stats();
    assert.equal(s.liveBlocks, 0);
    assert.equal(s.liveBytes, 0);
    const early = Math.max(footprints[0], footprints[1]);
    assert.ok(footprints[ROUNDS - 1] <= early * 1.5, `footprint grew across rounds: ${footprints.join(", ")}`);
  });

  it("a worker terminated mid-run: no deadlock, reclaim returns its pages, others unharmed", async () => {
    const heap = createHeap({ maxBytes: 512 << 20 });
    const registry = new Int32Array(new SharedArrayBuffer(512 * 4));
    const victim = new Worker(workerUrl, { workerData: { buffer: heap.buffer, kind: "victim", registry, seed: 99 } });
    reclaimOnExit(heap, victim);
    await new Promise((resolve) => victim.once("message", resolve));
    const transfer = new Int32Array(new SharedArrayBuffer(256 * 4));
    const others = [1, 2].map((seed) => run(heap, { kind: "stress", transfer, iters: 200_000, seed }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exited = new Promise((resolve) => victim.once("exit", resolve));
    await victim.terminate();
    await exited;
    const results = await Promise.all(others.map((o) => o.done));
    assert.equal(results.reduce((n, r) => n + r.mismatches, 0), 0);
    let bad = 0;
    for (const arr of [registry, transfer]) {
      for (let i = 0; i < arr.length; i++) {
        const p = Atomics.exchange(arr, i, 0);
        if (p !== 0 && !checkAndFree(heap, p)) bad++;
      }
    }
    assert.equal(bad, 0);
    // At most the one block the victim was between malloc and publishing (or unpublishing and
    // free) when it was killed stays live.
    assert.ok(heap.stats().liveBlocks <= 1, `${heap.stats().liveBlocks} blocks left live`);
    const before = heap.stats().footprintBytes;
    const ps = Array.from({ length: 2000 }, (_, i) => heap.malloc(16 + (i % 64) * 16));
    assert.ok(ps.every((p) => p !== 0));
    for (const p of ps) heap.free(p);
    assert.ok(heap.stats().footprintBytes <= before, "the victim's pages were reused, not new ones");
  });

  it("reclaim of a worker terminated while making a slab ends, touches only its complete slabs, loses only that slab", async () => {
    const heap = createHeap({ maxBytes: 64 << 20 });
    assert.equal(heap.base, 0, "heap.i32 indexes the metadata");
    const dead = attachHeap(heap.buffer);
    const kept = dead.malloc(100);
    const made = dead.malloc(20_000); // the first block of a new two-page slab
    const page = made >>> PAGE_SHIFT;
    const i32 = heap.i32;
    const hm = metaOfPage(i32, page);
    assert.equal(i32[hm + M_NPAGES], 2);
    // What newSlab leaves when terminate() stops it before its last store: the pages made, the
    // head not yet a slab head (its page count never written, as in a page fresh from the break).
    i32[hm + M_TAG] = T_NONE;
    i32[hm + M_NPAGES] = 0;
    const others = Array.from({ length: 200 }, (_, i) => {
      const size = 16 + ((i * 379) % 30_000);
      const p = heap.malloc(size);
      fillCookies(heap, p, size, i + 1);
      return p;
    });
    // (no reclaimOnExit for it: a reclaimer stuck in the scan is terminated, not reclaimed)
    const reclaimer = new Worker(workerUrl, { workerData: { buffer: heap.buffer, kind: "reclaimer", id: dead.workerId } });
    const done = new Promise<Result>((resolve) => reclaimer.on("message", (m: { done?: boolean } & Result) => m.done && resolve(m)));
    const answer = await Promise.race([done, new Promise<null>((resolve) => setTimeout(resolve, 10_000, null).unref())]);
    if (answer === null) await reclaimer.terminate();
    assert.ok(answer !== null, "reclaim never finished");
    assert.equal(answer.reclaimed, true);
    assert.equal(others.filter((p) => !checkAndFree(heap, p)).length, 0, "other blocks intact");
    heap.free(kept); // its slab was complete: reclaimed, the block still live
    assert.equal(heap.stats().liveBlocks, 0);
    // The unfinished slab's pages are lost, never handed out twice.
    const again = Array.from({ length: 300 }, (_, i) => heap.malloc(16 + ((i * 379) % 30_000)));
    assert.ok(again.every((p) => p !== 0 && p >>> PAGE_SHIFT !== page && p >>> PAGE_SHIFT !== page + 1));
    for (const p of again) heap.free(p);
  });

  it("producers allocate, consumers in other workers free (xmalloc): every block arrives intact", async () => {
    const heap = createHeap({ maxBytes: 256 << 20 });
    const ring = new Int32Array(new SharedArrayBuffer(4096 * 4));
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const COUNT = 150_000;
    const producers = [1, 2].map((seed) => run(heap, { kind: "producer", ring, count: COUNT, seed }));
    const consumers = [3, 4].map((seed) => run(heap, { kind: "consumer", ring, counter, total: 2 * COUNT, seed }));
    const results = await Promise.all([...producers, ...consumers].map((w) => w.done));
    assert.equal(results.reduce((n, r) => n + r.mismatches, 0), 0);
    assert.equal(results[2].ops + results[3].ops, 2 * COUNT);
    const s = heap.stats();
    assert.equal(s.liveBlocks, 0);
    assert.equal(s.liveBytes, 0);
    assert.ok(s.footprintBytes < 16 << 20, `footprint ${s.footprintBytes}`);
  });
});
