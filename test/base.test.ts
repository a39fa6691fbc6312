// A heap above a base offset (createHeap({ base }), attachHeap(memory, { base })): the prefix
// below the base is never read or written, pointers below it are invalid, alignment is absolute,
// every backing kind works, bad bases are INVALID_OPTION.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { attachHeap, createHeap, HeapError } from "../src/index.ts";
import { code } from "./support/errors.ts";

type Heap = ReturnType<typeof createHeap>;
const KiB = 1024;
const MiB = 1024 * KiB;
const PAGE = 16 * KiB;
const WASM_PAGE = 64 * KiB;
const PROFILES = ["balanced", "fast", "lean", "safe"] as const;

type Backing = WebAssembly.Memory | SharedArrayBuffer | ArrayBuffer;
const BACKINGS: Record<string, (bytes: number, max: number) => Backing> = {
  "growable SharedArrayBuffer": (bytes, max) => new SharedArrayBuffer(bytes, { maxByteLength: max }),
  "resizable ArrayBuffer": (bytes, max) => new ArrayBuffer(bytes, { maxByteLength: max }),
  "WebAssembly.Memory": (bytes, max) => new WebAssembly.Memory({ initial: bytes / WASM_PAGE, maximum: max / WASM_PAGE }),
  "shared WebAssembly.Memory": (bytes, max) => new WebAssembly.Memory({ initial: bytes / WASM_PAGE, maximum: max / WASM_PAGE, shared: true }),
};

const bufferOf = (m: Backing): ArrayBufferLike => (m instanceof WebAssembly.Memory ? m.buffer : m);
const pattern = (i: number): number => (i * 131 + 7) & 255;

function fillPrefix(m: Backing, bytes: number): void {
  const u8 = new Uint8Array(bufferOf(m), 0, bytes);
  for (let i = 0; i < bytes; i++) u8[i] = pattern(i);
}

/** Index of the first prefix byte that changed, or −1. */
function prefixDamage(m: Backing, bytes: number): number {
  const u8 = new Uint8Array(bufferOf(m), 0, bytes);
  for (let i = 0; i < bytes; i++) if (u8[i] !== pattern(i)) return i;
  return -1;
}

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * A random workload over every size tier, with every block's bytes stamped with its id and
 * checked when it is freed or resized: malloc, calloc, realloc, alignedAlloc, free.
 */
function workload(heap: Heap, seed: number, ops: number): void {
  const rand = xorshift(seed);
  const live = new Map<number, { size: number; id: number }>();
  let nextId = 1;
  const stamp = (p: number, size: number, id: number): void => {
    const u8 = heap.u8;
    for (let i = 0; i < Math.min(size, 64); i++) u8[p + i] = (id + i) & 255;
    for (let i = Math.max(64, size - 32); i < size; i++) u8[p + i] = (id + i) & 255;
  };
  const check = (p: number, size: number, id: number, tail = true): void => {
    const u8 = heap.u8;
    for (let i = 0; i < Math.min(size, 64); i++) if (u8[p + i] !== ((id + i) & 255)) assert.fail(`block ${p} byte ${i} changed`);
    if (!tail) return;
    for (let i = Math.max(64, size - 32); i < size; i++) if (u8[p + i] !== ((id + i) & 255)) assert.fail(`block ${p} byte ${i} changed`);
  };
  const sizeOf = (): number => {
    const r = rand() % 100;
    if (r < 70) return rand() % 1024;
    if (r < 95) return 1024 + (rand() % (64 * KiB));
    return 64 * KiB + (rand() % (512 * KiB));
  };
  for (let op = 0; op < ops; op++) {
    const r = rand() % 100;
    if (r < 45 || live.size === 0) {
      const size = sizeOf();
      const kind = rand() % 3;
      const align = 2 ** (4 + (rand() % 13));
      const p = kind === 0 ? heap.malloc(size) : kind === 1 ? heap.calloc(1, size) : heap.alignedAlloc(align, size);
      assert.ok(p !== 0, "out of memory");
      assert.ok(p >= heap.base + 2 * PAGE, `pointer ${p} below the heap's spans (base ${heap.base})`);
      assert.equal(p % 16, 0);
      if (kind === 2) assert.equal(p % align, 0, `alignedAlloc(${align}) gave ${p}`);
      if (kind === 1) for (let i = 0; i < size; i += 97) assert.equal(heap.u8[p + i], 0);
      const id = nextId++;
      stamp(p, size, id);
      live.set(p, { size, id });
    } else {
      const keys = [...live.keys()];
      const p = keys[rand() % keys.length];
      const { size, id } = live.get(p)!;
      check(p, size, id);
      live.delete(p);
      if (r < 70) {
        const n = sizeOf() + 1; // realloc(p, 0) frees
        const q = heap.realloc(p, n);
        assert.ok(q !== 0);
        if (n >= size) check(q, size, id);
        else check(q, n, id, false); // the stamped tail was cut off
        stamp(q, n, id);
        live.set(q, { size: n, id });
      } else heap.free(p);
    }
  }
  for (const [p, { size, id }] of live) {
    check(p, size, id);
    heap.free(p);
  }
  assert.equal(heap.stats().liveBlocks, 0);
}

