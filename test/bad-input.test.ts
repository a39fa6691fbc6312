// Bad input: every misuse must be reported (HeapError with the right code, or TypeError /
// RangeError for malformed arguments) and must leave the heap exactly as it was: same stats,
// every live block intact, and the heap still allocating and freeing correctly afterwards.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHeap, HeapError } from "../src/index.ts";

type Heap = ReturnType<typeof createHeap>;
type Profile = "fast" | "balanced" | "lean" | "safe";

const KiB = 1024;
const MiB = 1024 * KiB;
const MAX_BYTES = 64 * MiB;
const ALL_PROFILES: readonly Profile[] = ["balanced", "fast", "safe", "lean"];
/** Profiles that detect double frees ("fast" may skip the check). */
const CHECKED_PROFILES: readonly Profile[] = ["balanced", "safe", "lean"];

type Tier = "tiny" | "mid" | "large" | "aligned";
const TIERS: readonly Tier[] = ["tiny", "mid", "large", "aligned"];

// ---------------------------------------------------------------------------------------------
// Helpers

function describeValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (Array.isArray(v)) return "[]";
  if (v !== null && typeof v === "object") return "{}";
  return String(v);
}

function describeErr(e: unknown): string {
  if (e instanceof HeapError) return `HeapError(${e.code}): ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-error ${describeValue(e)}`;
}

function catchErr(fn: () => unknown, what: string): unknown {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return e;
  }
  return assert.fail(`${what}: expected a throw, but it returned ${describeValue(result)}`);
}

function expectHeapError(fn: () => unknown, codes: readonly string[], what: string): HeapError {
  const e = catchErr(fn, what);
  if (!(e instanceof HeapError)) assert.fail(`${what}: expected HeapError(${codes.join("|")}), got ${describeErr(e)}`);
  assert.ok(e instanceof Error, `${what}: HeapError must be an Error`);
  assert.ok(codes.includes(e.code), `${what}: expected code ${codes.join("|")}, got ${e.code} (${e.message})`);
  return e;
}

/** Pointer arguments that are not numbers (or not integers): HeapError INVALID_POINTER or TypeError. */
function expectPointerError(fn: () => unknown, what: string): void {
  const e = catchErr(fn, what);
  if (e instanceof HeapError) {
    assert.equal(e.code, "INVALID_POINTER", `${what}: expected INVALID_POINTER, got ${e.code}`);
    return;
  }
  assert.ok(e instanceof TypeError, `${what}: expected HeapError(INVALID_POINTER) or TypeError, got ${describeErr(e)}`);
}

/** Size arguments that are negative, fractional, NaN, infinite or not numbers: TypeError or RangeError. */
function expectSizeError(fn: () => unknown, what: string): void {
  const e = catchErr(fn, what);
  assert.ok(
    e instanceof TypeError || e instanceof RangeError,
    `${what}: expected TypeError or RangeError, got ${describeErr(e)}`,
  );
}

function patByte(id: number, i: number): number {
  return (id * 131 + i * 7 + 1) & 255;
}

interface Blk {
  ptr: number;
  size: number;
  id: number;
  usable: number;
}

interface Snapshot {
  liveBytes: number;
  liveBlocks: number;
  footprintBytes: number;
  bufferBytes: number;
}

/**
 * A heap holding blocks of every tier (plus a few neighbours), each filled with a pattern.
 * The blocks under test: tiny (64 B), mid (8 KiB), large (256 KiB), aligned (4096-aligned, 100 B).
 */
class Fixture {
  readonly heap: Heap;
  readonly live: Blk[] = [];
  readonly tier: Record<Tier, Blk>;
  private nextId = 1;

  constructor(readonly profile: Profile) {
    this.heap = createHeap({ profile, maxBytes: MAX_BYTES });
    this.alloc(48);
    const tiny = this.alloc(64);
    this.alloc(64);
    this.alloc(3000);
    const mid = this.alloc(8192);
    this.alloc(8192);
    const large = this.alloc(256 * KiB);
    this.alloc(100 * KiB);
    const aligned = this.add(this.heap.alignedAlloc(4096, 100), 100, "alignedAlloc(4096, 100)");
    assert.equal(aligned.ptr % 4096, 0, "alignedAlloc(4096) not aligned");
    this.alloc(200);
    this.tier = { tiny, mid, large, aligned };
  }

