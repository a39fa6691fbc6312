import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHeap } from "../src/index.ts";

describe("realloc of slab blocks", () => {
  it("keeps a block in place within its class and on a shrink that leaves at most 32 bytes unused, and moves it otherwise", () => {
    for (const profile of ["balanced", "lean", "fast"] as const) {
      const heap = createHeap({ profile });
      const p = heap.malloc(40); // the 48-byte class
      heap.u8.fill(7, p, p + 40);
      assert.equal(heap.realloc(p, 48), p, `${profile}: grown within the class`);
      assert.equal(heap.realloc(p, 16), p, `${profile}: 48 → 16 leaves 32 bytes`);
      assert.equal(heap.u8[p + 15], 7);
      if (profile !== "fast") assert.equal(heap.stats().liveBytes, 16, `${profile}: the new requested size is counted`);
      const q = heap.malloc(200); // the 224-byte class
      const r = heap.realloc(q, 100);
      assert.notEqual(r, q, `${profile}: 224 → 100 would leave 124 bytes: moved`);
      assert.equal(heap.usableSize(r), 112);
      const s = heap.malloc(3000); // a mid class of 3072
      assert.equal(heap.realloc(s, 3040), s, `${profile}: mid shrink leaving 32 bytes`);
      assert.notEqual(heap.realloc(s, 2000), s, `${profile}: mid shrink leaving more: moved`);
    }
  });

  it("safe always moves (its canary follows the new size)", () => {
    const heap = createHeap({ profile: "safe" });
    const p = heap.malloc(40);
    assert.notEqual(heap.realloc(p, 16), p);
  });
});
