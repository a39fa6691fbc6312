// Slabs and lending (src/slab.ts, sizeclass.ts classLender): a mid class used little is served
// from its lender's slabs; the blocks stay exact, checked and correctly aligned.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attachHeap, createHeap, type ProfileName } from "../src/index.ts";
import { CLASS_COUNT, LEND_WHILE_SLABS, classCapacity, classLender, classPages, classSize, sizeClassOf } from "../src/sizeclass.ts";
import { code } from "./support/errors.ts";

/** Mid classes that borrow, and a request size of each (above the class below it). */
const borrowers = Array.from({ length: CLASS_COUNT }, (_, c) => c).filter((c) => classLender[c] !== c);
const requestOf = (c: number) => classSize[c - 1] + 1;

describe("lending", () => {
  it("a little-used mid class gets its lender's blocks in balanced and lean, its own in fast and safe", () => {
    for (const profile of ["balanced", "lean", "fast", "safe"] as ProfileName[]) {
      const heap = createHeap({ profile });
      for (const c of borrowers) {
        const n = requestOf(c);
        assert.equal(sizeClassOf(n), c);
        const p = heap.malloc(n);
        const expected = profile === "safe" ? n : classSize[profile === "fast" ? c : classLender[c]];
        assert.equal(heap.usableSize(p), expected, `${profile}, ${n} bytes`);
      }
    }
  });

  it("lent blocks count their requested bytes, free into their own class, and catch double and interior frees", () => {
    const heap = createHeap();
    const c = borrowers[3];
    const n = requestOf(c);
    const ps = Array.from({ length: 20 }, () => heap.malloc(n));
    assert.equal(heap.stats().liveBytes, 20 * n);
    assert.equal(heap.stats().liveBlocks, 20);
    assert.equal(code(() => heap.free(ps[0] + 16)), "INVALID_POINTER");
    heap.free(ps[0]);
    assert.equal(code(() => heap.free(ps[0])), "DOUBLE_FREE");
    // the lender's own requests reuse the freed lent block
    assert.equal(heap.malloc(classSize[classLender[c]]), ps[0]);
    heap.u8[ps[1] + n - 1] = 7;
    const q = heap.realloc(ps[1], n + 16);
    assert.equal(heap.u8[q + n - 1], 7);
    assert.equal(heap.stats().liveBytes, 19 * n + 16 + classSize[classLender[c]]);
  });

  it("stops once the lender holds LEND_WHILE_SLABS slabs: the class then makes its own", () => {
    const heap = createHeap();
    const c = borrowers[0];
    const n = requestOf(c);
    const lender = classLender[c];
    // more blocks than LEND_WHILE_SLABS slabs of the lender can hold, caches included
    const enough = 2 * LEND_WHILE_SLABS * classCapacity[lender] * classPages[lender];
    const sizes = new Set<number>();
    const ps: number[] = [];
    for (let i = 0; i < enough; i++) {
      ps.push(heap.malloc(n));
      sizes.add(heap.usableSize(ps[ps.length - 1]));
    }
    assert.deepEqual([...sizes].sort(), [classSize[c], classSize[lender]].sort());
    assert.equal(heap.usableSize(ps[ps.length - 1]), classSize[c]);
    for (const p of ps) heap.free(p);
    assert.equal(heap.stats().liveBytes, 0);
  });

  it("aligned requests served by a borrowing class stay aligned", () => {
    const heap = createHeap();
    for (const c of borrowers) {
      for (let align = 32; align <= 4096 && classSize[c] % align === 0; align *= 2) {
        const p = heap.alignedAlloc(align, classSize[c]);
        assert.equal(p % align, 0, `class ${c} (${classSize[c]}), align ${align}`);
      }
    }
  });

  it("lent blocks freed by another handle, or left in the cache of a handle that detaches, come back whole", () => {
    const heap = createHeap();
    const other = attachHeap(heap.buffer);
    const ps = borrowers.map((c) => other.malloc(requestOf(c)));
    const cached = borrowers.map((c) => other.malloc(requestOf(c)));
    for (const p of cached) other.free(p); // now in other's caches of the lenders' classes
    for (const p of ps.slice(0, 6)) heap.free(p); // remote frees
    other.detach();
    for (const p of ps.slice(6)) heap.free(p);
    assert.equal(heap.stats().liveBlocks, 0);
    assert.equal(heap.stats().liveBytes, 0);
    // (a slab emptied by these frees may be gone: its blocks are then no blocks at all)
    for (const p of ps) assert.ok(["DOUBLE_FREE", "INVALID_POINTER"].includes(code(() => heap.free(p)) ?? ""));
  });
});

describe("giving back before a new peak (lean)", () => {
  it("a class's cached blocks and emptied slab serve another class instead of a new page at the break", () => {
    const after = (profile: ProfileName) => {
      const heap = createHeap({ profile });
      const ps = Array.from({ length: 200 }, () => heap.malloc(64)); // one page of 64-byte blocks
      const peak = heap.stats().peakFootprintBytes;
      for (const p of ps) heap.free(p); // many of them now wait in the front cache
      const q = heap.malloc(128); // another class: a new slab
      assert.notEqual(q, 0);
      assert.equal(heap.stats().liveBytes, 128);
      return heap.stats().peakFootprintBytes - peak;
    };
    assert.equal(after("lean"), 0, "lean: the emptied page was reused");
    assert.ok(after("balanced") > 0, "balanced keeps its cache: the break rose");
  });
});

