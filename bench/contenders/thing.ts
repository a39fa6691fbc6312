// @thi.ng/malloc MemPool: first fit over an address-sorted free list, used list walked on free.
import { MemPool } from "@thi.ng/malloc";
import type { Contender, ContenderOptions } from "../contender.ts";

class Thing implements Contender {
  private readonly pool: MemPool;
  private readonly u8: Uint8Array;

  constructor(private readonly bytes: number) {
    this.pool = new MemPool({ size: bytes, align: 16 });
    this.u8 = new Uint8Array(this.pool.buf);
  }

  malloc(n: number): number {
    return this.pool.malloc(n);
  }

  free(p: number): void {
    this.pool.free(p);
  }

  write(p: number, k: number, v: number): void {
    this.u8[p + k] = v;
  }

  view(): Uint8Array {
    return this.u8;
  }

  /** MemPool keeps no high-water mark: its current top (read before the final frees). */
  peakFootprint(): number {
    return this.pool.stats().top;
  }

  stats(): Record<string, number> {
    const s = this.pool.stats();
    return { top: s.top, bufferBytes: this.bytes, usedBlocks: s.used.count, usedBytes: s.used.size, freeBlocks: s.free.count };
  }
}

export function create(opts: ContenderOptions): Contender {
  // It cannot grow: room for the live bytes three times over (fragmentation) plus slack.
  return new Thing(Math.min(2 ** 31 - 2 ** 20, opts.liveBytes * 3 + (4 << 20)));
}
