// @libmedia/cheap's Allocator: a skip-list free list with boundary tags in a shared
// WebAssembly.Memory, one mutex around every call. Importing the module creates the heap on the
// main thread; a worker joins it with initThread({ memory }).
import { isMainThread } from "node:worker_threads";
import type { Contender } from "../contender.ts";

type Internal = typeof import("@libmedia/cheap/internal");

class Cheap implements Contender {
  constructor(
    private readonly allocator: Internal["Allocator"],
    private readonly getHeapU8: () => Uint8Array,
  ) {}

  malloc(n: number): number {
    return this.allocator.malloc(n) as number;
  }

  free(p: number): void {
    this.allocator.free(p as never);
  }

  write(p: number, k: number, v: number): void {
    this.getHeapU8()[p + k] = v;
  }

  view(): Uint8Array {
    return this.getHeapU8();
  }

  /** The Wasm memory never shrinks: its size is the high-water mark. */
  peakFootprint(): number {
    return this.getHeapU8().byteLength;
  }

  stats(): Record<string, number> {
    return { memoryBytes: this.getHeapU8().byteLength };
  }
}

async function load(): Promise<Contender> {
  const m: Internal = await import("@libmedia/cheap/internal");
  // getHeapU8 is a live binding that initThread replaces: always read it through the module.
  return new Cheap(m.Allocator, () => m.getHeapU8());
}

export async function create(): Promise<Contender> {
  if (!isMainThread) throw new Error("cheap: create() runs on the main thread (the module makes its heap there)");
  return load();
}

export function share(): unknown {
  return (globalThis as { CHeap?: { Memory: WebAssembly.Memory } }).CHeap?.Memory;
}

export async function attach(shared: unknown): Promise<Contender> {
  const m: Internal = await import("@libmedia/cheap/internal");
  await m.initThread({ memory: shared as WebAssembly.Memory });
  return load();
}
