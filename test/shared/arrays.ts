// The typed-array helpers' contract (mallocArray, callocArray, reallocArray, freeArray) on every
// kind of memory and every profile: run by test/arrays.test.ts in Node and by
// test/browser.test.ts in Chromium.
import type { TypedArray } from "../../src/index.ts";
import { eachKind, expectThrow, snapshot } from "./heap-kinds.ts";
import { type Case, type Heap, PROFILES } from "./harness.ts";

const MiB = 1 << 20;

type Ctor = (typeof TYPES)[number];
type AnyArray = TypedArray;

const TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

/** Element i of a test pattern, as the type stores it. */
function pattern(Type: Ctor, i: number, seed: number): number | bigint {
  const v = (i * 37 + seed * 11 + 1) % 120;
  return Type === BigInt64Array || Type === BigUint64Array ? BigInt(v) : v;
}

function fill(view: AnyArray, seed: number, from = 0): void {
  const Type = view.constructor as Ctor;
  for (let i = from; i < view.length; i++) (view as unknown as (number | bigint)[])[i] = pattern(Type, i, seed);
}

function holds(view: AnyArray, seed: number, n = view.length): boolean {
  const Type = view.constructor as Ctor;
  for (let i = 0; i < n; i++) if ((view as unknown as (number | bigint)[])[i] !== pattern(Type, i, seed)) return false;
  return true;
}

function live(heap: Heap): string {
  const s = heap.stats();
  return `${s.liveBlocks} blocks, ${s.liveBytes} bytes`;
}