  alloc(size: number): Blk {
    return this.add(this.heap.malloc(size), size, `malloc(${size})`);
  }

  add(ptr: number, size: number, what: string): Blk {
    assert.ok(Number.isInteger(ptr) && ptr > 0, `${what} returned ${ptr}`);
    assert.equal(ptr % 16, 0, `${what} returned unaligned ${ptr}`);
    assert.ok(ptr + size <= this.heap.buffer.byteLength, `${what}: block past buffer end`);
    const usable = this.heap.usableSize(ptr);
    assert.ok(usable >= size, `${what}: usableSize ${usable} < ${size}`);
    for (const b of this.live) {
      assert.ok(ptr + usable <= b.ptr || b.ptr + b.usable <= ptr, `${what} = ${ptr} overlaps live block ${b.ptr}`);
    }
    const blk: Blk = { ptr, size, id: this.nextId++, usable };
    this.fill(blk);
    this.live.push(blk);
    return blk;
  }

  fill(b: Blk): void {
    const u8 = this.heap.u8;
    for (let i = 0; i < b.size; i++) u8[b.ptr + i] = patByte(b.id, i);
  }

  verify(b: Blk, what: string): void {
    const u8 = this.heap.u8;
    for (let i = 0; i < b.size; i++) {
      if (u8[b.ptr + i] !== patByte(b.id, i)) {
        assert.fail(`${what}: block ${b.ptr} (size ${b.size}) byte ${i} = ${u8[b.ptr + i]}, expected ${patByte(b.id, i)}`);
      }
    }
  }

  /** Forget a block the test freed itself. */
  forget(b: Blk): void {
    const i = this.live.indexOf(b);
    assert.ok(i >= 0, "fixture: unknown block");
    this.live.splice(i, 1);
  }

  snapshot(): Snapshot {
    const s = this.heap.stats();
    return {
      liveBytes: s.liveBytes,
      liveBlocks: s.liveBlocks,
      footprintBytes: s.footprintBytes,
      bufferBytes: s.bufferBytes,
    };
  }

  /** What stats().liveBytes counts for a block: its size, or its usable size in "fast" (src/fast.ts). */
  counted(p: number, size: number): number {
    return this.heap.profile.name === "fast" ? this.heap.usableSize(p) : size;
  }

  checkModelStats(what: string): void {
    const s = this.heap.stats();
    const bytes = this.live.reduce((a, b) => a + this.counted(b.ptr, b.size), 0);
    assert.equal(s.liveBlocks, this.live.length, `${what}: liveBlocks`);
    assert.equal(s.liveBytes, bytes, `${what}: liveBytes`);
  }

  /**
   * After a rejected call: stats identical to `before`, every live block intact with the same
   * usable size, and the heap still allocates / frees correctly in every tier.
   */
  assertIntact(before: Snapshot, what: string): void {
    assert.deepEqual(this.snapshot(), before, `${what}: stats changed by the rejected call`);
    this.checkModelStats(what);
    for (const b of this.live) {
      this.verify(b, `${what}: live block`);
      assert.equal(this.heap.usableSize(b.ptr), b.usable, `${what}: usableSize of live block ${b.ptr} changed`);
    }
    this.exercise(what);
  }

