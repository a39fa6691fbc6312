// The API contract (README "API", "Options, profiles", "Limits") and bad input, as bodies that
// run in Node (test/contract.test.ts) and in Chromium (test/browser.test.ts) alike.
import { type Case, code, type Context, type Heap, PROFILES } from "./harness.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Sizes from every tier: tiny, mid, large. */
const SIZES = [1, 16, 100, 1024, 1025, 5000, 65536, 65537, 300_000];
const BAD_SIZES: readonly unknown[] = [-1, 1.5, NaN, Infinity, -Infinity, "16", null, undefined, 16n, {}];

function pattern(id: number, i: number): number {
  return (id * 131 + i * 7 + 1) & 255;
}

function fill(heap: Heap, p: number, n: number, id: number): void {
  const u8 = heap.u8;
  for (let i = 0; i < n; i++) u8[p + i] = pattern(id, i);
}

function intact(heap: Heap, p: number, n: number, id: number): boolean {
  const u8 = heap.u8;
  for (let i = 0; i < n; i++) if (u8[p + i] !== pattern(id, i)) return false;
  return true;
}

/** Live blocks, their contents and the heap's stats unchanged since `before`. */
function unchanged(t: Context, heap: Heap, before: ReturnType<Heap["stats"]>, blocks: readonly [p: number, n: number][], what: string): void {
  const s = heap.stats();
  t.assert.deepEqual([s.liveBlocks, s.liveBytes, s.footprintBytes], [before.liveBlocks, before.liveBytes, before.footprintBytes], `${what}: stats changed`);
  blocks.forEach(([p, n], id) => t.assert.ok(intact(heap, p, n, id), `${what}: block ${p} (${n} B) changed`));
}

/** A heap holding one filled block of each size in SIZES. */
function populated(t: Context): { heap: Heap; blocks: [number, number][] } {
  const heap = t.lib.createHeap({ profile: t.profile, maxBytes: 64 * MiB });
  const blocks = SIZES.map((n, id): [number, number] => {
    const p = heap.malloc(n);
    fill(heap, p, n, id);
    return [p, n];
  });
  return { heap, blocks };
}

