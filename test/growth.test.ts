// Growth: start from a 1 MiB buffer and allocate past 256 MiB with a mix of sizes, for every kind
// of backing memory. All data must survive every growth, the typed-array getters must always cover
// the whole current buffer, and hitting maxBytes must give 0 without breaking the heap.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHeap } from "../src/index.ts";

type Heap = ReturnType<typeof createHeap>;

const KiB = 1024;
const MiB = 1024 * KiB;
const TARGET = 256 * MiB; // grow past this
const MAX = 320 * MiB; // then run into this ceiling

/** xorshift32: deterministic sizes / choices. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

interface Blk {
  ptr: number;
  size: number;
  id: number;
}

function fillValue(id: number): number {
  return (id * 37 + 11) & 255;
}

/** Whole block = fillValue(id), except the first 4 bytes which hold the id (little endian). */
function fillBlock(heap: Heap, b: Blk): void {
  const u8 = heap.u8;
  u8.fill(fillValue(b.id), b.ptr, b.ptr + b.size);
  for (let i = 0; i < 4 && i < b.size; i++) u8[b.ptr + i] = (b.id >>> (8 * i)) & 255;
}

/** Checks bytes [0, limit) of the pattern of block b (limit defaults to its size). */
function verifyBlock(heap: Heap, b: Blk, what: string, limit = b.size, sampled = false): void {
  const u8 = heap.u8;
  const fail = (i: number, want: number): never =>
    assert.fail(`${what}: block #${b.id} at ${b.ptr} (size ${b.size}) byte ${i} = ${u8[b.ptr + i]}, expected ${want}`);
  for (let i = 0; i < 4 && i < limit; i++) {
    const want = (b.id >>> (8 * i)) & 255;
    if (u8[b.ptr + i] !== want) fail(i, want);
  }
  const v = fillValue(b.id);
  if (sampled && limit > 64) {
    for (let i = 4; i < 32; i++) if (u8[b.ptr + i] !== v) fail(i, v);
    for (let i = limit - 32; i < limit; i++) if (u8[b.ptr + i] !== v) fail(i, v);
    return;
  }
  for (let i = 4; i < limit; i++) if (u8[b.ptr + i] !== v) fail(i, v);
}

function checkViews(heap: Heap, what: string): void {
  const len = heap.buffer.byteLength;
  assert.equal(heap.u8.length, len, `${what}: heap.u8.length`);
  assert.equal(heap.u8.byteLength, len, `${what}: heap.u8.byteLength`);
  assert.equal(heap.i32.length, len / Int32Array.BYTES_PER_ELEMENT, `${what}: heap.i32.length`);
  assert.equal(heap.u32.length, len / Uint32Array.BYTES_PER_ELEMENT, `${what}: heap.u32.length`);
  assert.equal(heap.f64.length, len / Float64Array.BYTES_PER_ELEMENT, `${what}: heap.f64.length`);
  const s = heap.stats();
  assert.equal(s.bufferBytes, len, `${what}: stats().bufferBytes`);
}

function checkStats(heap: Heap, live: readonly Blk[], what: string): void {
  const s = heap.stats();
  assert.equal(s.liveBlocks, live.length, `${what}: liveBlocks`);
  assert.equal(
    s.liveBytes,
    live.reduce((a, b) => a + b.size, 0),
    `${what}: liveBytes`,
  );
}

function sizeFor(rng: Rng): number {
  const r = rng.below(100);
  if (r < 50) return 1 + rng.below(1024);
  if (r < 80) return 1025 + rng.below(65536 - 1024);
  const top = (128 * KiB) << rng.below(6); // up to 4 MiB, log-skewed
  return 65537 + rng.below(top - 65536);
}

interface Variant {
  name: string;
  make(): { heap: Heap; memory?: WebAssembly.Memory };
  kind: "sab" | "ab" | "wasm";
}

