// @thi.ng/malloc MemPool: first fit over an address-sorted free list, used list walked on free.
import { MemPool } from "@thi.ng/malloc";
import type { Contender, ContenderOptions } from "../contender.ts";

class Thing implements Contender {
  readonly name = "thing";
  private readonly pool: MemPool;
  private readonly u8: Uint8Array;
  private readonly bytes: number;

  constructor(bytes: number) {
    this.bytes = bytes;
    this.pool = new MemPool({ size: bytes, align: 16 });
    this.u8 = new Uint8Array(this.pool.buf);
  }

  malloc(n: number): number {
    return this.pool.malloc(n);
  }

  free(p: number): void {
    this.pool.free(p);
  }

  write(p: number, v: number): void {
    this.u8[p] = v;
  }

  view(): Uint8Array {
    return this.u8;
  }

  peakFootprint(): number {
    return this.pool.stats().top;
  }

  stats(): Record<string, number> {
    const s = this.pool.stats();
    return {
      top: s.top,
      bufferBytes: this.bytes,
      usedBlocks: s.used.count,
      usedBytes: s.used.size,
      freeBlocks: s.free.count,
    };
  }

  teardown(): void {}
}

export function create(opts: ContenderOptions): Contender {
  // It cannot grow: give it room for ws blocks of the largest size twice over (fragmentation).
  return new Thing(Math.min(2 ** 31 - 2 ** 20, Math.max(1 << 22, opts.ws * 4096 + (1 << 20))));
}
