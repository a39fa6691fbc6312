// A handle whose views predate a growth by another handle frees that handle's blocks: a slab
// can start below the stale view's end and keep its state bytes above it, and a segment's
// metadata can lie above it. Found by larson at 8 workers (RangeError: Invalid atomic access
// index in a remote free).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attachHeap, createHeap } from "hakmem";

describe("frees through a handle whose views are older than the buffer", () => {
  for (const profile of ["balanced", "fast", "lean", "safe"] as const) {
    it(`${profile}: every block another handle allocated across growths frees, none is lost`, () => {
      const owner = createHeap({ initialBytes: 1 << 20, maxBytes: 256 << 20, profile });
      const other = attachHeap(owner.buffer);
      let seed = 7;
      const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
      for (let round = 0; round < 6; round++) {
        const start = owner.buffer.byteLength;
        owner.stats(); // owner's views now cover the buffer as it is
        const blocks: number[] = [];
        // the other handle grows the heap by a few MiB, with slabs of many classes
        while (other.buffer.byteLength < start + (3 << 20)) {
          const p = other.malloc(16 + (rnd() % 1009));
          assert.notEqual(p, 0);
          blocks.push(p);
        }
        for (const p of blocks) owner.free(p); // remote frees through stale views
        other.free(other.malloc(16)); // the other handle drains its inbox on its slow paths
      }
      other.detach();
      owner.trim();
      const s = owner.stats();
      assert.equal(s.liveBlocks, 0);
      assert.equal(s.liveBytes, 0);
    });
  }
});
