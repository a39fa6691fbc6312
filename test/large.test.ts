import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHeap } from "../src/index.ts";
import { PAGE_SIZE } from "../src/layout.ts";

describe("large tier", () => {
  it("reuses a freed span of the same page count from the big cache (balanced); lean gives it back", () => {
    const heap = createHeap({ profile: "balanced" });
    const p = heap.malloc(100_000);
    heap.malloc(16); // something above it
    heap.free(p);
    assert.equal(heap.malloc(100_000 - 100), p, "served from the big cache");
    const lean = createHeap({ profile: "lean" });
    const before = lean.stats().footprintBytes;
    const q = lean.malloc(100_000);
    lean.free(q);
    assert.equal(lean.stats().footprintBytes, before, "span returned to the pool and the break lowered");
  });

  it("the big cache holds at most 1/128 of the heap: a small heap gives a freed span back, a large one keeps it", () => {
    const small = createHeap({ profile: "balanced" });
    const before = small.stats().footprintBytes;
    small.free(small.malloc(100_000));
    assert.equal(small.stats().footprintBytes, before, "below 2 MiB nothing is cached: the break fell");
    const large = createHeap({ profile: "balanced", maxBytes: 64 << 20 });
    large.malloc(16 << 20); // the heap: 16 MiB and more, so the cache may hold its 8 pages
    const p = large.malloc(100_000); // 7 pages, at the break
    const held = large.stats().footprintBytes;
    large.free(p);
    assert.equal(large.stats().footprintBytes, held, "kept in the big cache");
    assert.equal(large.malloc(100_000), p);
  });

  it("realloc grows in place at the break and into a free right neighbour, and shrinks in place", () => {
    const heap = createHeap({ profile: "lean" });
    const a = heap.malloc(200_000);
    heap.u8[a + 199_999] = 5;
    assert.equal(heap.realloc(a, 1_000_000), a, "at the break");
    assert.equal(heap.u8[a + 199_999], 5);
    const b = heap.malloc(300_000);
    const c = heap.malloc(300_000);
    heap.malloc(100_000); // above c: keeps c's span from merging into the break
    heap.free(c);
    assert.equal(heap.realloc(b, 550_000), b, "into the freed neighbour");
    assert.equal(heap.realloc(b, 70_000), b, "shrunk in place");
    assert.ok(heap.usableSize(b) < 70_000 + PAGE_SIZE);
    assert.equal(heap.stats().liveBytes, 1_000_000 + 70_000 + 100_000);
  });

  it("realloc grows a block that cannot grow in place into a free left neighbour, moving its bytes down", () => {
    // (fast keeps x's span in its big cache, so there it moves)
    for (const profile of ["balanced", "lean"] as const) {
      const heap = createHeap({ profile });
      const x = heap.malloc(100_000); // 7 pages
      const y = heap.malloc(200_000); // 13 pages
      const z = heap.malloc(70_000); // above y: y cannot grow in place
      for (let i = 0; i < 200_000; i += 4096) heap.u8[y + i] = (i >>> 12) + 1;
      heap.u8[y + 199_999] = 99;
      const live = heap.stats().liveBytes;
      heap.free(x);
      const footprint = heap.stats().footprintBytes;
      const q = heap.realloc(y, 300_000); // 19 pages: x's 7 and y's 13
      assert.equal(q, x, profile);
      for (let i = 0; i < 200_000; i += 4096) assert.equal(heap.u8[q + i], (i >>> 12) + 1);
      assert.equal(heap.u8[q + 199_999], 99);
      assert.equal(heap.stats().footprintBytes, footprint, "no second copy");
      assert.equal(heap.stats().liveBytes, live - 100_000 + 100_000, "x freed, y 100,000 bytes larger");
      assert.ok(heap.usableSize(q) >= 300_000);
      assert.equal(heap.stats().liveBlocks, 2);
      assert.throws(() => heap.free(y), (e: unknown) => e instanceof Error, "the old offset is no block");
      heap.free(q);
      heap.free(z);
      assert.equal(heap.stats().liveBlocks, 0);
      assert.equal(heap.stats().liveBytes, 0);
    }
  });

  it("alignedAlloc beyond a page gives an aligned span and frees the slack around it", () => {
    const heap = createHeap();
    for (const align of [32768, 65536, 1 << 20]) {
      const before = heap.stats().footprintBytes;
      const p = heap.alignedAlloc(align, 1000);
      assert.equal(p % align, 0);
      assert.ok(heap.stats().footprintBytes - before <= align + PAGE_SIZE * 2);
      heap.free(p);
    }
  });
});