export const CONTRACT: readonly Case[] = [
  {
    name: "malloc, calloc, realloc, alignedAlloc, usableSize and free keep their promises",
    profiles: PROFILES,
    run(t) {
      const { assert } = t;
      const { heap, blocks } = populated(t);
      assert.equal(heap.profile.name, t.profile);
      blocks.forEach(([p, n], id) => {
        assert.ok(Number.isInteger(p) && p > 0 && p % 16 === 0, `malloc(${n}) = ${p}`);
        assert.ok(heap.usableSize(p) >= n, `usableSize(malloc(${n}))`);
        for (const [q, m] of blocks) if (q !== p) assert.ok(p + n <= q || q + m <= p, `blocks ${p} and ${q} overlap`);
        assert.ok(intact(heap, p, n, id), `block of ${n} B`);
      });
      assert.equal(heap.stats().liveBlocks, SIZES.length);
      // calloc zeroes memory that was dirty before
      const dirty = heap.malloc(4096);
      heap.u8.fill(0xff, dirty, dirty + 4096);
      heap.free(dirty);
      const z = heap.calloc(64, 64);
      assert.ok(z > 0 && heap.u8.subarray(z, z + 4096).every((b) => b === 0), "calloc is zeroed");
      // realloc keeps the contents up to the smaller size, across tiers
      let r = heap.malloc(40);
      fill(heap, r, 40, 99);
      for (const n of [200, 3000, 70_000, 500_000, 100]) {
        r = heap.realloc(r, n);
        assert.ok(r > 0 && heap.usableSize(r) >= n, `realloc to ${n}`);
        assert.ok(intact(heap, r, 40, 99), `contents after realloc to ${n}`);
      }
      for (const align of [16, 64, 4096, 65536]) {
        const a = heap.alignedAlloc(align, 100);
        assert.ok(a > 0 && a % align === 0, `alignedAlloc(${align}, 100) = ${a}`);
        heap.free(a);
      }
      heap.free(0);
      for (const [p] of blocks) heap.free(p);
      heap.free(z);
      heap.free(r);
      assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0]);
    },
  },
  {
    name: "the heap grows up to maxBytes and no further; views read again see every block",
    profiles: PROFILES,
    run(t) {
      const { assert } = t;
      const heap = t.lib.createHeap({ profile: t.profile, initialBytes: MiB, maxBytes: 16 * MiB });
      const first = heap.malloc(100);
      fill(heap, first, 100, 1);
      const before = heap.buffer.byteLength;
      const big: number[] = [];
      for (let p = heap.malloc(MiB); p !== 0; p = heap.malloc(MiB)) {
        heap.u8[p + MiB - 1] = 7; // the last byte of the block is in the current view
        big.push(p);
      }
      const s = heap.stats();
      assert.ok(s.growths > 0 && heap.buffer.byteLength > before, "the buffer grew");
      assert.ok(heap.buffer.byteLength <= 16 * MiB && s.bufferBytes === heap.buffer.byteLength, `buffer ${heap.buffer.byteLength} B`);
      assert.ok(big.length >= 8, `only ${big.length} blocks of 1 MiB in 16 MiB`);
      assert.equal(heap.u8.length, heap.buffer.byteLength);
      assert.ok(intact(heap, first, 100, 1), "a block from before the growth");
      assert.ok(big.every((p) => heap.u8[p + MiB - 1] === 7), "the big blocks");
      for (const p of big) heap.free(p);
      assert.notEqual(heap.malloc(MiB), 0, "memory freed is reused");
    },
  },
  {
    name: "bad sizes throw TypeError or RangeError, impossible sizes return 0; nothing changes",
    profiles: PROFILES,
    run(t) {
      const { assert } = t;
      const { heap, blocks } = populated(t);
      const before = heap.stats();
      const sizeError = (f: () => unknown, what: string) => assert.ok(["TypeError", "RangeError"].includes(code(t.lib, f) ?? ""), `${what}: ${code(t.lib, f)}`);
      for (const n of BAD_SIZES) {
        const bad = n as number;
        sizeError(() => heap.malloc(bad), `malloc(${String(n)})`);
        sizeError(() => heap.calloc(bad, 4), `calloc(${String(n)}, 4)`);
        sizeError(() => heap.calloc(4, bad), `calloc(4, ${String(n)})`);
        sizeError(() => heap.realloc(blocks[3][0], bad), `realloc(p, ${String(n)})`);
        sizeError(() => heap.alignedAlloc(64, bad), `alignedAlloc(64, ${String(n)})`);
      }
      for (const align of [0, 3, 24, -16, 2 ** 31]) assert.equal(code(t.lib, () => heap.alignedAlloc(align, 10)), "RangeError", `alignment ${align}`);
      assert.equal(code(t.lib, () => heap.alignedAlloc("64" as unknown as number, 10)), "TypeError");
      for (const n of [64 * MiB + 1, 2 ** 31, 2 ** 53]) {
        assert.equal(heap.malloc(n), 0, `malloc(${n})`);
        assert.equal(heap.alignedAlloc(4096, n), 0, `alignedAlloc(4096, ${n})`);
        for (const [p] of blocks) assert.equal(heap.realloc(p, n), 0, `realloc(p, ${n})`);
      }
      assert.equal(heap.calloc(2 ** 27, 2 ** 27), 0, "calloc overflow");
      unchanged(t, heap, before, blocks, "after bad sizes");
    },
  },
  {
    name: "bad pointers throw INVALID_POINTER, double frees DOUBLE_FREE (not in fast); nothing changes",
    profiles: PROFILES,
    run(t) {
      const { assert } = t;
      const { heap, blocks } = populated(t);
      // (a large block made and freed before the snapshot: making it may give back cached
      // memory first, lean's policy before a new peak, which is a change but not a bad pointer's)
      const big = heap.malloc(300_000);
      heap.free(big);
      const freed = heap.malloc(64);
      heap.free(freed);
      const before = heap.stats();
      const live = blocks.map(([p]) => p);
      for (const p of [8, 16, 12345, live[2] + 16, live[6] + 16, heap.buffer.byteLength, 2 ** 31, 2 ** 32 + 16, -16, 1.5, NaN]) {
        for (const [name, f] of [["free", () => heap.free(p)], ["realloc", () => heap.realloc(p, 10)], ["usableSize", () => heap.usableSize(p)]] as const) {
          assert.equal(code(t.lib, f), "INVALID_POINTER", `${name}(${p})`);
        }
      }
      for (const p of ["64", null, undefined, {}, 64n]) assert.ok(["TypeError", "INVALID_POINTER"].includes(code(t.lib, () => heap.free(p as number)) ?? ""), `free(${String(p)})`);
      if (t.profile !== "fast") {
        assert.equal(code(t.lib, () => heap.free(freed)), "DOUBLE_FREE");
        assert.ok(["DOUBLE_FREE", "INVALID_POINTER"].includes(code(t.lib, () => heap.free(big)) ?? ""), "double free of a large block");
      }
      const e = (() => {
        try {
          heap.free(12345);
        } catch (err) {
          return err;
        }
      })();
      assert.ok(e instanceof t.lib.HeapError && e instanceof Error && e.name === "HeapError" && e.message.length > 0, "a HeapError is an Error with a message");
      unchanged(t, heap, before, blocks, "after bad pointers");
      for (const [p] of blocks) heap.free(p);
      assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0]);
    },
  },
  {
    name: "bad options and buffers that hold no heap are rejected with typed errors",
    run(t) {
      const { assert, lib } = t;
      for (const bad of [{ maxBytes: 1.5 }, { maxBytes: 2 ** 32 }, { initialBytes: -1 }, { initialBytes: 8 * MiB, maxBytes: 4 * MiB }, { shared: "yes" }, { memory: new Uint8Array(4) }, { profile: "turbo" }]) {
        assert.equal(code(lib, () => lib.createHeap(bad as object)), "INVALID_OPTION", JSON.stringify(bad));
      }
      assert.equal(code(lib, () => lib.createHeap(null as unknown as object)), "INVALID_OPTION");
      assert.equal(code(lib, () => lib.attachHeap(new ArrayBuffer(1 << 16))), "INVALID_HEAP");
      assert.equal(code(lib, () => lib.attachHeap({} as ArrayBuffer)), "TypeError");
      const heap = lib.createHeap({ profile: "lean" });
      assert.equal(code(lib, () => lib.attachHeap(heap.buffer, { profile: "fast" })), "INVALID_OPTION", "fast keeps no block states");
      assert.equal(code(lib, () => heap.counters()), "NOT_OBSERVED");
    },
  },
  {
    name: "handles on one heap: remote frees, detach, reclaim of a handle that never detached",
    run(t) {
      const { assert, lib } = t;
      const a = lib.createHeap();
      const b = lib.attachHeap(a.buffer);
      assert.notEqual(a.workerId, b.workerId);
      const ps = Array.from({ length: 500 }, (_, i) => a.malloc(16 + (i % 50) * 16));
      for (const p of ps) b.free(p);
      assert.deepEqual([a.stats().liveBlocks, a.stats().liveBytes], [0, 0]);
      assert.equal(code(lib, () => b.free(ps[0])), "DOUBLE_FREE");
      b.detach();
      assert.equal(code(lib, () => b.malloc(16)), "DETACHED");
      const c = lib.attachHeap(a.buffer);
      const kept = Array.from({ length: 100 }, (_, i) => c.malloc(100 + i * 50));
      for (let i = 0; i < 50; i++) c.free(c.malloc(64)); // cached in c's front cache
      assert.equal(a.reclaim(c.workerId), true);
      assert.equal(a.reclaim(c.workerId), false, "already reclaimed");
      assert.equal(a.stats().liveBlocks, kept.length);
      for (const p of kept) a.free(p);
      assert.deepEqual([a.stats().liveBlocks, a.stats().liveBytes], [0, 0]);
      assert.equal(code(lib, () => a.reclaim(a.workerId)), "INVALID_OPTION");
      assert.equal(code(lib, () => a.reclaim(0)), "RangeError");
    },
  },
  {
    name: "safe reports a write after free and an overflow, with the offset written",
    run(t) {
      const { assert, lib } = t;
      const heap = lib.createHeap({ profile: "safe" });
      const p = heap.malloc(64);
      heap.free(p);
      heap.u8[p + 20] = 7;
      let err: unknown;
      for (let i = 0; i < 200 && err === undefined; i++) {
        try {
          heap.malloc(64);
        } catch (e) {
          err = e;
        }
      }
      assert.ok(err instanceof lib.HeapError && err.code === "WRITE_AFTER_FREE" && err.offset === p && err.message.includes(`offset ${p + 20}`), String(err));
      const q = heap.malloc(3000);
      heap.u8[q + 3000] = 1;
      const e2 = code(lib, () => heap.free(q));
      assert.equal(e2, "BUFFER_OVERFLOW");
      heap.u8[q + 3000] = 0xca; // the canary's value: repaired, it frees
      heap.free(q);
    },
  },
  {
    name: "a heap over a resizable ArrayBuffer (shared: false) grows, and trim shrinks it",
    run(t) {
      const { assert, lib } = t;
      const heap = lib.createHeap({ shared: false, profile: "lean", maxBytes: 64 * MiB });
      assert.ok(heap.buffer instanceof ArrayBuffer && heap.buffer.resizable, "a resizable ArrayBuffer");
      const ps = Array.from({ length: 100 }, () => heap.malloc(100_000));
      const keep = ps[0];
      heap.u8[keep] = 42;
      const grown = heap.buffer.byteLength;
      assert.ok(grown >= 10 * MiB, `buffer ${grown}`);
      for (const p of ps.slice(1)) heap.free(p);
      const trimmed = heap.trim();
      assert.ok(trimmed.bufferBytes < grown / 2 && trimmed.bufferBytes === heap.buffer.byteLength, `trim: ${trimmed.bufferBytes} of ${grown}`);
      assert.equal(heap.u8[keep], 42);
      const again = heap.malloc(5 * MiB);
      assert.ok(again > 0);
      heap.u8[again + 5 * MiB - 1] = 1;
    },
  },
  {
    name: "a heap over a WebAssembly.Memory: the buffer is replaced on growth, the views follow",
    run(t) {
      const { assert, lib } = t;
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 512 });
      const heap = lib.createHeap({ memory });
      assert.equal(heap.memory, memory);
      const p = heap.malloc(100);
      fill(heap, p, 100, 3);
      const old = memory.buffer;
      const big = heap.malloc(8 * MiB);
      assert.ok(big > 0 && memory.buffer !== old && old.byteLength === 0, "growth replaced (detached) the buffer");
      assert.equal(heap.buffer, memory.buffer);
      assert.ok(intact(heap, p, 100, 3));
      heap.u8[big + 8 * MiB - 1] = 9;
      assert.equal(new Uint8Array(memory.buffer)[big + 8 * MiB - 1], 9);
      const h2 = lib.attachHeap(memory);
      h2.free(big);
      assert.equal(heap.stats().liveBlocks, 1);
    },
  },
  {
    name: "a heap over a shared WebAssembly.Memory: attached by the memory, grown by either handle",
    needs: "shared",
    run(t) {
      const { assert, lib } = t;
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 1024, shared: true });
      const heap = lib.createHeap({ memory });
      const other = lib.attachHeap(memory);
      assert.ok(heap.buffer instanceof SharedArrayBuffer, "a SharedArrayBuffer");
      const p = heap.malloc(100);
      fill(heap, p, 100, 4);
      const big = other.malloc(8 * MiB); // grown by the second handle
      assert.ok(big > 0 && memory.buffer.byteLength >= 9 * MiB, `memory ${memory.buffer.byteLength} B`);
      heap.u8[big + 8 * MiB - 1] = 5; // the first handle sees the growth
      assert.equal(other.u8[big + 8 * MiB - 1], 5);
      assert.ok(intact(other, p, 100, 4));
      heap.free(big);
      other.free(p);
      assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0]);
    },
  },
  {
    name: "the observe build counts every tier; the default build has no counters",
    run(t) {
      const { assert } = t;
      const heap = t.observe.createHeap();
      const ps = Array.from({ length: 1000 }, (_, i) => heap.malloc(16 + (i % 100)));
      for (const p of ps) heap.free(p);
      heap.free(heap.malloc(MiB));
      const b = t.observe.attachHeap(heap.buffer);
      b.free(heap.malloc(32));
      const c = heap.counters();
      assert.ok(c.mallocHit + c.mallocMiss >= 1002, JSON.stringify(c));
      assert.ok(c.refill > 0 && c.carved > 0 && c.freeLocal > 0 && c.slabNew > 0, JSON.stringify(c));
      assert.deepEqual([c.largeAlloc, c.largeFree], [1, 1]);
      assert.equal(b.counters().remoteFree, 1);
      assert.equal(code(t.lib, () => t.lib.createHeap().counters()), "NOT_OBSERVED");
    },
  },
  {
    name: "a heap above a base offset in a WebAssembly.Memory: the prefix is left alone, pointers below it are invalid",
    profiles: PROFILES,
    run(t) {
      const { assert, lib } = t;
      const memory = new WebAssembly.Memory({ initial: 2, maximum: 1024 });
      const prefix = new Uint8Array(memory.buffer, 0, 100_000);
      for (let i = 0; i < prefix.length; i++) prefix[i] = (i * 7) & 255;
      const heap = lib.createHeap({ memory, base: 100_000, profile: t.profile });
      assert.equal(heap.base, 7 * 16 * KiB, "README: the base is rounded up to a 16 KiB page");
      const blocks = [...SIZES, 2 * MiB].map((n, id): [number, number] => {
        const p = heap.alignedAlloc(4096, n);
        assert.ok(p > heap.base && p % 4096 === 0, `alignedAlloc(4096, ${n}) = ${p}`);
        fill(heap, p, n, id);
        return [p, n];
      });
      assert.ok(heap.stats().growths > 0, "the heap grew the memory");
      assert.ok(heap.stats().footprintBytes <= memory.buffer.byteLength, "README: footprintBytes counts from offset 0");
      const before = heap.stats();
      for (const bad of [16, heap.base - 16, heap.base]) assert.equal(code(lib, () => heap.free(bad)), "INVALID_POINTER", `free(${bad})`);
      unchanged(t, heap, before, blocks, "bad frees below the base");
      for (const [p] of blocks) heap.free(p);
      const now = new Uint8Array(memory.buffer, 0, 100_000);
      let intactPrefix = true;
      for (let i = 0; i < now.length; i++) if (now[i] !== ((i * 7) & 255)) intactPrefix = false;
      assert.ok(intactPrefix, "nothing below the base was written");
      assert.equal(code(lib, () => lib.createHeap({ memory: new WebAssembly.Memory({ initial: 1 }), base: -1 })), "INVALID_OPTION");
    },
  },
  {
    name: "createHeap() without SharedArrayBuffer falls back to a resizable ArrayBuffer; shared: true is an error",
    needs: "unshared",
    run(t) {
      const { assert, lib } = t;
      assert.equal(typeof SharedArrayBuffer, "undefined");
      const heap = lib.createHeap();
      assert.ok(heap.buffer instanceof ArrayBuffer && heap.buffer.resizable, "README: `shared` defaults to true only where SharedArrayBuffer exists");
      const p = heap.malloc(3 * MiB);
      assert.ok(p > 0 && heap.stats().growths > 0, "it grows");
      heap.free(p);
      const err = (() => {
        try {
          lib.createHeap({ shared: true });
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof lib.HeapError && err.code === "INVALID_OPTION" && /cross-origin isolation/.test(err.message), String(err));
      const b = lib.attachHeap(heap.buffer); // handles in one thread still share it
      b.free(heap.malloc(64));
      assert.equal(heap.stats().liveBlocks, 0);
    },
  },
];
