// The shape every random-mixed contender implements. Each worker process loads exactly one
// contender, so the call sites in the shared loop (loop.ts) stay monomorphic.

export interface Contender {
  readonly name: string;
  /** Returns a non-zero offset, or 0 when out of memory. */
  malloc(n: number): number;
  free(p: number): void;
  /** Writes one byte at offset p. */
  write(p: number, v: number): void;
  /** The current byte view over the whole buffer (for the checked loop; re-read after calls). */
  view(): Uint8Array;
  /** Bytes of the buffer the allocator has touched at its high-water mark (thing: its current
   *  top, as MemPool keeps no high-water mark; read before the final frees). */
  peakFootprint(): number;
  /** Allocator-specific numbers reported in the JSON result. */
  stats(): Record<string, number>;
  teardown(): void;
}

export interface ContenderOptions {
  ws: number;
  cycles: number;
  /** hakmem only: profile name */
  profile?: string;
}

export type ContenderFactory = (opts: ContenderOptions) => Contender | Promise<Contender>;
