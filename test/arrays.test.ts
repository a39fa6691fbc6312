// The typed-array helpers: the shared contract (test/shared/arrays.ts, also run in
// Chromium) and a property test against a model.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHeap, type Heap } from "../src/index.ts";
import { ARRAY_CASES } from "./shared/arrays.ts";
import { runShared } from "./support/shared-cases.ts";

describe("typed-array helpers", () => {
  runShared(ARRAY_CASES);
});

// ---------------------------------------------------------------------------------------------
// Property: random mallocArray / callocArray / reallocArray / freeArray / writes, checked after
// every step against a model holding each live array's type, length and elements.

const TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;
type Ctor = (typeof TYPES)[number];
type Elements = (number | bigint)[];

type Op =
  | { kind: "alloc"; zeroed: boolean; type: number; length: number }
  | { kind: "realloc"; slot: number; length: number }
  | { kind: "free"; slot: number }
  | { kind: "write"; slot: number; seed: number };

interface Entry {
  p: number;
  Type: Ctor;
  elements: Elements;
}

const lengthArb = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 5000, max: 40_000 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("alloc" as const), zeroed: fc.boolean(), type: fc.nat(TYPES.length - 1), length: lengthArb }),
  fc.record({ kind: fc.constant("realloc" as const), slot: fc.nat(), length: lengthArb }),
  fc.record({ kind: fc.constant("free" as const), slot: fc.nat() }),
  fc.record({ kind: fc.constant("write" as const), slot: fc.nat(), seed: fc.nat(1000) }),
);

/** A fresh view over the entry's block: views of a non-shared WebAssembly.Memory die on growth. */
function viewOf(heap: Heap, e: Entry): Elements {
  return new e.Type(heap.buffer as ArrayBuffer, e.p, e.elements.length) as unknown as Elements;
}

function element(Type: Ctor, v: number): number | bigint {
  const one = new Type(1) as unknown as Elements;
  one[0] = Type === BigInt64Array || Type === BigUint64Array ? BigInt(v) : v;
  return one[0]!;
}

function apply(heap: Heap, live: Entry[], op: Op): void {
  if (op.kind === "alloc") {
    const Type = TYPES[op.type]!;
    const v = op.zeroed ? heap.callocArray(Type, op.length) : heap.mallocArray(Type, op.length);
    assert.ok(v instanceof Type && v.length === op.length, `${op.zeroed ? "calloc" : "malloc"}Array(${Type.name}, ${op.length})`);
    const e: Entry = { p: v.byteOffset, Type, elements: Array.from({ length: op.length }, () => element(Type, 0)) };
    // mallocArray's elements are whatever the block held: the model learns them by a write.
    if (!op.zeroed) e.elements = Array.from(v as unknown as Elements, (x) => x);
    live.push(e);
    return;
  }
  if (live.length === 0) return;
  const i = op.slot % live.length;
  const e = live[i]!;
  if (op.kind === "free") {
    heap.freeArray(viewOf(heap, e) as unknown as Uint8Array);
    live.splice(i, 1);
  } else if (op.kind === "write") {
    const v = viewOf(heap, e);
    for (let k = 0; k < v.length; k += 1 + (op.seed % 7)) e.elements[k] = v[k] = element(e.Type, (k * 31 + op.seed) % 127);
  } else {
    const w = heap.reallocArray(viewOf(heap, e) as unknown as Uint8Array, op.length);
    assert.ok(w instanceof e.Type && w.length === op.length, `reallocArray(${e.Type.name} × ${e.elements.length}, ${op.length})`);
    const kept = e.elements.slice(0, op.length);
    // Elements beyond the old length are whatever the block held, as after mallocArray.
    e.elements = kept.concat(Array.from(w as unknown as Elements, (x) => x).slice(kept.length));
    e.p = w.byteOffset;
  }
}

function check(heap: Heap, live: Entry[]): void {
  for (const e of live) {
    const v = viewOf(heap, e);
    // Object.is: a block that is not zeroed may hold NaN bit patterns (0xff state bytes of a page
    // that was a tiny slab), and NaN !== NaN.
    for (let k = 0; k < v.length; k++) if (!Object.is(v[k], e.elements[k])) assert.fail(`${e.Type.name} at ${e.p}: element ${k} is ${v[k]}, expected ${e.elements[k]}`);
  }
  assert.equal(heap.stats().liveBlocks, live.length, "one live block per array");
}

describe("typed-array helpers against a model", () => {
  const kinds: [string, () => Heap][] = [
    ["growable SharedArrayBuffer, balanced", () => createHeap({ maxBytes: 64 << 20 })],
    ["resizable ArrayBuffer, lean", () => createHeap({ shared: false, profile: "lean", maxBytes: 64 << 20 })],
    ["WebAssembly.Memory, safe", () => createHeap({ profile: "safe", memory: new WebAssembly.Memory({ initial: 16, maximum: 1024 }) })],
  ];
  for (const [name, make] of kinds) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
          const heap = make();
          const live: Entry[] = [];
          for (const op of ops) {
            apply(heap, live, op);
            check(heap, live);
          }
          for (const e of live) heap.freeArray(viewOf(heap, e) as unknown as Uint8Array);
          assert.equal(heap.stats().liveBytes, 0, "all freed");
        }),
        { numRuns: 60 },
      );
    });
  }
});
