// The garbage collector: `new Uint8Array(n)` per malloc, dropped on free. Blocks are named by a
// handle (an index into a table of arrays), which is what code without a malloc keeps anyway.
import type { Contender } from "../contender.ts";

const NONE = new Uint8Array(0); // keeps the table's element kind uniform

class Gc implements Contender {
  private blocks: Uint8Array[] = [NONE]; // handle 0 is never handed out
  private spare = new Int32Array(1024);
  private spareCount = 0;

  malloc(n: number): number {
    const b = new Uint8Array(n);
    if (this.spareCount > 0) {
      const h = this.spare[--this.spareCount];
      this.blocks[h] = b;
      return h;
    }
    this.blocks.push(b);
    return this.blocks.length - 1;
  }

  free(p: number): void {
    this.blocks[p] = NONE;
    if (this.spareCount === this.spare.length) {
      const grown = new Int32Array(this.spare.length * 2);
      grown.set(this.spare);
      this.spare = grown;
    }
    this.spare[this.spareCount++] = p;
  }

  write(p: number, k: number, v: number): void {
    this.blocks[p][k] = v;
  }

  peakFootprint(): null {
    return null;
  }

  stats(): Record<string, number> {
    return { handles: this.blocks.length - 1 };
  }
}

export function create(): Contender {
  return new Gc();
}
