// Several handles on one heap in one thread: remote frees, detach and adoption, reclaim, limits.
// (Real worker_threads are in stress.test.ts.)
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attachHeap, createHeap, HeapError } from "../src/index.ts";
import { H_VERSION, LAYOUT_VERSION } from "../src/layout.ts";
import { code } from "./support/errors.ts";


describe("handles on one heap", () => {
  it("a block freed by another handle goes back to its owner (remote free)", () => {
    const a = createHeap();
    const b = attachHeap(a.buffer);
    assert.notEqual(a.workerId, b.workerId);
    const ps = Array.from({ length: 1000 }, (_, i) => a.malloc(16 + (i % 50) * 16));
    for (const p of ps) b.free(p);
    assert.deepEqual([a.stats().liveBlocks, a.stats().liveBytes], [0, 0]);
    for (const p of ps) assert.equal(code(() => b.free(p)), "DOUBLE_FREE");
    // the owner gets its blocks back from the inbox and reuses them: no new memory needed
    const footprint = a.stats().footprintBytes;
    const again = Array.from({ length: 1000 }, (_, i) => a.malloc(16 + (i % 50) * 16));
    assert.equal(a.stats().footprintBytes, footprint);
    for (const p of again) a.free(p);
    b.detach();
    a.detach();
  });

  it("detach abandons slabs; frees into them and allocations adopt them", () => {
    const a = createHeap();
    const b = attachHeap(a.buffer);
    const blocks = Array.from({ length: 400 }, () => b.malloc(48));
    for (let i = 0; i < blocks.length; i += 2) b.free(blocks[i]);
    b.detach();
    assert.equal(code(() => b.malloc(48)), "DETACHED");
    assert.equal(code(() => b.free(blocks[1])), "DETACHED");
    // a allocates class 48 for the first time: it adopts b's abandoned slab with free blocks
    const q = a.malloc(48);
    const bPages = new Set(blocks.map((p) => p >>> 14));
    assert.ok(bPages.has(q >>> 14), "the allocation came from an abandoned slab");
    for (let i = 1; i < blocks.length; i += 2) a.free(blocks[i]);
    a.free(q);
    assert.deepEqual([a.stats().liveBlocks, a.stats().liveBytes], [0, 0]);
    a.detach();
  });

  it("every allocating call on a detached handle throws DETACHED, in every profile", () => {
    for (const profile of ["balanced", "fast", "lean", "safe"] as const) {
      const a = createHeap({ profile });
      const b = attachHeap(a.buffer);
      const p = b.malloc(100);
      b.detach();
      for (const [what, call] of [
        ["malloc", () => b.malloc(8)],
        ["malloc (large)", () => b.malloc(1 << 20)],
        ["calloc", () => b.calloc(4, 8)],
        ["realloc", () => b.realloc(p, 200)],
        ["alignedAlloc", () => b.alignedAlloc(64, 100)],
        ["alignedAlloc (large)", () => b.alignedAlloc(1 << 16, 1 << 20)],
      ] as const) {
        assert.equal(code(call), "DETACHED", `${profile}: ${what}`);
      }
      a.free(p);
      assert.equal(a.stats().liveBlocks, 0, `${profile}: nothing allocated by the detached handle`);
    }
  });

  it("reclaim recovers a handle that never detached, blocks in its cache included", () => {
    const a = createHeap();
    const b = attachHeap(a.buffer);
    const kept = Array.from({ length: 300 }, (_, i) => b.malloc(100 + (i % 3) * 2000));
    for (let i = 0; i < 200; i++) b.free(b.malloc(64)); // cached in b's front cache
    const big = b.malloc(200_000);
    const before = a.stats();
    assert.equal(before.liveBlocks, 301);
    assert.equal(a.reclaim(b.workerId), true);
    assert.equal(a.reclaim(b.workerId), false, "already reclaimed");
    assert.deepEqual([a.stats().liveBlocks, a.stats().liveBytes], [before.liveBlocks, before.liveBytes]);
    for (const p of kept) a.free(p);
    a.free(big);
    assert.deepEqual([a.stats().liveBlocks, a.stats().liveBytes], [0, 0]);
    // nothing leaked: the same work fits in the same footprint again
    const peak = a.stats().footprintBytes;
    const again = Array.from({ length: 300 }, (_, i) => a.malloc(100 + (i % 3) * 2000));
    assert.ok(a.stats().footprintBytes <= peak);
    for (const p of again) a.free(p);
    assert.throws(() => a.reclaim(a.workerId), HeapError);
    assert.throws(() => a.reclaim(0), RangeError);
    a.detach();
  });

  it("reclaim ignores an id whose slot was released and reused", () => {
    const a = createHeap();
    const b = attachHeap(a.buffer);
    const old = b.workerId;
    b.detach();
    const c = attachHeap(a.buffer);
    assert.notEqual(c.workerId, old, "ids are unique over the heap's life");
    assert.equal(a.reclaim(old), false);
    const p = c.malloc(10);
    c.free(p); // c is untouched
    c.detach();
    a.detach();
  });

  it("64 handles at once, TOO_MANY_WORKERS beyond, 300 over the heap's life", () => {
    const a = createHeap();
    const handles = [a];
    for (let i = 1; i < 64; i++) handles.push(attachHeap(a.buffer));
    assert.equal(code(() => attachHeap(a.buffer)), "TOO_MANY_WORKERS");
    handles.pop()!.detach();
    const ids = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const h = attachHeap(a.buffer);
      ids.add(h.workerId);
      h.free(h.malloc(32));
      h.detach();
    }
    assert.equal(ids.size, 300);
    for (const h of handles) h.detach();
  });

  it("attach rejects what is not a heap", () => {
    assert.equal(code(() => attachHeap(new SharedArrayBuffer(1 << 16))), "INVALID_HEAP");
    assert.equal(code(() => attachHeap(new ArrayBuffer(10))), "INVALID_HEAP");
    assert.throws(() => attachHeap({} as SharedArrayBuffer), TypeError);
    assert.equal(code(() => attachHeap(createHeap().buffer, { profile: "nope" as "fast" })), "INVALID_OPTION");
    // a heap of another layout version (version 1 had multi-page tiny slabs, which free would misread)
    const old = createHeap();
    new Int32Array(old.buffer)[H_VERSION] = LAYOUT_VERSION - 1;
    assert.equal(code(() => attachHeap(old.buffer)), "INVALID_HEAP");
  });
});
