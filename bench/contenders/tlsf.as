// AssemblyScript source of the TLSF contender: the `minimal` runtime's heap (rt/tlsf.ts),
// exported as plain alloc/free. Compiled by scripts/build.mjs into dist/bench/tlsf.wasm.
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