const VARIANTS: readonly Variant[] = [
  {
    name: "growable SharedArrayBuffer (default)",
    kind: "sab",
    make: () => ({ heap: createHeap({ initialBytes: MiB, maxBytes: MAX }) }),
  },
  {
    name: "resizable ArrayBuffer (shared: false)",
    kind: "ab",
    make: () => ({ heap: createHeap({ initialBytes: MiB, maxBytes: MAX, shared: false }) }),
  },
  {
    name: "resizable ArrayBuffer (shared: false), profile lean",
    kind: "ab",
    make: () => ({ heap: createHeap({ initialBytes: MiB, maxBytes: MAX, shared: false, profile: "lean" }) }),
  },
  {
    name: "shared WebAssembly.Memory",
    kind: "wasm",
    make: () => {
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 8192, shared: true });
      return { heap: createHeap({ memory, maxBytes: MAX }), memory };
    },
  },
  {
    name: "non-shared WebAssembly.Memory",
    kind: "wasm",
    make: () => {
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 8192 });
      return { heap: createHeap({ memory, maxBytes: MAX }), memory };
    },
  },
];

describe("growth from 1 MiB past 256 MiB", () => {
  for (const variant of VARIANTS) {
    it(variant.name, (t) => {
      const started = Date.now();
      const { heap, memory } = variant.make();
      const rng = new Rng(0x9e3779b9);
      const live: Blk[] = [];
      let nextId = 1;

      const initial = heap.buffer.byteLength;
      assert.ok(initial <= 4 * MiB, `initial buffer ${initial} > 4 MiB: growth is not exercised`);
      if (variant.kind === "sab") assert.ok(heap.buffer instanceof SharedArrayBuffer, "default buffer is not a SharedArrayBuffer");
      if (variant.kind === "ab") assert.ok(!(heap.buffer instanceof SharedArrayBuffer), "shared: false gave a SharedArrayBuffer");
      if (memory) assert.equal(heap.buffer.byteLength, memory.buffer.byteLength, "heap.buffer is not the adopted memory");
      checkViews(heap, "initial");

      const remove = (i: number): Blk => {
        const b = live[i]!;
        live[i] = live[live.length - 1]!;
        live.pop();
        return b;
      };
      const accept = (ptr: number, size: number, align: number, what: string): Blk => {
        assert.ok(Number.isInteger(ptr) && ptr > 0, `${what}(${size}) returned ${ptr} with buffer ${heap.buffer.byteLength}`);
        assert.equal(ptr % align, 0, `${what}(${size}) returned ${ptr}, not ${align}-aligned`);
        assert.ok(ptr + size <= heap.buffer.byteLength, `${what}(${size}) = ${ptr} ends past the buffer`);
        assert.ok(heap.usableSize(ptr) >= size, `usableSize < ${size}`);
        const b: Blk = { ptr, size, id: nextId++ };
        return b;
      };

      let lastLen = initial;
      let growths = 0;
      let lastAllocated: Blk | undefined;
      const onMaybeGrown = (what: string): void => {
        const len = heap.buffer.byteLength;
        if (len === lastLen) return;
        growths++;
        lastLen = len;
        checkViews(heap, `${what} (buffer now ${len})`);
        if (memory) assert.equal(memory.buffer.byteLength, len, "adopted WebAssembly.Memory was not grown with the heap");
        for (const b of live) verifyBlock(heap, b, `after growth to ${len}`, b.size, true);
      };

      while (heap.buffer.byteLength <= TARGET) {
        const r = rng.below(100);
        if (r < 12 && live.length > 0) {
          const b = remove(rng.below(live.length));
          verifyBlock(heap, b, "before free");
          heap.free(b.ptr);
          continue;
        }
        if (r < 17 && live.length > 0) {
          const i = rng.below(live.length);
          const b = live[i]!;
          const n = sizeFor(rng);
          verifyBlock(heap, b, "before realloc");
          const q = heap.realloc(b.ptr, n);
          onMaybeGrown("realloc");
          assert.ok(q > 0, `realloc(${b.ptr}, ${n}) returned ${q}`);
          assert.equal(q % 16, 0);
          assert.ok(q + n <= heap.buffer.byteLength);
          const moved: Blk = { ptr: q, size: n, id: b.id };
          verifyBlock(heap, moved, "contents after realloc", Math.min(b.size, n));
          live[i] = moved;
          fillBlock(heap, moved);
          lastAllocated = moved;
          continue;
        }
        const n = sizeFor(rng);
        let b: Blk;
        if (r < 27) {
          const p = heap.calloc(1, n);
          onMaybeGrown("calloc");
          b = accept(p, n, 16, "calloc");
          const u8 = heap.u8;
          const lim = n <= 65536 ? n : 4096;
          for (let i = 0; i < lim; i++) if (u8[p + i] !== 0) assert.fail(`calloc(1, ${n}) byte ${i} not zero`);
          for (let i = n - lim; i < n; i++) if (u8[p + i] !== 0) assert.fail(`calloc(1, ${n}) byte ${i} not zero`);
        } else if (r < 37) {
          const align = 16 << rng.below(13);
          const p = heap.alignedAlloc(align, n);
          onMaybeGrown("alignedAlloc");
          b = accept(p, n, align, `alignedAlloc(${align})`);
        } else {
          const p = heap.malloc(n);
          onMaybeGrown("malloc");
          b = accept(p, n, 16, "malloc");
        }
        fillBlock(heap, b);
        live.push(b);
        lastAllocated = b;
      }

      assert.ok(heap.buffer.byteLength > TARGET, "did not grow past 256 MiB");
      assert.ok(growths >= 1, "buffer never grew");
      assert.ok(heap.buffer.byteLength <= MAX, `buffer ${heap.buffer.byteLength} > maxBytes ${MAX}`);
      checkViews(heap, "after growth");
      checkStats(heap, live, "after growth");
      for (const b of live) verifyBlock(heap, b, "after growth (full check)");

      // Typed views reach the end of the grown buffer: write through f64 / i32 at the end of the
      // highest block and of the last block allocated, read back through u8 / a DataView.
      const highest = live.reduce((a, b) => (b.ptr > a.ptr ? b : a));
      for (const b of [highest, lastAllocated!]) {
        if (b.size < 16) continue;
        const f64 = heap.f64;
        const fi = (b.ptr + (b.size & ~7) - 8) / 8;
        assert.ok(Number.isInteger(fi) && fi < f64.length, `f64 index ${fi} outside the view (${f64.length})`);
        f64[fi] = Math.PI * b.id;
        const dv = new DataView(heap.buffer);
        assert.equal(dv.getFloat64(fi * 8, true), Math.PI * b.id, "f64 write not visible through the buffer");
        assert.equal(heap.f64[fi], Math.PI * b.id, "f64 write not visible through a fresh f64 view");
        const i32 = heap.i32;
        const ii = (b.ptr >> 2) + 1;
        i32[ii] = -b.id;
        assert.equal(dv.getInt32(ii * 4, true), -b.id, "i32 write not visible through the buffer");
        heap.u32[ii] = 0xdeadbeef;
        assert.equal(heap.u8[ii * 4], 0xef);
        fillBlock(heap, b); // restore the pattern
        verifyBlock(heap, b, "after typed-view writes");
      }

      // Run into maxBytes: 1 MiB blocks until malloc returns 0.
      let hitLimit = false;
      for (let i = 0; i < 1024; i++) {
        const before = heap.stats();
        const p = heap.malloc(MiB);
        if (p === 0) {
          const after = heap.stats();
          assert.equal(after.liveBlocks, before.liveBlocks, "failed malloc changed liveBlocks");
          assert.equal(after.liveBytes, before.liveBytes, "failed malloc changed liveBytes");
          hitLimit = true;
          break;
        }
        onMaybeGrown("malloc to the limit");
        const b = accept(p, MiB, 16, "malloc");
        assert.ok(heap.buffer.byteLength <= MAX, `buffer ${heap.buffer.byteLength} grew past maxBytes ${MAX}`);
        fillBlock(heap, b);
        live.push(b);
      }
      assert.ok(hitLimit, "malloc never returned 0 below maxBytes");
      assert.ok(heap.buffer.byteLength <= MAX, `buffer ${heap.buffer.byteLength} > maxBytes`);
      assert.equal(heap.malloc(4 * MiB), 0, "malloc(4 MiB) succeeded right after malloc(1 MiB) failed");
      checkViews(heap, "at the limit");
      checkStats(heap, live, "at the limit");

      // The heap still works at the limit: free a 1 MiB block, allocate 1 MiB again.
      const idx = live.findIndex((b) => b.size === MiB);
      assert.ok(idx >= 0, "no 1 MiB block to free");
      const freed = remove(idx);
      verifyBlock(heap, freed, "before free at the limit");
      heap.free(freed.ptr);
      const again = accept(heap.malloc(MiB), MiB, 16, "malloc after free at the limit");
      fillBlock(heap, again);
      live.push(again);
      const small = accept(heap.malloc(64), 64, 16, "malloc(64) at the limit");
      fillBlock(heap, small);
      live.push(small);
      checkStats(heap, live, "after recovering at the limit");

      for (const b of live) verifyBlock(heap, b, "final check");
      const bytes = heap.buffer.byteLength;
      while (live.length > 0) {
        const b = remove(live.length - 1 - (live.length > 3 ? 3 : 0));
        heap.free(b.ptr);
      }
      const s = heap.stats();
      assert.equal(s.liveBlocks, 0, "liveBlocks after freeing everything");
      assert.equal(s.liveBytes, 0, "liveBytes after freeing everything");
      checkViews(heap, "after freeing everything");
      assert.ok(heap.buffer.byteLength <= bytes, "buffer grew while freeing");
      // and the emptied heap serves a big block again
      const big = heap.malloc(64 * MiB);
      assert.ok(big > 0, "malloc(64 MiB) failed on an emptied heap");
      heap.u8[big + 64 * MiB - 1] = 7;
      assert.equal(heap.u8[big + 64 * MiB - 1], 7);
      heap.free(big);
      heap.detach();
      t.diagnostic(`${growths} growths, ${nextId - 1} blocks, ${Date.now() - started} ms`);
    });
  }
});

