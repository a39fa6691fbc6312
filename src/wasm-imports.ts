// TEMPORARY stand-in for wasm-core's mallocImports until it lands.
import type { Heap } from "./heap.ts";
export function mallocImports(h: Heap) {
  return {
    malloc: (n: number) => h.malloc(n >>> 0),
    free: (p: number) => h.free(p),
  };
}
