// The shape every contender implements. Each process loads exactly one contender module, so the
// call sites in the shared workload loops stay monomorphic.

export interface Contender {
  /** Returns a non-zero block handle (an offset for every linear-memory allocator), 0 when out of memory. */
  malloc(n: number): number;
  free(p: number): void;
  /** Writes byte v at offset k of block p (k < the block's size). */
  write(p: number, k: number, v: number): void;
  /** The current byte view over the whole buffer, when there is one (for the checked loop). */
  view?(): Uint8Array;
  /** Bytes of memory the allocator has claimed at its high-water mark, when it exposes that. */
  peakFootprint(): number | null;
  /** Allocator-specific numbers reported in the JSON result. */
  stats(): Record<string, number>;
}

/** What a workload tells a contender about the heap it needs. */
export interface ContenderOptions {
  /** An upper bound on the bytes live at once (fixed-size pools size themselves from it). */
  liveBytes: number;
  /** The largest request. */
  maxSize: number;
  /** Heap options from `hakmem ab` / `hakmem:profile` names (hakmem only). */
  options: Record<string, string>;
}

/**
 * A contender's module. Single-threaded contenders only implement create(); multi-worker ones
 * also share() their heap from the creating thread and attach() to it in a worker_threads Worker.
 */
export interface ContenderModule {
  create(opts: ContenderOptions): Contender | Promise<Contender>;
  /** What a Worker needs to attach (passed through postMessage). */
  share?(c: Contender): unknown;
  attach?(shared: unknown, opts: ContenderOptions): Contender | Promise<Contender>;
  /** A worker leaving the heap ("thread exit"); its successor attaches anew. */
  detach?(c: Contender): void;
}
