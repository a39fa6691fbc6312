// larson's block operations (bench/workloads/larson.ts has the algorithm), written against a
// hakmem handle so the soak's worker can count its operations chunk by chunk and hand its slots
// to a successor handle. Random draws are splitmix32 (tables.ts): the same sequence larson.ts
// draws from the same seed.
import type { Heap } from "hakmem";
import { below } from "../tables.ts";
import { MAX_SIZE, MIN_SIZE } from "../workloads/larson.ts";

const RANGE = MAX_SIZE - MIN_SIZE;

/** malloc of 8–999 B (a random size) and larson's two bytes written into the block. */
export function allocate(heap: Heap, r: number): number {
  const size = MIN_SIZE + below(r, RANGE);
  const p = heap.malloc(size);
  if (p === 0) throw new Error(`malloc(${size}) returned 0`);
  heap.u8[p] = 97;
  heap.u8[p + 1] = 98;
  return p;
}

/** `iterations` replacements in slots [lo, lo + count): free a random slot's block, allocate a new one into it. */
export function replace(heap: Heap, slots: Int32Array, lo: number, count: number, next: () => number, iterations: number): void {
  for (let i = 0; i < iterations; i++) {
    const v = lo + below(next(), count);
    heap.free(slots[v]);
    slots[v] = allocate(heap, next());
  }
}

/** The main thread's setup before the workers start: fill every slot, shuffle, 4 × n replacements. */
export function setup(heap: Heap, slots: Int32Array, next: () => number): void {
  const n = slots.length;
  for (let i = 0; i < n; i++) slots[i] = allocate(heap, next());
  for (let i = 0; i < n; i++) {
    const v = below(next(), n);
    const t = slots[i];
    slots[i] = slots[v];
    slots[v] = t;
  }
  replace(heap, slots, 0, n, next, 4 * n);
}

/** Frees slots [lo, lo + count) (the end of the run). */
export function freeSlots(heap: Heap, slots: Int32Array, lo: number, count: number): void {
  for (let v = lo; v < lo + count; v++) {
    heap.free(slots[v]);
    slots[v] = 0;
  }
}