describe("heap at a base offset", () => {
  it("rounds the base up to a page and counts the prefix in the footprint", () => {
    const heap = createHeap({ base: 100_000, shared: false });
    assert.equal(heap.base, 7 * PAGE);
    const s = heap.stats();
    assert.equal(s.footprintBytes, 7 * PAGE + 2 * PAGE); // prefix + header page + first META page
    assert.ok(s.bufferBytes >= s.footprintBytes);
    const plain = createHeap({ shared: false });
    assert.equal(plain.base, 0);
    assert.equal(plain.stats().footprintBytes, 2 * PAGE);
    assert.equal(createHeap({ base: 3 * PAGE }).base, 3 * PAGE);
  });

  it("pointers at or below the base are INVALID_POINTER and name the pointer passed", () => {
    for (const profile of PROFILES) {
      const heap = createHeap({ base: 5 * PAGE, profile });
      const p = heap.malloc(100);
      for (const bad of [16, 4 * PAGE, 5 * PAGE - 16, 5 * PAGE, 5 * PAGE + 16, 5 * PAGE + PAGE]) {
        for (const call of [() => heap.free(bad), () => heap.usableSize(bad), () => heap.realloc(bad, 10)]) {
          try {
            call();
            assert.fail(`${profile}: ${bad} accepted`);
          } catch (e) {
            assert.ok(e instanceof HeapError, String(e));
            assert.equal(e.code, "INVALID_POINTER");
            assert.equal(e.offset, bad);
            assert.match(e.message, new RegExp(`^${bad} `));
          }
        }
      }
      heap.free(p);
      const e = (() => {
        try {
          heap.free(p);
        } catch (err) {
          return err as HeapError;
        }
      })();
      if (profile === "fast") continue; // keeps no block states: no double-free detection
      assert.equal(heap.stats().liveBlocks, 0);
      assert.equal(e?.code, "DOUBLE_FREE");
      assert.equal(e?.offset, p);
    }
  });

  it("bad base values are INVALID_OPTION", () => {
    for (const base of [-1, -PAGE, 1.5, Number.NaN, Infinity, "16", null, 2 ** 31, 2 ** 31 - 1, 2 ** 32]) {
      assert.equal(code(() => createHeap({ base: base as number })), "INVALID_OPTION", `createHeap base ${String(base)}`);
      assert.equal(code(() => attachHeap(new SharedArrayBuffer(MiB), { base: base as number })), "INVALID_OPTION", `attachHeap base ${String(base)}`);
    }
    // Beyond what the memory can ever hold.
    assert.equal(code(() => createHeap({ base: MiB, maxBytes: MiB + 2 * PAGE })), "INVALID_OPTION");
    assert.equal(code(() => createHeap({ memory: new ArrayBuffer(MiB), base: MiB - 2 * PAGE })), "INVALID_OPTION");
    assert.equal(code(() => createHeap({ memory: new WebAssembly.Memory({ initial: 1, maximum: 2 }), base: WASM_PAGE })), "INVALID_OPTION");
    assert.equal(createHeap({ memory: new ArrayBuffer(MiB), base: MiB - 3 * PAGE }).base, MiB - 3 * PAGE);
  });

  it("attaching needs the base the heap was created with", () => {
    const heap = createHeap({ base: 4 * PAGE });
    assert.equal(code(() => attachHeap(heap.buffer)), "INVALID_HEAP");
    assert.equal(code(() => attachHeap(heap.buffer, { base: 8 * PAGE })), "INVALID_HEAP");
    const h2 = attachHeap(heap.buffer, { base: 4 * PAGE - 100 }); // rounds up the same way
    assert.equal(h2.base, 4 * PAGE);
    const p = heap.malloc(1000);
    h2.free(p);
    h2.detach();
    assert.equal(heap.stats().liveBlocks, 0);
  });

  it("alignedAlloc is absolutely aligned for every alignment up to 2^30", () => {
    const heap = createHeap({ base: 3 * PAGE + 16, maxBytes: 2 ** 31, initialBytes: MiB });
    for (let shift = 4; shift <= 30; shift++) {
      const align = 2 ** shift;
      const p = heap.alignedAlloc(align, 100);
      assert.ok(p !== 0, `alignedAlloc(2^${shift})`);
      assert.equal(p % align, 0, `alignedAlloc(2^${shift}) = ${p}`);
      heap.u8[p + 99] = 1;
      heap.free(p);
    }
  });

  for (const [kind, make] of Object.entries(BACKINGS)) {
    it(`${kind}: nothing below the base is written, in every profile`, () => {
      for (const [i, profile] of PROFILES.entries()) {
        const base = 3 * WASM_PAGE + 4096 * i; // not a page multiple for most: rounded up
        const memory = make(4 * WASM_PAGE, 256 * MiB);
        fillPrefix(memory, 4 * WASM_PAGE);
        const heap = createHeap({ memory, base, profile });
        const prefix = heap.base;
        assert.equal(prefixDamage(memory, prefix), -1);
        workload(heap, 17 + i, 3000);
        assert.ok(heap.stats().growths > 0, "the workload grew the memory");
        assert.equal(prefixDamage(memory, prefix), -1, `${profile}: prefix written`);
        heap.trim();
        assert.equal(prefixDamage(memory, prefix), -1, `${profile}: prefix written by trim`);
        assert.ok(bufferOf(memory).byteLength >= prefix + 2 * PAGE);
        if (kind === "resizable ArrayBuffer") assert.equal(bufferOf(memory).byteLength, Math.max(heap.stats().footprintBytes, prefix + 3 * PAGE));
        heap.detach();
      }
    });
  }

  it("the layout does not depend on the base: every pointer is base + what base 0 gives", () => {
    const sizes = [1, 100, 1000, 5000, 40_000, 100_000, 3 * MiB, 17, 64 * KiB];
    const run = (base: number): number[] => {
      const heap = createHeap({ base, shared: false, initialBytes: 4 * MiB });
      const out = sizes.map((n) => heap.malloc(n));
      heap.free(out[1]);
      heap.free(out[5]);
      out.push(heap.malloc(90), heap.alignedAlloc(4096, 10), heap.realloc(out[2], 20_000)); // alignments above a page depend on the base
      out.push(heap.stats().footprintBytes - heap.base);
      return out;
    };
    const zero = run(0);
    assert.ok(zero.every((p) => p >= 2 * PAGE), "blocks start after the header and first META pages");
    for (const base of [PAGE, 7 * PAGE, 3 * MiB + 5 * PAGE]) {
      const got = run(base);
      assert.deepEqual(got.slice(0, -1), zero.slice(0, -1).map((p) => base + p), `base ${base}`);
      assert.equal(got.at(-1), zero.at(-1), `base ${base}: the heap's own footprint`);
    }
  });

  it("views are absolute: heap.u8[p] is the byte at p of the memory", () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4096 });
    const heap = createHeap({ memory, base: 2 * WASM_PAGE + 1 });
    const p = heap.malloc(8);
    heap.u8[p] = 42;
    heap.f64[(p >> 3) + 0] = 1.5;
    assert.equal(new Float64Array(memory.buffer)[p >> 3], 1.5);
    heap.i32[(p >> 2) + 1] = -7;
    assert.equal(new Int32Array(memory.buffer)[(p >> 2) + 1], -7);
    assert.equal(heap.dataView.getInt32(p + 4, true), -7);
    assert.equal(heap.u8.length, memory.buffer.byteLength);
  });

  it("a worker attaches with the base and frees blocks of the main thread, and the reverse", async () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4096, shared: true });
    fillPrefix(memory, 3 * WASM_PAGE);
    const heap = createHeap({ memory, base: 3 * WASM_PAGE });
    const mine = Array.from({ length: 200 }, (_, i) => heap.malloc(16 + i * 40));
    for (const p of mine) heap.u8[p] = 0x5a;
    const url = new URL("./fixtures/base-worker.mjs", import.meta.url);
    const worker = new Worker(url, { workerData: { memory, base: 3 * WASM_PAGE, blocks: mine } });
    const theirs: number[] = await new Promise((resolve, reject) => {
      worker.on("message", resolve);
      worker.on("error", reject);
    });
    await new Promise((r) => worker.on("exit", r));
    assert.equal(theirs.length, 300);
    for (const p of theirs) {
      assert.ok(p > heap.base);
      assert.equal(heap.u8[p], 0xa5);
      heap.free(p);
    }
    assert.equal(heap.stats().liveBlocks, 0);
    assert.equal(prefixDamage(memory, 3 * WASM_PAGE), -1);
  });
});
