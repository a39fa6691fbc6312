// AssemblyScript's TLSF allocator (the `minimal` runtime's heap), compiled at build time from
// the assemblyscript devDependency into dist/bench/tlsf.wasm (scripts/build-tlsf.mjs) and called
// from JS: every malloc/free crosses into Wasm.
import { readFileSync } from "node:fs";
import type { Contender } from "../contender.ts";

interface TlsfExports {
  readonly memory: WebAssembly.Memory;
  alloc(n: number): number;
  free(p: number): void;
}

class Tlsf implements Contender {
  private u8: Uint8Array;

  constructor(private readonly wasm: TlsfExports) {
    this.u8 = new Uint8Array(wasm.memory.buffer);
  }

  malloc(n: number): number {
    return this.wasm.alloc(n);
  }

  free(p: number): void {
    this.wasm.free(p);
  }

  write(p: number, k: number, v: number): void {
    // memory.grow detaches the old buffer (its views read as length 0): re-view on demand.
    if (p + k >= this.u8.length) this.u8 = new Uint8Array(this.wasm.memory.buffer);
    this.u8[p + k] = v;
  }

  view(): Uint8Array {
    return (this.u8 = new Uint8Array(this.wasm.memory.buffer));
  }

  /** Wasm memory never shrinks: its size is the high-water mark. */
  peakFootprint(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  stats(): Record<string, number> {
    return { memoryBytes: this.wasm.memory.buffer.byteLength };
  }
}

export async function create(): Promise<Contender> {
  const bytes = readFileSync(new URL("./tlsf.wasm", import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: {
      abort(): never {
        throw new Error("AssemblyScript abort (out of memory?)");
      },
    },
  });
  return new Tlsf(instance.exports as unknown as TlsfExports);
}