  /** Allocates blocks of every tier (twice, to reuse freed memory), checks them, frees them. */
  exercise(what: string): void {
    const heap = this.heap;
    const sizes = [1, 16, 64, 100, 1024, 1500, 8192, 65536, 70000, 300000];
    for (let round = 0; round < 2; round++) {
      const made: Blk[] = [];
      const all = (): Blk[] => this.live.concat(made);
      const take = (ptr: number, size: number, align: number, how: string): void => {
        assert.ok(Number.isInteger(ptr) && ptr > 0, `${what}: heap no longer works: ${how} returned ${ptr}`);
        assert.equal(ptr % align, 0, `${what}: ${how} returned ${ptr}, not ${align}-aligned`);
        const usable = heap.usableSize(ptr);
        assert.ok(usable >= size, `${what}: ${how}: usableSize ${usable} < ${size}`);
        for (const b of all()) {
          assert.ok(
            ptr + usable <= b.ptr || b.ptr + b.usable <= ptr,
            `${what}: ${how} returned ${ptr} (+${usable}) overlapping live block ${b.ptr} (+${b.usable})`,
          );
        }
        const blk: Blk = { ptr, size, id: 1000 + made.length, usable };
        this.fill(blk);
        made.push(blk);
      };
      for (const n of sizes) take(heap.malloc(n), n, 16, `malloc(${n})`);
      take(heap.alignedAlloc(65536, 10), 10, 65536, "alignedAlloc(65536, 10)");
      const c = heap.calloc(10, 100);
      assert.ok(c > 0, `${what}: calloc(10, 100) returned ${c}`);
      for (let i = 0; i < 1000; i++) assert.equal(heap.u8[c + i], 0, `${what}: calloc byte ${i} not zero`);
      take(c, 1000, 16, "calloc(10, 100)");
      const s = heap.stats();
      assert.equal(s.liveBlocks, this.live.length + made.length, `${what}: liveBlocks while exercising`);
      for (const b of made) this.verify(b, `${what}: exercise block`);
      for (const b of made) heap.free(b.ptr);
      this.checkModelStats(`${what}: after exercise`);
    }
    for (const b of this.live) this.verify(b, `${what}: live block after exercise`);
  }

  /** Frees every fixture block exactly once (a block freed by a rejected call would throw here). */
  cleanup(): void {
    for (const b of this.live) {
      this.verify(b, "cleanup");
      this.heap.free(b.ptr);
    }
    this.live.length = 0;
    const s = this.heap.stats();
    assert.equal(s.liveBlocks, 0, "cleanup: liveBlocks");
    assert.equal(s.liveBytes, 0, "cleanup: liveBytes");
  }
}

/** Runs `bad` (which must throw) on a fresh fixture and checks the heap is unchanged. */
function rejected(profile: Profile, what: string, bad: (f: Fixture) => void): void {
  const f = new Fixture(profile);
  const before = f.snapshot();
  bad(f);
  f.assertIntact(before, what);
  f.cleanup();
}

const NON_NUMBER_POINTERS: readonly unknown[] = [-16, -1, 1.5, 16.5, 1e-300, NaN, Infinity, -Infinity, "32", "0", null, undefined, {}, [], true, 32n];
const BAD_SIZES: readonly unknown[] = [-1, -16, 1.5, 0.5, NaN, Infinity, -Infinity, "10", null, undefined, {}, 10n];

// ---------------------------------------------------------------------------------------------

