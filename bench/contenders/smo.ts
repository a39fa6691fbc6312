// @daneren2005/shared-memory-objects: MemoryHeap, a fork of @thi.ng/malloc's MemPool with an
// Atomics lock per buffer, over several 1 MiB SharedArrayBuffers. Called the way MemoryHeap's
// allocUI32 does (first fit in buffer 0, then 1, ...), minus the wrapper object it makes per
// block; pointers use its own encoding (12-bit buffer index + 20-bit offset).
import { isMainThread } from "node:worker_threads";
import { MemoryBuffer, MemoryHeap } from "smo-runtime"; // = @daneren2005/shared-memory-objects (smo-runtime.d.ts)
import type { Contender, ContenderOptions } from "../contender.ts";

// Its lock tests `'WorkerGlobalScope' in self`: give Node what a browser has, so a worker waits
// with Atomics.wait and the main thread spins, as they would on the web.
const g = globalThis as { self?: unknown; WorkerGlobalScope?: unknown };
g.self ??= globalThis;
if (!isMainThread) g.WorkerGlobalScope ??= class WorkerGlobalScope {};

const BUFFER_BYTES = 1 << 20; // the largest its pointers can address

class Smo implements Contender {
  private readonly u8s: Uint8Array[];

  constructor(private readonly buffers: MemoryBuffer[]) {
    this.u8s = buffers.map((b) => new Uint8Array(b.buf));
  }

  malloc(n: number): number {
    const buffers = this.buffers;
    for (let i = 0; i < buffers.length; i++) {
      const off = buffers[i].malloc(n);
      if (off !== 0) return i + (off << 12); // its createPointer(), inlined
    }
    return 0;
  }

  free(p: number): void {
    this.buffers[p & 4095].free(p >>> 12);
  }

  write(p: number, k: number, v: number): void {
    this.u8s[p & 4095][(p >>> 12) + k] = v;
  }

  /** It claims whole buffers up front; nothing finer is exposed across workers. */
  peakFootprint(): number {
    return this.buffers.length * BUFFER_BYTES;
  }

  stats(): Record<string, number> {
    return { buffers: this.buffers.length };
  }
}

export function create(opts: ContenderOptions): Contender {
  // Only the main thread can add buffers that every worker sees: make them all now (its blocks
  // are never split, so room for twice the live bytes).
  const initialBuffers = Math.min(4095, Math.ceil((opts.liveBytes * 2) / BUFFER_BYTES) + 1);
  const heap = new MemoryHeap({ bufferSize: BUFFER_BYTES, initialBuffers });
  return new Smo(heap.buffers);
}

export function share(c: Contender): unknown {
  return (c as Smo)["buffers"].map((b) => b.buf);
}

export function attach(shared: unknown): Contender {
  return new Smo((shared as SharedArrayBuffer[]).map((buf) => new MemoryBuffer({ buf, skipInitialization: true })));
}