export const ARRAY_CASES: readonly Case[] = [
  {
    name: "mallocArray: a view of Type over a new block, for every Type and tier",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        for (const Type of TYPES) {
          for (const length of [0, 1, 3, 100, 5000, 40_000]) {
            const v = heap.mallocArray(Type, length);
            assert.ok(v instanceof Type, `${Type.name} × ${length}: a ${Type.name}`);
            if (v === null) return;
            assert.equal(v.length, length, `${Type.name} × ${length}: length`);
            assert.equal(v.buffer, heap.buffer, "a view of the heap's buffer");
            assert.ok(heap.usableSize(v.byteOffset) >= v.byteLength, "byteOffset is a block that holds the view");
            assert.equal(v.byteOffset % 16, 0, "16-byte aligned");
            fill(v, 1);
            const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
            const u8 = heap.u8;
            assert.ok(bytes.every((b, i) => b === u8[v.byteOffset + i]), "the heap sees what the view wrote");
            assert.ok(holds(v, 1), "reads back");
            heap.freeArray(v);
          }
        }
        assert.equal(heap.stats().liveBlocks, 0, "every block freed");
      }),
  },
  {
    name: "callocArray: zeroed, though the memory was used before",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        for (const Type of TYPES) {
          for (const length of [1, 64, 3000, 20_000]) {
            const dirty = heap.mallocArray(Uint8Array, length * Type.BYTES_PER_ELEMENT)!;
            dirty.fill(0xa5);
            heap.freeArray(dirty);
            const v = heap.callocArray(Type, length)!;
            assert.ok(v instanceof Type && v.length === length, `${Type.name} × ${length}`);
            assert.ok(new Uint8Array(v.buffer, v.byteOffset, v.byteLength).every((b) => b === 0), `${Type.name} × ${length}: zeroed`);
            heap.freeArray(v);
          }
        }
      }),
  },
  {
    name: "reallocArray: same Type, contents kept, old block given back",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        for (const Type of TYPES) {
          let v = heap.mallocArray(Type, 10)!;
          fill(v, 2);
          for (const length of [11, 500, 9000, 100_000, 40_000, 700, 5, 0, 3]) {
            const kept = Math.min(v.length, length);
            const w = heap.reallocArray(v, length);
            assert.ok(w instanceof Type, `${Type.name} → ${length}: a ${Type.name}`);
            if (w === null) return;
            assert.equal(w.length, length, `${Type.name} → ${length}: length`);
            assert.ok(holds(w, 2, kept), `${Type.name} → ${length}: first ${kept} elements kept`);
            assert.equal(heap.stats().liveBlocks, 1, `${Type.name} → ${length}: one live block`);
            fill(w, 2, kept);
            v = w;
          }
          heap.freeArray(v);
        }
        assert.equal(heap.stats().liveBlocks, 0, "every block freed");
      }),
  },
  {
    name: "typed-array helpers out of memory: null, the old block intact",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        const v = heap.mallocArray(Float64Array, 1000)!;
        fill(v, 3);
        const before = live(heap);
        assert.equal(heap.mallocArray(Float64Array, 2 ** 30), null, "mallocArray beyond maxBytes");
        assert.equal(heap.callocArray(BigInt64Array, 2 ** 40), null, "callocArray beyond maxBytes");
        assert.equal(heap.mallocArray(Uint8Array, Number.MAX_SAFE_INTEGER), null, "mallocArray of 2^53 − 1");
        assert.equal(heap.reallocArray(v, 2 ** 30), null, "reallocArray beyond maxBytes");
        assert.equal(live(heap), before, "nothing allocated or freed");
        assert.ok(holds(v, 3) && v.length === 1000, "the old view and block intact");
        heap.freeArray(v);
      }),
  },
  {
    name: "freeArray: only the start of a live block of this heap",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap, kind) => {
        const { assert, lib } = t;
        const v = heap.mallocArray(Int32Array, 64)!;
        fill(v, 4);
        const other = kind.make();
        const o = other.mallocArray(Int32Array, 64)!;
        fill(o, 5);
        const before = snapshot(heap);
        const invalid = (view: ArrayBufferView, what: string) => expectThrow(assert, () => heap.freeArray(view), lib.HeapError, what, "INVALID_POINTER");
        invalid(v.subarray(1), "a view inside the block");
        invalid(new Int32Array(64), "a view of another buffer");
        // Another heap of the same kind hands out the same offsets: the memory, not the offset, decides.
        invalid(new Int32Array(other.buffer as ArrayBuffer, v.byteOffset, 4), "a view of another heap at the same offset");
        invalid(o, "another heap's block");
        for (const bad of [v.byteOffset, null, undefined, {}, [1], v.buffer]) {
          expectThrow(assert, () => heap.freeArray(bad as never), TypeError, `freeArray(${String(bad)})`);
        }
        assert.equal(snapshot(heap), before, "the heap unchanged");
        assert.ok(holds(v, 4) && holds(o, 5), "both blocks intact");
        heap.freeArray(new DataView(v.buffer, v.byteOffset, 8));
        if (t.profile !== "fast") expectThrow(assert, () => heap.freeArray(v), lib.HeapError, "freeArray twice", "DOUBLE_FREE");
        other.freeArray(o);
        assert.equal(heap.stats().liveBlocks + other.stats().liveBlocks, 0, "a DataView at a block start frees it");
      }),
  },
  {
    name: "typed-array helpers' bad arguments: TypeError / RangeError / HeapError, the heap unchanged",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert, lib } = t;
        const v = heap.mallocArray(Float32Array, 8)!;
        fill(v, 6);
        const before = snapshot(heap);
        class Sub extends Float64Array {}
        for (const Type of [Array, DataView, ArrayBuffer, Sub, Object, null, undefined, "Float64Array", 8]) {
          const name = String((Type as { name?: string } | null)?.name ?? Type);
          expectThrow(assert, () => heap.mallocArray(Type as never, 1), TypeError, `mallocArray(${name})`);
          expectThrow(assert, () => heap.callocArray(Type as never, 1), TypeError, `callocArray(${name})`);
        }
        for (const length of [-1, 1.5, NaN, Infinity, -Infinity]) {
          expectThrow(assert, () => heap.mallocArray(Uint8Array, length), RangeError, `mallocArray(Uint8Array, ${length})`);
          expectThrow(assert, () => heap.callocArray(Uint8Array, length), RangeError, `callocArray(Uint8Array, ${length})`);
          expectThrow(assert, () => heap.reallocArray(v, length), RangeError, `reallocArray(view, ${length})`);
        }
        for (const length of ["8", 8n, null, undefined, {}]) {
          expectThrow(assert, () => heap.mallocArray(Uint8Array, length as never), TypeError, `mallocArray(Uint8Array, ${String(length)})`);
          expectThrow(assert, () => heap.reallocArray(v, length as never), TypeError, `reallocArray(view, ${String(length)})`);
        }
        for (const view of [new DataView(v.buffer, v.byteOffset, 8), [1, 2], v.byteOffset, null, new Sub(heap.buffer as ArrayBuffer, v.byteOffset, 1)]) {
          expectThrow(assert, () => heap.reallocArray(view as never, 4), TypeError, `reallocArray(${String(view)}, 4)`);
        }
        expectThrow(assert, () => heap.reallocArray(v.subarray(2), 100), lib.HeapError, "reallocArray of a view inside a block", "INVALID_POINTER");
        expectThrow(assert, () => heap.reallocArray(v.subarray(2), 0), lib.HeapError, "reallocArray(…, 0) of a view inside a block", "INVALID_POINTER");
        expectThrow(assert, () => heap.reallocArray(new Float32Array(8), 100), lib.HeapError, "reallocArray of a view of another buffer", "INVALID_POINTER");
        assert.equal(snapshot(heap), before, "the heap unchanged");
        assert.ok(holds(v, 6), "the block intact");
        heap.freeArray(v);
        if (t.profile !== "fast") expectThrow(assert, () => heap.reallocArray(v, 100), lib.HeapError, "reallocArray of a freed block", "DOUBLE_FREE");
      }),
  },
  {
    name: "typed-array and string helpers on a detached handle: HeapError DETACHED",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert, lib } = t;
        const v = heap.mallocArray(Float64Array, 4)!;
        const s = heap.mallocString("still there");
        heap.detach();
        const calls: [string, () => unknown][] = [
          ["mallocArray", () => heap.mallocArray(Float64Array, 1)],
          ["callocArray", () => heap.callocArray(Float64Array, 1)],
          ["reallocArray", () => heap.reallocArray(v, 8)],
          ["reallocArray(…, 0)", () => heap.reallocArray(v, 0)],
          ["freeArray", () => heap.freeArray(v)],
          ["mallocString", () => heap.mallocString("x")],
        ];
        for (const [what, call] of calls) expectThrow(assert, call, lib.HeapError, what, "DETACHED");
        // Reading, like heap.u8, needs no handle state: the block is still live in the heap.
        assert.equal(heap.readString(s), "still there");
      }),
  },
  {
    name: "typed arrays across growth: valid, except over a non-shared WebAssembly.Memory (detached)",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap, kind) => {
        const { assert, lib } = t;
        const v = heap.mallocArray(Int32Array, 16)!;
        fill(v, 7);
        const p = v.byteOffset;
        const growths = heap.stats().growths;
        const big = heap.mallocArray(Uint8Array, 3 * MiB)!;
        assert.ok(heap.stats().growths > growths, "the heap grew");
        if (kind.detachesOnGrowth) {
          assert.equal(v.length, 0, "the old buffer is detached: the view is empty");
          expectThrow(assert, () => heap.freeArray(v), lib.HeapError, "freeArray of a detached view", "INVALID_POINTER");
          const again = new Int32Array(heap.buffer as ArrayBuffer, p, 16);
          assert.ok(holds(again, 7), "the block kept its contents: a new view over heap.buffer sees them");
          heap.freeArray(again);
        } else {
          assert.ok(v.length === 16 && holds(v, 7), "the view keeps its length and contents");
          heap.freeArray(v); // for a shared WebAssembly.Memory, v.buffer is the old SharedArrayBuffer object
        }
        heap.freeArray(big);
        assert.equal(heap.stats().liveBlocks, 0, "every block freed");
      }),
  },
  {
    name: "a typed array that crossed postMessage (a new SharedArrayBuffer object) is freed and resized",
    profiles: PROFILES,
    needs: "shared",
    run: (t) =>
      eachKind(t, async (heap, kind) => {
        if (!kind.shared) return;
        const { assert } = t;
        const v = heap.mallocArray(Float64Array, 32)!;
        const w = heap.mallocArray(Uint16Array, 100)!;
        fill(v, 8);
        fill(w, 9);
        const [v2, w2] = await roundTrip([v, w]);
        assert.ok(v2.buffer !== v.buffer, "postMessage made a new buffer object");
        const w3 = heap.reallocArray(w2, 5000)!;
        assert.ok(w3 instanceof Uint16Array && holds(w3, 9, 100), "resized, contents kept");
        heap.freeArray(v2);
        heap.freeArray(w3);
        assert.equal(heap.stats().liveBlocks, 0, "both blocks freed");
      }),
  },
];

/** The views as another worker receives them: posted through a MessageChannel. */
function roundTrip<T extends unknown[]>(views: T): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port2.onmessage = (e: MessageEvent<T>) => {
      port1.close();
      port2.close();
      resolve(e.data);
    };
    port1.postMessage(views);
  });
}
