// Speed-of-light reference: the unsafe minimal size-class free list. A plain fixed-length
// ArrayBuffer, 64 classes in 16-byte steps up to 1024 B, per-class LIFO free lists with
// intrusive next pointers, bump allocation, and a side table (offset >>> 4 -> class) so free(p)
// knows the class. No checks of any kind: it is an upper bound, not an allocator.
import type { Contender, ContenderOptions } from "../contender.ts";

const MAX_CLASS = 64; // 64 * 16 = 1024 B

class Sol implements Contender {
  readonly name = "sol";
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly cls: Uint8Array;
  private readonly heads = new Int32Array(MAX_CLASS + 1);
  private top = 16; // offset 0 is never handed out
  private readonly limit: number;

  constructor(bytes: number) {
    const buf = new ArrayBuffer(bytes); // not resizable: fixed-length views
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    this.cls = new Uint8Array(bytes >>> 4);
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

  write(p: number, v: number): void {
    this.u8[p] = v;
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

  teardown(): void {}
}

export function create(opts: ContenderOptions): Contender {
  // Worst case: every class's free list holds ws blocks at some point.
  let classBytes = 0;
  for (let c = 1; c <= MAX_CLASS; c++) classBytes += c << 4;
  const bytes = Math.min(2 ** 31 - 2 ** 20, 16 + opts.ws * classBytes + 65536);
  return new Sol(bytes - (bytes & 15));
}
