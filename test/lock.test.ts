import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attachHeap, createHeap } from "../src/index.ts";
import { H_LOCK } from "../src/layout.ts";
import { breakLock, lock, unlock } from "../src/lock.ts";

describe("pool lock", () => {
  it("is reentrant per handle and held by its worker slot", () => {
    const heap = createHeap();
    lock(heap);
    lock(heap);
    assert.equal(Atomics.load(heap.m32, H_LOCK), heap.slot);
    unlock(heap);
    assert.equal(Atomics.load(heap.m32, H_LOCK), heap.slot);
    unlock(heap);
    assert.equal(Atomics.load(heap.m32, H_LOCK), 0);
  });

  it("a lock held by a dead worker is broken by reclaim, and only its own", () => {
    const heap = createHeap();
    const dead = attachHeap(heap.buffer);
    lock(dead); // dies holding it
    assert.equal(breakLock(heap.m32, heap.slot), false, "not ours to break");
    assert.equal(heap.reclaim(dead.workerId), true);
    assert.equal(Atomics.load(heap.m32, H_LOCK), 0);
    const p = heap.malloc(100_000); // takes the lock
    heap.free(p);
  });
});
