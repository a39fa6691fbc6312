// hakmem through its public API, the way a user would call it: the view is re-read from the
// heap's `u8` getter at every write (the heap may have grown since the last call). Imported
// from the built package ("hakmem" resolves to dist/index.js), never from src through a loader.
import { attachHeap, createHeap, type Heap, type HeapOptions } from "hakmem";
import type { Contender, ContenderOptions } from "../contender.ts";

export class Hakmem implements Contender {
  constructor(readonly heap: Heap) {}

  malloc(n: number): number {
    return this.heap.malloc(n);
  }

  free(p: number): void {
    this.heap.free(p);
  }

  write(p: number, k: number, v: number): void {
    this.heap.u8[p + k] = v;
  }

  view(): Uint8Array {
    return this.heap.u8;
  }

  peakFootprint(): number {
    return this.heap.stats().peakFootprintBytes;
  }

  stats(): Record<string, number> {
    return { ...this.heap.stats() };
  }
}

/** The named profile; without one the heap reads HAKMEM_PROFILE (an `ab` config may set it), else balanced. */
function profileOf(opts: ContenderOptions): HeapOptions["profile"] {
  return opts.options.profile as HeapOptions["profile"];
}

export function create(opts: ContenderOptions): Contender {
  return new Hakmem(createHeap({ profile: profileOf(opts) }));
}

export function share(c: Contender): unknown {
  return (c as Hakmem).heap.buffer;
}

export function attach(shared: unknown, opts: ContenderOptions): Contender {
  return new Hakmem(attachHeap(shared as SharedArrayBuffer, { profile: profileOf(opts) }));
}

export function detach(c: Contender): void {
  (c as Hakmem).heap.detach();
}
