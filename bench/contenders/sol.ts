// Speed-of-light reference: the unsafe minimal size-class free list. A plain fixed-length
// ArrayBuffer, classes in 16-byte steps, per-class LIFO free lists with intrusive next pointers,
// bump allocation, and a side table (offset >>> 4 -> class) so free(p) knows the class. No checks
// of any kind: it is an upper bound, not an allocator.
import type { Contender, ContenderOptions } from "../contender.ts";

class Sol implements Contender {
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly cls: Uint16Array;
  private readonly heads: Int32Array;
  private top = 16; // offset 0 is never handed out
  private readonly limit: number;

  constructor(bytes: number, maxSize: number) {
    const buf = new ArrayBuffer(bytes); // not resizable: fixed-length views; untouched pages cost nothing
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    this.cls = new Uint16Array(bytes >>> 4);
    this.heads = new Int32Array(((maxSize + 15) >>> 4) + 1);
    this.limit = bytes;
  }

  malloc(n: number): number {
    const c = (n + 15) >>> 4;
    const head = this.heads[c];
    if (head !== 0) {
      this.heads[c] = this.i32[head >>> 2];
      return head;
    }
    const p = this.top;
    const end = p + (c << 4);
    if (end > this.limit) return 0;
    this.top = end;
    this.cls[p >>> 4] = c;
    return p;
  }

  free(p: number): void {
    const c = this.cls[p >>> 4];
    this.i32[p >>> 2] = this.heads[c];
    this.heads[c] = p;
  }

  write(p: number, k: number, v: number): void {
    this.u8[p + k] = v;
  }

  view(): Uint8Array {
    return this.u8;
  }

  peakFootprint(): number {
    return this.top;
  }

  stats(): Record<string, number> {
    return { top: this.top, bufferBytes: this.limit };
  }
}

export function create(opts: ContenderOptions): Contender {
  // Blocks never move between classes, so a class can hold its own worst case: size the buffer
  // generously; pages it never touches are never committed.
  return new Sol(Math.min(2 ** 30, Math.max(1 << 24, opts.liveBytes * 16)), opts.maxSize);
}