describe("freed memory is reusable for one big block after the heap has grown", () => {
  // Grow the heap with 2 MiB blocks, free them all: the freed space must serve one block of 3/8
  // of the ceiling. (Not all of it: segment metadata sits in a few never-freed runs of META
  // pages, the last one at half the ceiling; see src/layout.ts.)
  for (const profile of ["balanced", "fast", "lean", "safe"] as const) {
    for (const shared of [true, false]) {
      it(`profile ${profile}, shared: ${shared}: 20 x 2 MiB freed, then malloc(24 MiB) in a 64 MiB heap`, () => {
        const maxBytes = 64 * MiB;
        const fresh = createHeap({ maxBytes, profile, shared });
        const f = fresh.malloc(24 * MiB);
        assert.ok(f > 0, "malloc(24 MiB) failed on a fresh 64 MiB heap");
        fresh.free(f);
        fresh.detach();

        const heap = createHeap({ maxBytes, profile, shared });
        const ps: number[] = [];
        for (let i = 0; i < 20; i++) {
          const p = heap.malloc(2 * MiB);
          assert.ok(p > 0, `malloc(2 MiB) #${i} failed`);
          heap.u8[p] = i;
          ps.push(p);
        }
        for (const p of ps) heap.free(p);
        const s = heap.stats();
        assert.equal(s.liveBlocks, 0);
        assert.equal(s.liveBytes, 0);
        const big = heap.malloc(24 * MiB);
        assert.ok(
          big > 0,
          `malloc(24 MiB) failed after freeing every block (buffer ${heap.buffer.byteLength}, ` +
            `footprint ${s.footprintBytes}, maxBytes ${maxBytes})`,
        );
        heap.u8[big + 24 * MiB - 1] = 1;
        heap.free(big);
        heap.detach();
      });
    }
  }
});

describe("freed memory is reusable after small and large blocks were interleaved", () => {
  // Small blocks (one slab each) between large blocks, then everything freed: the empty slabs
  // must not keep the freed large spans apart (1.5 MiB fits on either side of the META page that
  // the heap takes at 2 MiB when it grows).
  for (const profile of ["balanced", "fast", "lean", "safe"] as const) {
    it(`profile ${profile}: 24 small + 24 large blocks freed, then malloc(1.5 MiB) in a 4 MiB heap`, () => {
      const heap = createHeap({ maxBytes: 4 * MiB, profile });
      const ps: number[] = [];
      for (let i = 0; i < 24; i++) {
        const a = heap.malloc(16 + i * 32);
        const b = heap.malloc(70000 + i * 1000);
        assert.ok(a > 0 && b > 0, `allocation ${i} failed`);
        ps.push(a, b);
      }
      for (const p of ps) heap.free(p);
      const s = heap.stats();
      assert.equal(s.liveBlocks, 0);
      const big = heap.malloc(1.5 * MiB);
      assert.ok(big > 0, `malloc(1.5 MiB) failed on an emptied 4 MiB heap (footprint ${s.footprintBytes})`);
      heap.free(big);
      heap.detach();
    });
  }
});
