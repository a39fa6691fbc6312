/**
 * The C allocator ABI as WebAssembly imports: what wasm/malloc.c imports from the "hakmem"
 * module. C semantics over a heap handle: sizes are size_t (wasm32 passes them as i32, so they
 * are read unsigned), NULL (0) on failure or overflow and never an exception for a size;
 * realloc(NULL, n) is malloc(n); a failed realloc leaves the block valid; free(NULL) does
 * nothing. A bad free (double free, interior or foreign pointer) throws the heap's HeapError,
 * which unwinds the wasm call that made it: the heap is unchanged, but the instance is not
 * usable afterwards (its stack pointer global was not restored).
 *
 * A call reads no memory.buffer: the heap's views are refreshed only after the memory grew.
 */
import type { Heap } from "../index.ts";

/** The "hakmem" import module of a program built with wasm/malloc.c. */
export interface MallocImports {
  malloc(size: number): number;
  free(p: number): void;
  calloc(count: number, size: number): number;
  realloc(p: number, size: number): number;
  aligned_alloc(align: number, size: number): number;
  malloc_usable_size(p: number): number;
  [name: string]: (...args: number[]) => number | void;
}

/** @internal Where the imports find their heap: set once, possibly after instantiation. */
export interface HeapSlot {
  heap: Heap;
}

const MAX_ALIGN = 2 ** 30;

/** @internal The imports over `slot.heap`, read at each call so that the heap may come after them. */
export function importsOver(slot: HeapSlot): MallocImports {
  return {
    malloc: (size) => slot.heap.malloc(size >>> 0),
    free: (p) => slot.heap.free(p >>> 0),
    calloc: (count, size) => slot.heap.calloc(count >>> 0, size >>> 0),
    realloc: (p, size) => slot.heap.realloc(p >>> 0, size >>> 0),
    aligned_alloc: (align, size) => {
      const a = align >>> 0;
      // C17: an alignment the implementation does not support gives NULL (malloc.c sets EINVAL).
      if (a === 0 || (a & (a - 1)) !== 0 || a > MAX_ALIGN) return 0;
      return slot.heap.alignedAlloc(a, size >>> 0);
    },
    malloc_usable_size: (p) => (p === 0 ? 0 : slot.heap.usableSize(p >>> 0)),
  };
}

/**
 * The allocator imports of a program built with wasm/malloc.c, over `heap` (created at the
 * module's __heap_base): pass them as the "hakmem" import module.
 */
export function mallocImports(heap: Heap): MallocImports {
  return importsOver({ heap });
}
