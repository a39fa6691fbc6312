// hakmem through its public API, the way a user would call it: view re-read from the heap's
// `u8` getter at every write (the heap may have grown since the last call).
import { createHeap } from "../../../src/index.ts";
import type { Contender, ContenderOptions } from "../contender.ts";

type Heap = ReturnType<typeof createHeap>;
type HeapOptions = NonNullable<Parameters<typeof createHeap>[0]>;

class Hakmem implements Contender {
  readonly name: string;
  private readonly heap: Heap;

  constructor(profile: string) {
    this.name = `hakmem:${profile}`;
    this.heap = createHeap({ profile: profile as HeapOptions["profile"] });
  }

  malloc(n: number): number {
    return this.heap.malloc(n);
  }

  free(p: number): void {
    this.heap.free(p);
  }

  write(p: number, v: number): void {
    this.heap.u8[p] = v;
  }

  view(): Uint8Array {
    return this.heap.u8;
  }

  peakFootprint(): number {
    return this.heap.stats().peakFootprintBytes;
  }

  stats(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.heap.stats())) if (typeof v === "number") out[k] = v;
    return out;
  }

  teardown(): void {}
}

export function create(opts: ContenderOptions): Contender {
  return new Hakmem(opts.profile ?? "balanced");
}