for (const profile of ALL_PROFILES) {
  describe(`invalid pointers [${profile}]`, () => {
    for (const tier of TIERS) {
      for (const delta of tier === "large" ? [16, 16 * KiB, 64 * KiB] : tier === "mid" ? [16, 1024, 4096] : [16, 32]) {
        it(`free of an interior pointer p+${delta} (${tier}) -> INVALID_POINTER`, () => {
          rejected(profile, `free(p+${delta})`, (f) => {
            const p = f.tier[tier].ptr;
            expectHeapError(() => f.heap.free(p + delta), ["INVALID_POINTER"], `free(${tier} p+${delta})`);
          });
        });
      }
      it(`realloc of an interior pointer p+16 (${tier}) -> INVALID_POINTER, block untouched`, () => {
        rejected(profile, "realloc(p+16)", (f) => {
          const b = f.tier[tier];
          expectHeapError(() => f.heap.realloc(b.ptr + 16, 32), ["INVALID_POINTER"], `realloc(${tier} p+16, 32)`);
          expectHeapError(() => f.heap.realloc(b.ptr + 16, 500000), ["INVALID_POINTER"], `realloc(${tier} p+16, 500000)`);
          expectHeapError(() => f.heap.realloc(b.ptr + 16, 0), ["INVALID_POINTER"], `realloc(${tier} p+16, 0)`);
          f.verify(b, "named block");
        });
      });
      it(`usableSize of an interior pointer p+16 (${tier}) -> INVALID_POINTER`, () => {
        rejected(profile, "usableSize(p+16)", (f) => {
          const b = f.tier[tier];
          expectHeapError(() => f.heap.usableSize(b.ptr + 16), ["INVALID_POINTER"], `usableSize(${tier} p+16)`);
        });
      });
    }

    // Offsets that were never returned by the heap: unaligned, inside the heap header / metadata,
    // at or beyond the end of the buffer. Numeric offsets must give INVALID_POINTER.
    const offsets: readonly [string, (f: Fixture) => number][] = [
      ["12345", () => 12345],
      ["8", () => 8],
      ["16", () => 16],
      ["32", () => 32],
      ["4096", () => 4096],
      ["16400 (meta page)", () => 16400],
      ["p+8 (tiny, unaligned)", (f) => f.tier.tiny.ptr + 8],
      ["buffer.byteLength", (f) => f.heap.buffer.byteLength],
      ["buffer.byteLength + 16", (f) => f.heap.buffer.byteLength + 16],
      ["maxBytes", () => MAX_BYTES],
      ["2**31", () => 2 ** 31],
      ["2**31 - 16", () => 2 ** 31 - 16],
      ["2**32", () => 2 ** 32],
      ["2**32 + 16 (wraps to 16 as uint32)", () => 2 ** 32 + 16],
      ["2**40", () => 2 ** 40],
      ["2**53 - 16", () => 2 ** 53 - 16],
    ];
    for (const [name, get] of offsets) {
      it(`free / realloc / usableSize of never-allocated offset ${name} -> INVALID_POINTER`, () => {
        rejected(profile, `offset ${name}`, (f) => {
          const off = get(f);
          assert.ok(!f.live.some((b) => b.ptr === off), `test precondition: ${off} is a live block`);
          expectHeapError(() => f.heap.free(off), ["INVALID_POINTER"], `free(${name} = ${off})`);
          expectHeapError(() => f.heap.realloc(off, 100), ["INVALID_POINTER"], `realloc(${name} = ${off}, 100)`);
          expectHeapError(() => f.heap.usableSize(off), ["INVALID_POINTER"], `usableSize(${name} = ${off})`);
        });
      });
    }

    for (const v of NON_NUMBER_POINTERS) {
      it(`free / realloc / usableSize of pointer ${describeValue(v)} -> TypeError or INVALID_POINTER`, () => {
        rejected(profile, `pointer ${describeValue(v)}`, (f) => {
          const p = v as number;
          expectPointerError(() => f.heap.free(p), `free(${describeValue(v)})`);
          expectPointerError(() => f.heap.realloc(p, 64), `realloc(${describeValue(v)}, 64)`);
          expectPointerError(() => f.heap.usableSize(p), `usableSize(${describeValue(v)})`);
        });
      });
    }

    for (const tier of TIERS) {
      it(`realloc of a live ${tier} block with a bad size -> TypeError/RangeError, block untouched`, () => {
        rejected(profile, "realloc(p, bad size)", (f) => {
          const b = f.tier[tier];
          for (const n of BAD_SIZES) {
            expectSizeError(() => f.heap.realloc(b.ptr, n as number), `realloc(${tier}, ${describeValue(n)})`);
          }
          f.verify(b, "named block");
          assert.equal(f.heap.usableSize(b.ptr), b.usable);
        });
      });
    }

    it("free(0) is a no-op", () => {
      const f = new Fixture(profile);
      const before = f.snapshot();
      f.heap.free(0);
      f.heap.free(0);
      f.assertIntact(before, "free(0)");
      f.cleanup();
    });

    for (const n of [1, 100, 1024, 5000, 65536, 100000, 3 * MiB]) {
      it(`realloc(0, ${n}) behaves like malloc(${n})`, () => {
        const f = new Fixture(profile);
        const before = f.snapshot();
        const p = f.heap.realloc(0, n);
        assert.ok(Number.isInteger(p) && p > 0, `realloc(0, ${n}) returned ${p}`);
        assert.equal(p % 16, 0);
        const s = f.heap.stats();
        assert.equal(s.liveBlocks, before.liveBlocks + 1);
        assert.equal(s.liveBytes, before.liveBytes + f.counted(p, n));
        f.add(p, n, `realloc(0, ${n})`);
        f.checkModelStats("after realloc(0, n)");
        f.exercise("after realloc(0, n)");
        f.cleanup();
      });
    }

    for (const tier of TIERS) {
      it(`realloc(p, 0) frees the ${tier} block and returns 0`, () => {
        const f = new Fixture(profile);
        const b = f.tier[tier];
        const before = f.snapshot();
        const counted = f.counted(b.ptr, b.size);
        assert.equal(f.heap.realloc(b.ptr, 0), 0);
        f.forget(b);
        const s = f.heap.stats();
        assert.equal(s.liveBlocks, before.liveBlocks - 1);
        assert.equal(s.liveBytes, before.liveBytes - counted);
        if (profile !== "fast") {
          const after = f.snapshot();
          expectHeapError(() => f.heap.free(b.ptr), ["DOUBLE_FREE"], `free after realloc(p, 0) (${tier})`);
          f.assertIntact(after, "free after realloc(p, 0)");
        } else {
          f.exercise("after realloc(p, 0)");
        }
        f.cleanup();
      });
    }

    // ----- sizes
    for (const n of BAD_SIZES) {
      it(`malloc(${describeValue(n)}) -> TypeError/RangeError`, () => {
        rejected(profile, `malloc(${describeValue(n)})`, (f) => {
          expectSizeError(() => f.heap.malloc(n as number), `malloc(${describeValue(n)})`);
        });
      });
    }

    for (const [name, n] of [
      ["maxBytes + 1", MAX_BYTES + 1],
      ["maxBytes", MAX_BYTES],
      ["2**31", 2 ** 31],
      ["2**32 + 64", 2 ** 32 + 64],
      ["2**53", 2 ** 53],
      ["Number.MAX_SAFE_INTEGER", Number.MAX_SAFE_INTEGER],
    ] as const) {
      it(`malloc(${name}) -> 0 (more than maxBytes ${MAX_BYTES})`, () => {
        rejected(profile, `malloc(${name})`, (f) => {
          assert.equal(f.heap.malloc(n), 0, `malloc(${name})`);
          assert.equal(f.heap.alignedAlloc(4096, n), 0, `alignedAlloc(4096, ${name})`);
          assert.equal(f.heap.realloc(0, n), 0, `realloc(0, ${name})`);
        });
      });
      it(`realloc of a live block to ${name} -> 0, block intact`, () => {
        rejected(profile, `realloc(p, ${name})`, (f) => {
          for (const tier of TIERS) {
            const b = f.tier[tier];
            assert.equal(f.heap.realloc(b.ptr, n), 0, `realloc(${tier}, ${name})`);
            f.verify(b, "block after failed realloc");
            assert.equal(f.heap.usableSize(b.ptr), b.usable);
          }
        });
      });
    }

    for (const [count, size] of [
      [2 ** 40, 2 ** 40],
      [2 ** 27, 2 ** 27],
      [2 ** 26, 2 ** 26],
      [2 ** 53, 2],
      [MAX_BYTES, 2],
      [1, MAX_BYTES + 1],
      [MAX_BYTES + 1, 1],
      [65536, 65536],
    ] as const) {
      it(`calloc(${count}, ${size}) -> 0 (overflow or more than maxBytes)`, () => {
        rejected(profile, `calloc(${count}, ${size})`, (f) => {
          assert.equal(f.heap.calloc(count, size), 0);
          assert.equal(f.heap.calloc(size, count), 0);
        });
      });
    }

    for (const [count, size] of [
      [-1, 4],
      [4, -1],
      [1.5, 2],
      [2, 1.5],
      [NaN, 1],
      [1, NaN],
      ["2", 4],
      [4, "2"],
      [Infinity, 0],
      [undefined, 8],
    ] as const) {
      it(`calloc(${describeValue(count)}, ${describeValue(size)}) -> TypeError/RangeError`, () => {
        rejected(profile, "calloc(bad)", (f) => {
          expectSizeError(
            () => f.heap.calloc(count as number, size as number),
            `calloc(${describeValue(count)}, ${describeValue(size)})`,
          );
        });
      });
    }

    for (const align of [0, 3, 24, 48, 100, 1000, 4095, 65535, 3 * 65536, -16]) {
      it(`alignedAlloc(${align}, 100) -> RangeError (not a power of two)`, () => {
        rejected(profile, `alignedAlloc(${align})`, (f) => {
          const e = catchErr(() => f.heap.alignedAlloc(align, 100), `alignedAlloc(${align}, 100)`);
          assert.ok(e instanceof RangeError, `alignedAlloc(${align}, 100): expected RangeError, got ${describeErr(e)}`);
        });
      });
    }

    it("alignedAlloc with a bad size -> TypeError/RangeError", () => {
      rejected(profile, "alignedAlloc(bad size)", (f) => {
        for (const n of BAD_SIZES) {
          expectSizeError(() => f.heap.alignedAlloc(64, n as number), `alignedAlloc(64, ${describeValue(n)})`);
        }
      });
    });

    it("alignedAlloc honours every power-of-two alignment from 16 to 65536", () => {
      const f = new Fixture(profile);
      const made: Blk[] = [];
      for (let align = 16; align <= 65536; align *= 2) {
        for (const n of [1, 100, 5000, 70000]) {
          const p = f.heap.alignedAlloc(align, n);
          assert.ok(p > 0, `alignedAlloc(${align}, ${n}) returned ${p}`);
          assert.equal(p % align, 0, `alignedAlloc(${align}, ${n}) returned ${p}`);
          made.push(f.add(p, n, `alignedAlloc(${align}, ${n})`));
        }
      }
      // several 65536-aligned blocks are distinct and all usable
      const ps = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const p = f.heap.alignedAlloc(65536, 1);
        assert.equal(p % 65536, 0, `alignedAlloc(65536, 1) returned ${p}`);
        assert.ok(!ps.has(p), "alignedAlloc(65536) returned the same block twice");
        ps.add(p);
        made.push(f.add(p, 1, "alignedAlloc(65536, 1)"));
      }
      f.checkModelStats("after alignedAlloc");
      for (const b of made) f.verify(b, "aligned block");
      for (const b of made) {
        f.heap.free(b.ptr);
        f.forget(b);
      }
      f.checkModelStats("after freeing aligned blocks");
      f.exercise("after alignedAlloc");
      f.cleanup();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Double frees: detected by every profile but "fast".

for (const profile of CHECKED_PROFILES) {
  describe(`double free and use after free [${profile}]`, () => {
    for (const tier of TIERS) {
      it(`double free of a ${tier} block -> DOUBLE_FREE, heap unchanged`, () => {
        const f = new Fixture(profile);
        const b = f.tier[tier];
        f.heap.free(b.ptr);
        f.forget(b);
        const before = f.snapshot();
        const e = expectHeapError(() => f.heap.free(b.ptr), ["DOUBLE_FREE"], `double free (${tier})`);
        assert.ok(e.message.length > 0, "HeapError without a message");
        expectHeapError(() => f.heap.free(b.ptr), ["DOUBLE_FREE"], `triple free (${tier})`);
        f.assertIntact(before, `double free (${tier})`);
        // The free list was not corrupted: same-size allocations are all distinct.
        const again: Blk[] = [];
        for (let i = 0; i < 6; i++) {
          again.push(
            tier === "aligned"
              ? f.add(f.heap.alignedAlloc(4096, b.size), b.size, "alignedAlloc after double free")
              : f.add(f.heap.malloc(b.size), b.size, "malloc after double free"),
          );
        }
        assert.equal(new Set(again.map((x) => x.ptr)).size, again.length, "a block was handed out twice");
        f.checkModelStats("after re-allocating");
        f.cleanup();
      });

      it(`double free of a ${tier} block after other frees of the same size -> DOUBLE_FREE`, () => {
        const f = new Fixture(profile);
        const b = f.tier[tier];
        const q = tier === "aligned" ? f.add(f.heap.alignedAlloc(4096, b.size), b.size, "q") : f.alloc(b.size);
        const r = tier === "aligned" ? f.add(f.heap.alignedAlloc(4096, b.size), b.size, "r") : f.alloc(b.size);
        f.heap.free(b.ptr);
        f.forget(b);
        f.heap.free(q.ptr);
        f.forget(q);
        const before = f.snapshot();
        expectHeapError(() => f.heap.free(b.ptr), ["DOUBLE_FREE"], `double free of p (${tier})`);
        expectHeapError(() => f.heap.free(q.ptr), ["DOUBLE_FREE"], `double free of q (${tier})`);
        f.assertIntact(before, `double free after other frees (${tier})`);
        f.verify(r, "r");
        f.cleanup();
      });

      it(`double free of a ${tier} block after its neighbours were freed -> HeapError, heap unchanged`, () => {
        const f = new Fixture(profile);
        const b = f.tier[tier];
        // free everything else too, so the freed memory may be merged / returned to pools
        const others = f.live.filter((x) => x !== b && x.size === b.size);
        f.heap.free(b.ptr);
        f.forget(b);
        for (const o of others) {
          f.heap.free(o.ptr);
          f.forget(o);
        }
        const before = f.snapshot();
        expectHeapError(() => f.heap.free(b.ptr), ["DOUBLE_FREE", "INVALID_POINTER"], `stale free (${tier})`);
        f.assertIntact(before, `stale free (${tier})`);
        f.cleanup();
      });

      it(`realloc of a freed ${tier} block -> HeapError, heap unchanged`, () => {
        const f = new Fixture(profile);
        const b = f.tier[tier];
        f.heap.free(b.ptr);
        f.forget(b);
        const before = f.snapshot();
        for (const n of [0, 16, b.size, 500000]) {
          expectHeapError(() => f.heap.realloc(b.ptr, n), ["DOUBLE_FREE", "INVALID_POINTER"], `realloc(freed ${tier}, ${n})`);
        }
        f.assertIntact(before, `realloc of freed block (${tier})`);
        f.cleanup();
      });

      it(`usableSize of a freed ${tier} block -> HeapError`, () => {
        const f = new Fixture(profile);
        const b = f.tier[tier];
        f.heap.free(b.ptr);
        f.forget(b);
        const before = f.snapshot();
        expectHeapError(() => f.heap.usableSize(b.ptr), ["DOUBLE_FREE", "INVALID_POINTER"], `usableSize(freed ${tier})`);
        f.assertIntact(before, `usableSize of freed block (${tier})`);
        f.cleanup();
      });
    }

    it("free of the old pointer after realloc moved the block -> HeapError, new block intact", () => {
      const f = new Fixture(profile);
      const b = f.tier.tiny;
      const q = f.heap.realloc(b.ptr, 20000); // tiny -> mid: must move
      assert.ok(q > 0 && q !== b.ptr, `realloc(tiny, 20000) returned ${q}`);
      f.forget(b);
      const moved = f.add(q, 20000, "realloc(tiny, 20000)");
      const before = f.snapshot();
      expectHeapError(() => f.heap.free(b.ptr), ["DOUBLE_FREE", "INVALID_POINTER"], "free(old pointer)");
      expectHeapError(() => f.heap.realloc(b.ptr, 10), ["DOUBLE_FREE", "INVALID_POINTER"], "realloc(old pointer)");
      f.assertIntact(before, "free of the old pointer");
      f.verify(moved, "moved block");
      f.cleanup();
    });

    it("free of an unused slot start inside a tiny slab -> HeapError, heap unchanged", () => {
      const f = new Fixture(profile);
      const b = f.tier.tiny; // 64-byte class; blocks further up the slab were never handed out
      const slot = b.ptr + 40 * b.usable;
      assert.ok(!f.live.some((x) => slot >= x.ptr && slot < x.ptr + x.usable), "test precondition: slot is live");
      const before = f.snapshot();
      expectHeapError(() => f.heap.free(slot), ["INVALID_POINTER", "DOUBLE_FREE"], `free(unused slot ${slot})`);
      f.assertIntact(before, "free of an unused slot");
      f.cleanup();
    });
  });
}
